package dev.engram.journal;

import dev.engram.journal.internal.VersionWaiters;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The journal's published progress: the written and synced versions, the cycle last written, and a
 * failure of its threads. Written by one thread each (writer, syncer), read by anyone; waiting callers
 * wake the writer (it parks when the ring is empty) and park until the publishing thread wakes them
 * ({@link VersionWaiters}).
 */
final class JournalProgress
{
    private final VersionWaiters writtenWaiters = new VersionWaiters(VersionWaiters.DEFAULT_SLOTS);
    private final VersionWaiters syncedWaiters = new VersionWaiters(VersionWaiters.DEFAULT_SLOTS);
    private final LongSupplier writtenSource = this::writtenVersion;
    private final LongSupplier syncedSource = this::syncedVersion;
    private final Runnable wakeWriter = this::wakeWriter;
    private final VersionWaiters.FailureCheck writtenFailure = version -> checkFailure(version, "written");
    private final VersionWaiters.FailureCheck syncedFailure = version -> checkFailure(version, "synced");
    private volatile Thread writerThread;
    private final long writerSpinAfterWaitNs;
    private volatile long lastWaitNs;

    private volatile long writtenVersion;
    private volatile long writtenBytes;
    private volatile int writtenCycle = Integer.MIN_VALUE;
    private volatile long syncedVersion;
    private volatile JournalException failure;
    private volatile boolean writerStopped;
    private final Runnable onFailure;

    /**
     * @param writerSpinAfterWaitNs how long the writer looks for frames instead of idling after a caller waited.
     */
    JournalProgress(final long lastVersion, final Runnable onFailure, final long writerSpinAfterWaitNs)
    {
        this.writerSpinAfterWaitNs = writerSpinAfterWaitNs;
        this.lastWaitNs = System.nanoTime() - writerSpinAfterWaitNs - 1;
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
        writtenWaiters.signal(version);
    }

    /** The thread that runs the writer (it may still be opening the queue). */
    void writerThread(final Thread thread)
    {
        writerThread = thread;
    }

    /**
     * Unpark the writer if it parks for want of frames (an awaiting caller's nudge; never the append path), and
     * keep it looking for frames for {@code writerSpinAfterWaitNs} rather than parking: a caller that waits for
     * one write is likely to append and wait again at once.
     */
    void wakeWriter()
    {
        lastWaitNs = System.nanoTime();
        final Thread thread = writerThread;
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    /** Writer thread: whether a caller waited for a version within the last {@code writerSpinAfterWaitNs}. */
    boolean callerWaitedRecently()
    {
        return System.nanoTime() - lastWaitNs < writerSpinAfterWaitNs;
    }

    long writtenBytes()
    {
        return writtenBytes;
    }

    /** Sync thread: frames up to {@code version} reached the disk. */
    void synced(final long version)
    {
        syncedVersion = version;
        syncedWaiters.signal(version);
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
        writtenWaiters.signalAll();
        syncedWaiters.signalAll();
    }

    void writerStopped()
    {
        writerStopped = true;
        writtenWaiters.signalAll();
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
     * @throws JournalException if the journal failed first.
     */
    boolean await(final boolean synced, final long version, final long timeout, final TimeUnit unit)
    {
        // both wait on the writer first: a sync forces only what is written
        return synced ? syncedWaiters.await(syncedSource, version, wakeWriter, syncedFailure, timeout, unit) :
            writtenWaiters.await(writtenSource, version, wakeWriter, writtenFailure, timeout, unit);
    }

    /**
     * Sync thread: park until the writer publishes a version above {@code written}, {@code stop} says so, or
     * {@code timeoutNs} passes (the syncer was asked for versions not written yet).
     */
    void awaitWrittenBeyond(final long written, final BooleanSupplier stop, final long timeoutNs)
    {
        writtenWaiters.await(() -> stop.getAsBoolean() ? Long.MAX_VALUE : writtenVersion, written + 1, wakeWriter,
            writtenFailure, timeoutNs, TimeUnit.NANOSECONDS);
    }

    private void checkFailure(final long version, final String what)
    {
        final JournalException ex = failure;
        if (ex != null)
        {
            throw new JournalException("journal failed before version=" + version + " was " + what + ": " + ex.getMessage(), ex);
        }
    }
}
