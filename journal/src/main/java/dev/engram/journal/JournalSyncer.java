package dev.engram.journal;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sync thread: makes "synced" mean the bytes reached the disk. It forces ({@code fsync}) every
 * cycle file written since the last force, and the directory and Chronicle's listing file when a new
 * cycle appeared, then publishes the version that was written before the force began. Chronicle's own
 * {@code sync()} is an {@code MS_ASYNC} msync that does not wait for the disk, so it is not used.
 * Requests from many callers that arrive while a force runs are served by the next one (group commit). A caller
 * of {@code awaitSynced} that finds no force running forces on its own thread ({@link #forceIfIdle}); forces
 * never overlap, and the synced version never moves back.
 */
final class JournalSyncer implements Runnable
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JournalSyncer.class);
    /** A force slower than this is logged (at most every {@link #SLOW_WARN_INTERVAL_NS}). */
    static final long SLOW_SYNC_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private static final long SLOW_WARN_INTERVAL_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private long lastSlowWarnNs = System.nanoTime() - SLOW_WARN_INTERVAL_NS;

    private static final long IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ChronicleJournalStore store;
    private final SyncPolicy policy;
    private final long intervalNs;
    private final JournalProgress progress;
    private final JournalManifestKeeper manifest;
    private final java.util.function.LongConsumer observer;
    private final AtomicLong requestedVersion = new AtomicLong();
    private final Map<Integer, FileChannel> channels = new TreeMap<>();
    private volatile Thread thread;
    private volatile boolean running = true;
    private final java.util.function.BooleanSupplier stopped = () -> !running;
    private volatile boolean idle;
    private final ReentrantLock forceLock = new ReentrantLock();   // one force at a time: sync thread or a leading caller
    private boolean closed;                                          // guarded by forceLock, as are the fields below
    private int lastForcedCycle = Integer.MIN_VALUE;
    private volatile long forceCount;

    JournalSyncer(final ChronicleJournalStore store, final JournalContext ctx, final JournalProgress progress,
        final JournalManifestKeeper manifest)
    {
        this.store = store;
        this.manifest = manifest;
        // the cycle the journal continues in was listed (so its file and directory entry were forced) by a previous run
        this.lastForcedCycle = manifest.newestCycle();
        this.policy = ctx.syncPolicy();
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(ctx.syncIntervalMs());
        this.progress = progress;
        this.observer = ctx.syncObserver();
    }

    /**
     * Ask for everything up to {@code version} to be synced.
     */
    void request(final long version)
    {
        long current;
        while ((current = requestedVersion.get()) < version)
        {
            if (requestedVersion.compareAndSet(current, version))
            {
                break;
            }
        }
        wake();
    }

    /**
     * Writer thread: new frames are written (wakes the syncer only under ALWAYS).
     */
    void onWritten()
    {
        if (policy == SyncPolicy.ALWAYS && idle)
        {
            wake();
        }
    }

    /**
     * Writer thread: a new cycle file got its first frame; it is forced and listed in the manifest by this thread
     * whatever the policy (once per roll cycle).
     */
    void onCycleStarted()
    {
        wake();
    }

    private void wake()
    {
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    void stop()
    {
        running = false;
        wake();
    }

    long forceCount()
    {
        return forceCount;
    }

    @Override
    public void run()
    {
        thread = Thread.currentThread();
        long nextPeriodicNs = System.nanoTime() + intervalNs;
        try
        {
            while (running)
            {
                final long written = progress.writtenVersion();
                final long synced = progress.syncedVersion();
                manifest.recordStarted(synced);   // new cycles whose first frame is on disk (nothing to do between rolls)
                final long now = System.nanoTime();
                final long rolledAt = manifest.pendingFirstVersion();
                // a new cycle's file is forced (with the previous cycle and the directory) before the manifest lists it
                boolean due = written > synced && (requestedVersion.get() > synced || rolledAt <= written);
                if (policy == SyncPolicy.ALWAYS)
                {
                    due |= written > synced;
                }
                else if (policy == SyncPolicy.PERIODIC && now - nextPeriodicNs >= 0)
                {
                    due |= written > synced;
                    nextPeriodicNs = now + intervalNs;
                }
                if (due)
                {
                    forceUpTo(written);
                    continue;
                }
                if (requestedVersion.get() > synced || rolledAt != Long.MAX_VALUE)
                {
                    // asked for versions the writer has not written yet: wait for it rather than spin beside it
                    progress.awaitWrittenBeyond(written, stopped, IDLE_PARK_NS);
                    continue;
                }
                idle = true;
                if (progress.writtenVersion() == written && requestedVersion.get() <= synced)
                {
                    final long parkNs = policy == SyncPolicy.PERIODIC ?
                        Math.max(1, Math.min(IDLE_PARK_NS, nextPeriodicNs - now)) : IDLE_PARK_NS;
                    LockSupport.parkNanos(this, parkNs);
                }
                idle = false;
            }
            // clean stop: everything the writer wrote is forced before the journal closes
            final long written = progress.writtenVersion();
            if (written > progress.syncedVersion())
            {
                forceUpTo(written);
            }
            manifest.recordStarted(progress.syncedVersion());
        }
        catch (final Throwable ex)
        {
            progress.fail(new JournalException("journal sync failed at synced version=" + progress.syncedVersion() +
                ": " + ex, ex));
        }
        finally
        {
            closeChannels();
        }
    }

    /**
     * A caller's wait for {@code version} to be synced ({@link Journal#awaitSynced}): once it is written, force it
     * on the calling thread if no force is running ({@link #forceIfIdle}); otherwise ask this thread and wait for
     * the running or the next force (group commit with the other waiters).
     *
     * @param version    appended already.
     * @param deadlineNs the {@link System#nanoTime()} to give up at.
     * @return true if it was synced, false on timeout.
     * @throws JournalException if the journal failed first.
     */
    boolean awaitSynced(final long version, final long deadlineNs)
    {
        // a sync forces only what is written: wait for the writer, then lead the force if none is running
        if (!progress.await(false, version, Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS))
        {
            return false;
        }
        if (forceIfIdle(version))
        {
            progress.wakeWriter();   // a caller syncing each put appends again at once: have the writer looking
            return true;
        }
        request(version);
        return progress.await(true, version, Math.max(0, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /**
     * A caller of {@code awaitSynced} leads a group commit: if no force is running, force on the calling thread
     * everything written so far (it covers {@code version}), sparing the wake-ups of the sync thread and of the
     * caller after it. Callers that find a force running wait for it instead (and ask the sync thread, in case it
     * began before their frame was written).
     *
     * @param version written already (the caller waited for it).
     * @return true if {@code version} is synced now; false if another force is running or the journal closed.
     * @throws JournalException if the force failed (the journal fails with it).
     */
    boolean forceIfIdle(final long version)
    {
        if (!forceLock.tryLock())
        {
            return false;
        }
        try
        {
            if (closed)
            {
                return false;
            }
            if (progress.syncedVersion() >= version)
            {
                return true;
            }
            final long written = progress.writtenVersion();
            if (written < version)
            {
                return false;
            }
            forceLocked(written);
            return true;
        }
        catch (final IOException ex)
        {
            final JournalException failure = new JournalException("journal sync failed at synced version=" +
                progress.syncedVersion() + ": " + ex, ex);
            progress.fail(failure);
            throw failure;
        }
        finally
        {
            forceLock.unlock();
        }
    }

    /**
     * Force every cycle file from the last forced one to the newest written, then publish (nothing if a force
     * on another thread already covered {@code written}).
     */
    void forceUpTo(final long written) throws IOException
    {
        forceLock.lock();
        try
        {
            if (!closed)
            {
                forceLocked(written);
            }
        }
        finally
        {
            forceLock.unlock();
        }
    }

    private void forceLocked(final long written) throws IOException
    {
        if (written <= progress.syncedVersion())
        {
            return;   // a force on another thread got there first: synced never moves back
        }
        final long startNs = System.nanoTime();
        final int newestCycle = progress.writtenCycle();
        if (newestCycle == Integer.MIN_VALUE)
        {
            progress.synced(written);
            return;
        }
        final boolean newFile = lastForcedCycle != newestCycle;
        if (newFile)
        {
            // the cycles written since the last force, from Chronicle's directory listing
            final NavigableSet<Long> cycles = store.cycles();
            final long from = lastForcedCycle == Integer.MIN_VALUE ? newestCycle : lastForcedCycle;
            for (final Long cycle : cycles.subSet(from, true, (long)newestCycle, true))
            {
                force(cycle.intValue());
            }
            if (store.metadataFileExists())
            {
                forcePath(store.metadataFile());
            }
            forcePath(store.directory());
            // cycles before the newest are complete: their channels are not needed again
            channels.entrySet().removeIf(e -> e.getKey() < newestCycle && close(e.getValue()));
        }
        else
        {
            force(newestCycle);   // the common case: no listing, one fdatasync
        }
        lastForcedCycle = newestCycle;
        forceCount++;
        progress.synced(written);
        final long tookNs = System.nanoTime() - startNs;
        observer.accept(tookNs);
        if (tookNs >= SLOW_SYNC_NS && startNs - lastSlowWarnNs >= SLOW_WARN_INTERVAL_NS)
        {
            lastSlowWarnNs = startNs;
            LOG.warn("slow sync: forcing the journal in {} took {} ms (synced version={}); the disk is slow or busy",
                store.directory(), java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(tookNs), written);
        }
    }

    private void force(final int cycle) throws IOException
    {
        final FileChannel channel = channelFor(cycle);
        if (channel != null)
        {
            channel.force(false);
        }
    }

    private FileChannel channelFor(final int cycle) throws IOException
    {
        FileChannel channel = channels.get(cycle);
        if (channel == null)
        {
            final File file = store.fileForCycle(cycle);
            if (file == null || !file.exists())
            {
                return null;
            }
            channel = FileChannel.open(file.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE);
            channels.put(cycle, channel);
        }
        return channel;
    }

    private static void forcePath(final Path path) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    private static boolean close(final FileChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot close journal file channel: " + ex.getMessage(), ex);
        }
        return true;
    }

    private void closeChannels()
    {
        forceLock.lock();
        try
        {
            closed = true;
            closeAll();
        }
        finally
        {
            forceLock.unlock();
        }
    }

    private void closeAll()
    {
        for (final FileChannel channel : channels.values())
        {
            close(channel);
        }
        channels.clear();
    }
}
