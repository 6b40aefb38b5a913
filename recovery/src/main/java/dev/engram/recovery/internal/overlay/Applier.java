package dev.engram.recovery.internal.overlay;

import dev.engram.journal.Journal;
import dev.engram.journal.internal.JournalBridgeFollower;
import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.journal.JournalReader;
import dev.engram.journal.internal.VersionWaiters;
import dev.engram.recovery.CheckpointCorruptionException;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The applier thread: follows the journal and indexes every written frame into the current overlay,
 * publishing {@link #appliedVersion()}. It is the overlay's only writer. When a checkpoint is published
 * it builds the next generation — a fresh overlay holding only what changed after the checkpoint,
 * re-indexed from the journal (cheap: references, not copies) — and swaps the {@link StateView}.
 * <p>
 * After a fast-path recovery the journal's queue opens in the background and the journal thread writes what is
 * committed meanwhile to its bridge file: the applier follows that file ({@link JournalBridgeFollower}, values copied
 * off-heap since they have no place in the queue yet) until the queue is open, then the queue from the next version.
 */
public final class Applier implements Runnable
{
    private static final int POLL_LIMIT = 4096;

    /** A new base to switch to. */
    public record Rebase(Overlay.BaseValues base, long baseVersion, java.util.function.Consumer<StateView> onSwapped)
    {
    }

    private final Journal journal;
    private final JournalMappedFiles files;
    private final AtomicReference<Rebase> pendingRebase = new AtomicReference<>();
    private final IdleStrategy idle;
    private volatile StateView view;
    private volatile long appliedVersion;
    private volatile boolean running = true;
    private volatile Throwable failure;
    /** Set when the thread has ended (stopped or failed): waiters for versions not applied give up. */
    private volatile boolean ended;
    private volatile Thread thread;
    private final VersionWaiters waiters = new VersionWaiters(VersionWaiters.DEFAULT_SLOTS);
    private JournalReader follower;
    /**
     * While a background open's queue still opens: the journal's bridge file, so what is written is applied at once (a
     * thread's read after its own commit right after a reopen does not wait for the queue's cold start); null once the
     * queue is followed instead.
     */
    private JournalBridgeFollower bridge;
    private TailIndexer indexer;
    /** A frame could not be applied because the base has a damaged block: wait for the repaired base. */
    private boolean stalled;
    private volatile String stalledReason;
    private final java.util.function.Consumer<CheckpointCorruptionException> onDamagedBase;
    private volatile FrameQuarantine.Listener quarantine = FrameQuarantine.NONE;
    /**
     * How long the follower may find nothing while the journal says a later version is written before it is positioned
     * again ({@link JournalReader#follow}), and then before the applier fails naming the journal: a frame written is
     * visible to a reader at once, so this is never a slow machine, only a reader Chronicle positioned wrongly (a
     * bit flipped in the newest cycle file's Chronicle header: fault case 45 of seed 22107920710523 waited forever,
     * the store reading but never applying a write, and saying nothing).
     */
    static final long NOTHING_TO_READ_NS = TimeUnit.SECONDS.toNanos(10);
    private long nothingToReadSinceNs;
    private boolean followedAgain;

    /**
     * @param onDamagedBase told when a frame cannot be applied because the base has a damaged block: the applier
     *                      then waits for a new base (a repair checkpoint) instead of failing; if it throws, the
     *                      applier fails.
     */
    public Applier(final Journal journal, final JournalMappedFiles files, final StateView recovered, final long recoveredVersion,
        final IdleStrategy idle, final java.util.function.Consumer<CheckpointCorruptionException> onDamagedBase)
    {
        this.onDamagedBase = onDamagedBase;
        this.idle = idle;
        this.journal = journal;
        this.files = files;
        this.view = recovered;
        this.appliedVersion = recoveredVersion;
    }

    public StateView view()
    {
        return view;
    }

    public long appliedVersion()
    {
        return appliedVersion;
    }

    public Throwable failure()
    {
        return failure;
    }

    /**
     * @param listener told about each key quarantined (a frame that cannot be applied); set before the thread starts.
     */
    public void onQuarantine(final FrameQuarantine.Listener listener)
    {
        this.quarantine = listener;
    }

    public void rebase(final Rebase rebase)
    {
        pendingRebase.set(rebase);
    }

    public void stop()
    {
        running = false;
        wake();
    }

    /**
     * Wait until {@code version} is applied (readable).
     */
    public boolean awaitApplied(final long version, final long timeout, final TimeUnit unit)
    {
        return waiters.await(this::appliedVersion, version, this::wake, this::checkFailure, timeout, unit);
    }

    private void wake()
    {
        final Thread t = thread;
        if (t != null)
        {
            LockSupport.unpark(t);
        }
    }

    private void checkFailure(final long version)
    {
        final Throwable ex = failure;
        if (ex != null)
        {
            throw new IllegalStateException("applier failed before version=" + version + " was applied: " + ex, ex);
        }
        if (ended && appliedVersion < version)
        {
            throw new IllegalStateException("state store is closed: the applier stopped at version=" + appliedVersion +
                " before version=" + version + " was applied");
        }
    }

    private void applied(final long version)
    {
        appliedVersion = version;
        waiters.signal(version);
    }

    @Override
    public void run()
    {
        thread = Thread.currentThread();
        try
        {
            bridge = journal.newBridgeFollower(appliedVersion + 1);
            if (bridge == null)
            {
                followTheQueue(appliedVersion + 1);
            }
            // the recovered overlay was filled by the recovery thread: adopt it as this thread's own
            StateView current = view;
            Overlay overlay = adopt(current);
            indexer = new TailIndexer(overlay, current.base()).onQuarantine(quarantine);
            while (running)
            {
                final Rebase rebase = pendingRebase.getAndSet(null);
                if (rebase != null)
                {
                    if (bridge != null)
                    {
                        followTheQueue(bridge.nextVersion());   // a rebase re-indexes from the queue: wait for it
                    }
                    swap(rebase);
                    continue;
                }
                if (stalled)
                {
                    idle.idle(0);
                    continue;
                }
                final int n = pollOrStall();
                if (n > 0)
                {
                    applied(indexer.lastVersion());
                    nothingToReadSinceNs = 0;
                }
                else
                {
                    checkTheFollowerSeesWhatIsWritten();
                }
                idle.idle(n);
            }
            // drain what is written before stopping
            while (!stalled && pollOrStall() > 0)
            {
                applied(indexer.lastVersion());
            }
        }
        catch (final dev.engram.journal.JournalClosingException ex)
        {
            // the store closes while the journal's queue still opens: nothing was there to apply
        }
        catch (final Throwable ex)
        {
            failure = ex;
            org.slf4j.LoggerFactory.getLogger(Applier.class).error("applier stopped at version={}: reads stop advancing " +
                "and waits for later versions fail until the store reopens", appliedVersion, ex);
        }
        finally
        {
            ended = true;
            waiters.signalAll();
            if (bridge != null)
            {
                bridge.close();
            }
            if (follower != null)
            {
                follower.close();
            }
        }
    }

    /**
     * The journal wrote a version the follower does not find: after {@link #NOTHING_TO_READ_NS}, position the follower
     * again; after that long again, fail naming the journal directory (every wait for a version then says so).
     */
    private void checkTheFollowerSeesWhatIsWritten()
    {
        if (bridge != null || journal.writtenVersion() <= appliedVersion)
        {
            nothingToReadSinceNs = 0;
            return;
        }
        final long now = System.nanoTime();
        if (nothingToReadSinceNs == 0)
        {
            nothingToReadSinceNs = now;
            return;
        }
        if (now - nothingToReadSinceNs < NOTHING_TO_READ_NS)
        {
            return;
        }
        if (!followedAgain)
        {
            followedAgain = true;
            nothingToReadSinceNs = now;
            org.slf4j.LoggerFactory.getLogger(Applier.class).warn("applier in {}: the journal wrote version={} but its " +
                "reader found nothing after version={} for {} s: positioning it again", journal.directory(),
                journal.writtenVersion(), appliedVersion, TimeUnit.NANOSECONDS.toSeconds(NOTHING_TO_READ_NS));
            follower.follow(appliedVersion + 1);
            return;
        }
        throw new dev.engram.journal.JournalException("the journal in " + journal.directory() + " wrote version=" +
            journal.writtenVersion() + " but its reader finds no frame after version=" + appliedVersion + ", even positioned " +
            "again: Chronicle's header or index of the newest cycle file may be damaged (its log may say \"Unexpected " +
            "field\"). Close the store, then restore the journal's newest cycle file from a backup, or move it aside and " +
            "reopen with acceptJournalLoss(true) (its versions are then a reported loss); ./engram verify checks the files");
    }

    /**
     * @return frames applied; 0 if the next frame needs a base block that is damaged (then stalled until a
     * repaired base is swapped in; the frame was not applied at all).
     */
    private int pollOrStall()
    {
        try
        {
            if (bridge != null)
            {
                final int n = bridge.poll(indexer, POLL_LIMIT);
                if (n != JournalBridgeFollower.QUEUE_SETTLED)
                {
                    return n;
                }
                followTheQueue(bridge.nextVersion());   // it holds the bridge's frames (copied) and what came after
            }
            return follower.poll(indexer, POLL_LIMIT);
        }
        catch (final CheckpointCorruptionException ex)
        {
            final long frameVersion = Math.max(appliedVersion, indexer.lastVersion()) + 1;
            if (indexer.lastVersion() > appliedVersion)
            {
                applied(indexer.lastVersion());   // the frames before it in this poll were applied
            }
            onDamagedBase.accept(ex);
            stalled = true;
            stalledReason = "version=" + frameVersion + " waits for the damaged checkpoint to be repaired: " + ex.getMessage();
            return 0;
        }
    }

    /**
     * Leave the bridge (if following it) and follow the queue from {@code fromVersion}: waits for the queue to open
     * (a {@link dev.engram.journal.JournalClosingException} if the store closes meanwhile).
     */
    private void followTheQueue(final long fromVersion)
    {
        if (bridge != null)
        {
            bridge.close();
            bridge = null;
        }
        follower = journal.newReader();
        follower.follow(fromVersion);
    }

    /**
     * @return why the applier waits (a frame needs a damaged checkpoint block), or null.
     */
    public String stalledReason()
    {
        return stalledReason;
    }

    private Overlay adopt(final StateView current)
    {
        final Overlay overlay = current.overlay();
        overlay.transferWriter();
        return overlay;
    }

    private void swap(final Rebase rebase)
    {
        // catch up to the checkpoint first, so no reader ever sees a base newer than the applied version
        while (!stalled && appliedVersion < rebase.baseVersion() && running)
        {
            final int n = pollOrStall();
            if (n > 0)
            {
                applied(indexer.lastVersion());
            }
            idle.idle(n);
        }
        final Overlay next = view.overlay().successor(Math.max(1024, view.overlay().size()));   // same memory account
        final long applied = appliedVersion;
        if (applied > rebase.baseVersion())
        {
            // the frames since the checkpoint (as many as were written while it was built) in one bulk pass,
            // partitioned by key hash like recovery's replay, rather than one random overlay miss per frame
            try (JournalReader replay = journal.newReader();
                 PartitionedTailIndexer bulk = new PartitionedTailIndexer(next, rebase.base(),
                     PartitionedTailIndexer.DEFAULT_BUFFER_BUDGET, applied - rebase.baseVersion()))
            {
                replay.replay(rebase.baseVersion() + 1, applied, bulk);
                bulk.finish();
            }
        }
        final TailIndexer nextIndexer = new TailIndexer(next, rebase.base()).onQuarantine(quarantine);
        final StateView old = view;
        view = new StateView(rebase.base(), rebase.baseVersion(), next);
        indexer = nextIndexer;
        // before a stalled applier goes on: whoever waits on an applied version after the swap sees what the swap's
        // owner notes in it (a repair)
        rebase.onSwapped().accept(old);
        if (stalled)
        {
            // the frame that needed the damaged block is in the new base if the base reaches it: go on from there
            stalled = false;
            stalledReason = null;
            if (appliedVersion < rebase.baseVersion())
            {
                applied(rebase.baseVersion());
            }
            follower.follow(appliedVersion + 1);
        }
    }
}
