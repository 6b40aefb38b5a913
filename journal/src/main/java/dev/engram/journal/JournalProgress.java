package dev.engram.journal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The journal's published progress: the written and synced versions, the cycle last written, and a
 * failure of its threads. Written by one thread each (writer, syncer), read by anyone; waiting callers
 * poll with a short spin, then yield, then park in steps of at most {@link #MAX_PARK_NS}.
 */
final class JournalProgress
{
    static final long MAX_PARK_NS = TimeUnit.MICROSECONDS.toNanos(100);

    private volatile long writtenVersion;
    private volatile long writtenBytes;
    private volatile int writtenCycle = Integer.MIN_VALUE;
    private volatile long syncedVersion;
    private volatile JournalException failure;
    private volatile boolean writerStopped;
    private final Runnable onFailure;

    JournalProgress(final long lastVersion, final Runnable onFailure)
    {
        this.writtenVersion = lastVersion;
        this.syncedVersion = 0;
        this.onFailure = onFailure;
    }

    /** Writer thread: frames up to {@code version} are complete in cycle {@code cycle} or before. */
    void written(final int cycle, final long version, final long bytes)
    {
        writtenCycle = cycle;
        writtenBytes = bytes;
        writtenVersion = version;
    }

    long writtenBytes()
    {
        return writtenBytes;
    }

    /** Sync thread: frames up to {@code version} reached the disk. */
    void synced(final long version)
    {
        syncedVersion = version;
    }

    long writtenVersion()
    {
        return writtenVersion;
    }

    int writtenCycle()
    {
        return writtenCycle;
    }

    long syncedVersion()
    {
        return syncedVersion;
    }

    JournalException failure()
    {
        return failure;
    }

    void fail(final JournalException ex)
    {
        if (failure == null)
        {
            failure = ex;
        }
        onFailure.run();
    }

    void writerStopped()
    {
        writerStopped = true;
    }

    boolean isWriterStopped()
    {
        return writerStopped;
    }

    /**
     * @param synced  wait for the synced (true) or written (false) version.
     * @param version the version to reach.
     * @param timeout how long to wait.
     * @param unit    unit of timeout.
     * @return true if reached, false on timeout.
     */
    boolean await(final boolean synced, final long version, final long timeout, final TimeUnit unit)
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        int spins = 0;
        while (true)
        {
            final long reached = synced ? syncedVersion : writtenVersion;
            if (reached >= version)
            {
                return true;
            }
            final JournalException ex = failure;
            if (ex != null)
            {
                throw new JournalException("journal failed before version=" + version + " was " +
                    (synced ? "synced" : "written") + ": " + ex.getMessage(), ex);
            }
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0)
            {
                return false;
            }
            if (spins < 100)
            {
                spins++;
                Thread.onSpinWait();
            }
            else if (spins < 120)
            {
                spins++;
                Thread.yield();
            }
            else
            {
                LockSupport.parkNanos(Math.min(remaining, MAX_PARK_NS));
            }
        }
    }
}
