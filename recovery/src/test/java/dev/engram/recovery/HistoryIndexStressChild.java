package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.engram.recovery.HistoryTestSupport.*;

/**
 * The child JVM of {@link HistoryIndexStressTest}: the history follower indexing and building anchors while a
 * producer appends 12,000 versions, the background checkpointer checkpoints every 500, retention keeps a window of
 * 2,000 versions (removing chains, journal cycles, index segments and anchor folders), and two readers ask
 * {@code history(key)} and {@code stateAt(v)} at random, each answer compared with the seeded model. Args:
 * {@code DIR SEED}. Prints {@code ok histories=<n> states=<n> refused=<n>}; any wrong answer or failure exits non-zero.
 */
public final class HistoryIndexStressChild
{
    private static final long LAST = 12_000;
    private static final long ANCHOR_EVERY = 100;

    private HistoryIndexStressChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final long seed = Long.parseLong(args[1]);
        final SeededWorkload workload = new SeededWorkload(seed, 1024);
        final AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
        final StateContext ctx = new StateContext().directory(dir).snapshotIndex(false).maxChainLength(3)
            .deltaChangedKeysRatio(10).maxChainSizeRatio(100).checkpointIntervalMs(0).keepOlderChains(0)
            .checkpointEveryFrames(500).historyVersions(2000).historyIndexSegmentVersions(64)
            .historyAnchorEveryFrames(ANCHOR_EVERY)
            .journal(new JournalContext().rollCycle(TestRollCycles.TEST_SECONDLY).epochMsClock(clockMs::get));
        final Map<String, List<ExpectedChange>> expected = expectedChanges(workload, 1, LAST);
        final String[] keys = SeededWorkload.keyUniverse();
        try (StateStore store = StateStore.open(ctx))
        {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread producer = new Thread(() ->
            {
                try
                {
                    final Journal journal = store.journal();
                    final Delta delta = journal.newDelta();
                    for (long v = 1; v <= LAST; v++)
                    {
                        journal.append(workload.fill(v, delta));
                        if (v % 500 == 0)
                        {
                            journal.awaitWritten(v, 60, TimeUnit.SECONDS);
                            clockMs.addAndGet(1000);   // next cycle file
                        }
                        if (v % 8 == 0)
                        {
                            // pacing, not synchronisation: leaves the other threads CPU so retention runs meanwhile
                            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }, "stress-producer");
            final long[] histories = {0};
            final Thread historyReader = new Thread(() ->
            {
                try
                {
                    final SplittableRandom random = new SplittableRandom(seed * 3);
                    while (producer.isAlive() && failure.get() == null)
                    {
                        final String key = keys[random.nextInt(keys.length)];
                        final KeyHistory history = store.history(key);
                        final List<Long> want = expected.getOrDefault(key, List.of()).stream().map(ExpectedChange::version)
                            .filter(v -> v >= history.fromVersion() && v <= history.toVersion()).toList();
                        final List<Long> got = history.changes().stream().map(KeyHistory.Change::version).toList();
                        if (!want.equals(got))
                        {
                            throw new AssertionError("history(" + key + ") [" + history.fromVersion() + ", " +
                                history.toVersion() + "]: expected " + want + " got " + got);
                        }
                        histories[0]++;
                    }
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            }, "stress-history");
            producer.start();
            historyReader.start();
            final SplittableRandom random = new SplittableRandom(seed);
            long states = 0;
            long refused = 0;
            while (producer.isAlive() && failure.get() == null)
            {
                final HistoryRange range = store.historyRange();
                final long version = range.oldestVersion() + random.nextLong(range.newestVersion() - range.oldestVersion() + 1);
                try (StateSnapshot snapshot = store.stateAt(version))
                {
                    assertSnapshotEquals(snapshot, workload.model(version), "seed=" + seed + " version=" + version);
                    states++;
                }
                catch (final VersionUnavailableException ex)
                {
                    refused++;   // retention moved past it between historyRange() and stateAt()
                }
            }
            producer.join();
            historyReader.join();
            if (failure.get() != null)
            {
                throw new AssertionError("seed=" + seed, failure.get());
            }
            // caught up: every answer from the index, every state within an anchor interval of its base
            // a condition with a generous bound: the follower competes for 2 cores with everything else on a loaded machine
            if (!store.awaitApplied(LAST, 300, TimeUnit.SECONDS))
            {
                throw new AssertionError("not applied: " + store.appliedVersion());
            }
            if (!store.awaitHistoryIndexed(LAST, 300, TimeUnit.SECONDS))
            {
                throw new AssertionError("not indexed: " + store.versionHistory().describeFollower());
            }
            final long scanned = store.versionHistory().historyFramesScanned();
            for (final String key : keys)
            {
                final KeyHistory history = store.history(key);
                final List<Long> want = expected.getOrDefault(key, List.of()).stream().map(ExpectedChange::version)
                    .filter(v -> v >= history.fromVersion() && v <= history.toVersion()).toList();
                if (!want.equals(history.changes().stream().map(KeyHistory.Change::version).toList()))
                {
                    throw new AssertionError("after the run: history(" + key + ") differs");
                }
            }
            if (store.versionHistory().historyFramesScanned() != scanned)
            {
                throw new AssertionError("after catching up, history(key) still scanned the journal");
            }
            final HistoryRange range = store.historyRange();
            for (int i = 0; i < 20; i++)
            {
                final long version = range.oldestVersion() + random.nextLong(range.newestVersion() - range.oldestVersion() + 1);
                try (StateSnapshot snapshot = store.stateAt(version))
                {
                    assertSnapshotEquals(snapshot, workload.model(version), "after the run, version=" + version);
                    if (snapshot.framesReplayed() >= ANCHOR_EVERY)
                    {
                        throw new AssertionError("version=" + version + " replayed " + snapshot.framesReplayed() +
                            " frames from base version=" + snapshot.baseVersion());
                    }
                }
            }
            if (store.versionHistory().historyFollowerFailure() != null)
            {
                throw new AssertionError("follower failed", store.versionHistory().historyFollowerFailure());
            }
            System.out.println("ok histories=" + histories[0] + " states=" + states + " refused=" + refused +
                " range=" + range.describe());
        }
    }
}
