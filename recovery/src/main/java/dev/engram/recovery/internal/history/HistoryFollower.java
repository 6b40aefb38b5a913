package dev.engram.recovery.internal.history;

import dev.engram.journal.Journal;
import dev.engram.journal.JournalReader;
import dev.engram.journal.ReplayResult;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The history's background thread ({@code engram-history}): follows the journal as it is written — never on the
 * append path — feeding every frame to the {@link KeyHistoryIndex} and writing a segment each
 * {@code historyIndexSegmentVersions} versions; when idle, rebuilds the versions the index lacks (segments
 * dropped as damaged or stale, or never written) from the journal, and lets {@link HistoryAnchors} build the
 * anchors that are due. A failure stops the thread and is reported; answers then scan the journal where the
 * index does not reach.
 */
final class HistoryFollower implements Runnable
{
    private final Journal journal;
    private final HistoryRetention retention;
    private final KeyHistoryIndex index;
    private final HistoryAnchors anchors;
    private final int segmentVersions;
    private final long writtenAtOpen;
    private final Consumer<String> onReport;
    private final Runnable step;
    /**
     * Parks 1 ms whenever there is nothing to read, never spins or yields: the index is read off the hot path and
     * nobody waits on it closely (a wait for it re-checks every 100 ms at most). With Agrona's back-off (spins, then
     * yields, then parks from 10 µs) the follower woke for every few frames: at 50,000 deltas/s on 2 cores it took
     * ~6 µs of CPU per delta, more than the journal thread and the applier together, and the producer lost its core
     * for milliseconds at a time (issue 18, docs/benchmarks.md).
     */
    private final IdleStrategy idle = new SleepingIdleStrategy(IDLE_PARK_NS);
    private dev.engram.journal.internal.BackgroundPacing pacing;
    static final long IDLE_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile long jumps;
    private long loops;
    private long lastAnchorCheckNs;
    private long anchorsCompleteThrough = -1;
    private String lastAnchorFailure;
    private long firstJournalCached = -1;
    private static final long ANCHOR_CHECK_NS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * Frames indexed between pauses while there is a backlog (a bulk load's frames, a catch-up after open). The
     * follower runs at a low priority, but once the kernel gives it a core it keeps it for a whole time slice
     * (0.75-3 ms): on one CPU (a container's quota, {@code taskset}) that is how long a producer spinning on the same
     * core waited, for every slice the follower took. Between chunks it yields; where the process has one CPU it also
     * sleeps briefly every ~100 µs of work, inside a chunk too ({@code BackgroundPacing}), and so do the anchor builds
     * and key index segments it writes.
     */
    static final int CHUNK_FRAMES = 64;

    HistoryFollower(final Journal journal, final HistoryRetention retention, final KeyHistoryIndex index,
        final HistoryAnchors anchors, final int segmentVersions, final Consumer<String> onReport)
    {
        this(journal, retention, index, anchors, segmentVersions, onReport, () -> { });
    }

    /**
     * @param step run before each read of the journal (a test hook).
     */
    HistoryFollower(final Journal journal, final HistoryRetention retention, final KeyHistoryIndex index,
        final HistoryAnchors anchors, final int segmentVersions, final Consumer<String> onReport, final Runnable step)
    {
        this.step = step;
        this.journal = journal;
        this.retention = retention;
        this.index = index;
        this.anchors = anchors;
        this.segmentVersions = segmentVersions;
        this.writtenAtOpen = journal.writtenVersion();
        this.onReport = onReport;
    }

    void stop()
    {
        running = false;
    }

    /**
     * @return true while the follower runs and has not failed: retention keeps the journal it has yet to read.
     */
    boolean holdsJournal()
    {
        return running && failure == null;
    }

    /**
     * A new reader following from {@code first}, the journal's first version, with the index starting there.
     */
    private JournalReader jumpTo(final long first)
    {
        final JournalReader reader = journal.newReader();
        firstJournalCached = first;
        index.retainFrom(first);
        index.startAt(first);
        reader.follow(first);
        jumps++;
        return reader;
    }

    /**
     * @return how often the follower went on from the journal's first version because retention had removed the
     *         versions it had yet to read (no history window holds the journal for it).
     */
    long jumps()
    {
        return jumps;
    }

    synchronized long anchorsCompleteThrough()
    {
        return anchorsCompleteThrough;
    }

    Throwable failure()
    {
        return failure;
    }

    @Override
    public void run()
    {
        pacing = dev.engram.journal.internal.BackgroundPacing.forThread();   // paced below NORMAL (ThreadScheduling)
        JournalReader reader = null;
        try
        {
            reader = journal.newReader();
            final long firstJournal = firstJournalVersion(reader);
            try (JournalTimestamps timestamps = new JournalTimestamps(journal))
            {
                index.load(segment -> isStale(segment, timestamps, firstJournal));
            }
            index.retainFrom(firstJournal);
            if (anchors != null)
            {
                anchors.dropStale(writtenAtOpen);
            }
            final long start = index.segments().isEmpty() ? firstJournal :
                Math.max(firstJournal, index.segments().get(index.segments().size() - 1).lastVersion() + 1);
            index.startAt(start);
            firstJournalCached = firstJournal;
            reader.follow(start);
            long trimsSeen = retention.trims();
            final java.util.concurrent.locks.Lock reading = retention.followerReadLock();
            while (running)
            {
                step.run();
                int delivered;
                reading.lock();
                try
                {
                    final long trims = retention.trims();
                    if (trims != trimsSeen)
                    {
                        // a trim removed cycle files: if the next version went with them, go on from the journal's
                        // first version without reading into the removed files
                        trimsSeen = trims;
                        final long first = firstJournalVersion(null);
                        final long next = index.indexedThrough() + 1;
                        reader.close();
                        if (first > next)
                        {
                            reader = jumpTo(first);
                            continue;
                        }
                        // its next version is still there, but the tailer may stand in a removed file: a fresh one
                        reader = journal.newReader();
                        reader.follow(next);
                    }
                    delivered = reader.poll(frame ->
                    {
                        pacing.tick();
                        if (index.add(frame))
                        {
                            index.flush();
                            firstJournalCached = firstJournalVersion(null);
                            index.retainFrom(firstJournalCached);
                        }
                    }, CHUNK_FRAMES);
                }
                catch (final RuntimeException ex)
                {
                    if (!running || journal.isClosed())
                    {
                        throw ex;
                    }
                    final long first = firstJournalVersion(null);
                    if (first <= index.indexedThrough() + 1)
                    {
                        throw ex;   // not retention: a gap or damage inside what the journal holds
                    }
                    // retention removed the versions the follower had yet to read (no history window holds the
                    // journal for it): what they changed is gone with them; go on from the journal's first version
                    reader.close();
                    reader = jumpTo(first);
                    continue;
                }
                finally
                {
                    reading.unlock();
                }
                if (delivered > 0)
                {
                    idle.reset();
                    pacing.pause();
                    // a producer that never lets the follower idle still gets its anchors, checked every 100 ms
                    final long now = System.nanoTime();
                    if (now - lastAnchorCheckNs > ANCHOR_CHECK_NS)
                    {
                        whileNoTrim(this::buildAnchorIfDue);
                    }
                    continue;
                }
                if (whileNoTrim(this::rebuildOneGap) ||
                    (System.nanoTime() - lastAnchorCheckNs > ANCHOR_CHECK_NS && whileNoTrim(this::buildAnchorIfDue)))
                {
                    idle.reset();
                    continue;
                }
                idle.idle();
                pacing.idled();
                if ((++loops & 1023) == 0)
                {
                    firstJournalCached = firstJournalVersion(null);
                    index.retainFrom(firstJournalCached);
                }
            }
        }
        catch (final dev.engram.journal.JournalClosingException ex)
        {
            // the store closes while the journal's queue still opens: nothing to index yet
        }
        catch (final Throwable ex)
        {
            if (running && !journal.isClosed())
            {
                failure = ex;
                onReport.accept("history follower stopped: " + ex + "; history(key) scans the journal where the index " +
                    "does not reach, stateAt replays from checkpoints");
            }
        }
        finally
        {
            if (reader != null)
            {
                reader.close();
            }
        }
    }

    /**
     * @return true if it built an anchor; when none was due, records that anchors are complete up to the written
     * version read before looking.
     */
    /**
     * Run {@code work} (which reads the journal through readers of its own) holding the read side of the retention's
     * lock: their reads walk the cycle files from the first, which a trim must not remove under them.
     */
    private boolean whileNoTrim(final java.util.function.BooleanSupplier work)
    {
        final java.util.concurrent.locks.Lock reading = retention.followerReadLock();
        reading.lock();
        try
        {
            return work.getAsBoolean();
        }
        finally
        {
            reading.unlock();
        }
    }

    private boolean buildAnchorIfDue()
    {
        final long written = journal.writtenVersion();
        boolean built = false;
        try
        {
            built = anchors != null && anchors.buildDue();
        }
        catch (final RuntimeException ex)
        {
            // retention moved past the version, a checkpoint turned out damaged: no anchor this time, tried again
            // at the next check (reported once per distinct failure)
            final String what = "history anchor build failed: " + ex;
            if (!what.equals(lastAnchorFailure))
            {
                lastAnchorFailure = what;
                onReport.accept(what + "; stateAt replays from the checkpoint meanwhile");
            }
        }
        lastAnchorCheckNs = built ? 0 : System.nanoTime();   // after a build, look again at once
        if (!built)
        {
            synchronized (this)
            {
                anchorsCompleteThrough = Math.max(anchorsCompleteThrough, written);
                notifyAll();
            }
        }
        return built;
    }

    /**
     * Wait until no anchor up to {@code version} is left to build (tests, the bench).
     *
     * @return false if that did not happen within the timeout.
     */
    synchronized boolean awaitAnchors(final long version, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (anchorsCompleteThrough < version)
        {
            final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (leftMs <= 0 || failure != null)
            {
                return false;
            }
            wait(Math.min(leftMs, 100));
        }
        return true;
    }

    private boolean isStale(final KeyIndexSegment segment, final JournalTimestamps timestamps,
        final long firstJournal)
    {
        if (segment.lastVersion() < firstJournal)
        {
            return false;   // obsolete, not stale: retention removes it
        }
        // versions written after the journal's end at open belong to another history (a lost tail)
        return segment.lastVersion() > writtenAtOpen ||
            (segment.firstVersion() >= firstJournal && timestamps.timestampOf(segment.firstVersion()) != segment.firstTimestamp()) ||
            timestamps.timestampOf(segment.lastVersion()) != segment.lastTimestamp();
    }

    private long firstJournalVersion(final JournalReader reader)
    {
        if (reader == null)
        {
            // a new reader walks the cycle files from the first: not while a trim removes them
            final java.util.concurrent.locks.Lock reading = retention.followerReadLock();
            reading.lock();
            try (JournalReader own = journal.newReader())
            {
                return firstJournalVersion(own);
            }
            finally
            {
                reading.unlock();
            }
        }
        final long first = reader.firstVersion();
        return first < 1 ? writtenAtOpen + 1 : first;
    }

    /**
     * Rebuild the first run of versions before the follower's start that no segment covers (at most one
     * segment's worth).
     *
     * @return true if it rebuilt something.
     */
    private boolean rebuildOneGap()
    {
        final long indexed = index.indexedThrough();
        // the journal's first version as last read (refreshed every 1,024 idle loops): a gap below the real one
        // is found empty by the pinned read below
        final long gap = index.firstGap(firstJournalCached, indexed);
        if (gap < 0)
        {
            return false;
        }
        final long end = Math.min(gap + segmentVersions - 1, index.nextCovered(gap) - 1);
        final HistoryRetention.Pin pin = retention.pinJournal(gap);
        try (JournalReader reader = journal.newReader())
        {
            final long from = pin.journalFromVersion();
            if (from > end)
            {
                return false;
            }
            final KeyRun changes = new KeyRun();
            final long[] timestamps = {-1, -1};
            final ReplayResult result = reader.replay(from, end, frame ->
            {
                while (frame.nextOp())
                {
                    changes.add(frame.buffer(), frame.keyOffset(), frame.keyLength(), frame.version(),
                        frame.timestampEpochNs(), frame.opType().code());
                }
                if (timestamps[0] < 0)
                {
                    timestamps[0] = frame.timestampEpochNs();
                }
                timestamps[1] = frame.timestampEpochNs();
            });
            if (result.firstVersion() != from || result.lastVersion() != end)
            {
                throw new IllegalStateException("key index rebuild read [" + result.firstVersion() + ", " +
                    result.lastVersion() + "] instead of [" + from + ", " + end + "]: " + result);
            }
            index.publishRebuilt(from, end, timestamps[0], timestamps[1], changes);
            return true;
        }
        finally
        {
            retention.unpin(pin);
        }
    }
}
