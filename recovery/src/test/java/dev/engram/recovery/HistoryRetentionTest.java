package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import dev.engram.recovery.internal.checkpoint.CheckpointFileChecks;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.engram.recovery.HistoryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Retention of history: what a window by versions or by time keeps, that the oldest kept version is served
 * and the one before it is a clear error, that open snapshots and recovery's fallback keep what they need,
 * and stateAt while the live store appends, checkpoints and removes old files.
 * <p>
 * The journal rolls a cycle file every 250 versions (a test roll cycle of one second on a clock the test
 * moves), so retention can remove whole cycles. Checkpoints every 500 versions with chains of at most 3
 * files give the chains {500, 1000, 1500}, {2000, 2500, 3000}, {3500, 4000, 4500}, {5000, 5500, 6000}.
 */
class HistoryRetentionTest
{
    private static final int PER_CYCLE = 250;
    private static final int CHECKPOINT_EVERY = 500;

    @TempDir
    Path dir;

    private final AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
    private final SeededWorkload workload = new SeededWorkload(23, 2048);

    private StateContext ctx()
    {
        return new StateContext().directory(dir).background(false).snapshotIndex(false).maxChainLength(3)
            .deltaChangedKeysRatio(10).maxChainSizeRatio(100).checkpointIntervalMs(0).keepOlderChains(0)
            .journal(new JournalContext().rollCycle(TestRollCycles.TEST_SECONDLY).epochMsClock(clockMs::get));
    }

    /**
     * Append (from, to], a cycle file per 250 versions, a checkpoint per 500.
     */
    private void fill(final StateStore store, final long from, final long to)
    {
        for (long v = from + 1; v <= to; v += PER_CYCLE)
        {
            final long end = v + PER_CYCLE - 1;
            append(store, workload, v, end);
            assertTrue(store.journal().awaitWritten(end, 60, TimeUnit.SECONDS));
            clockMs.addAndGet(1000);
            if (end % CHECKPOINT_EVERY == 0)
            {
                assertEquals(end, store.checkpoint().stateVersion());
            }
        }
    }

    private Set<Long> checkpointVersions()
    {
        final Set<Long> versions = new TreeSet<>();
        for (final Path file : CheckpointFiles.listCheckpoints(dir.resolve("checkpoints")))
        {
            versions.add(CheckpointFileChecks.readInfo(file).stateVersion());
        }
        return versions;
    }

    private static void assertUnavailable(final StateStore store, final long version, final HistoryRange range)
    {
        final VersionUnavailableException ex = assertThrows(VersionUnavailableException.class, () -> store.stateAt(version));
        assertTrue(ex.getMessage().contains("version=" + version + " is not available") &&
            ex.getMessage().contains(range.describe()), ex.getMessage());
        assertEquals(version, ex.requestedVersion());
        assertEquals(range, ex.range());
    }

    @Test
    void shouldKeepTheWindowByVersionsServeItsOldestVersionAndRefuseTheOneBefore()
    {
        try (StateStore store = StateStore.open(ctx().historyVersions(2000)))
        {
            fill(store, 0, 6000);
            // window start 6000 - 2000 = 4000: its chain {3500, 4000, 4500} and the journal after 4000 stay
            assertEquals(Set.of(3500L, 4000L, 4500L, 5000L, 5500L, 6000L), checkpointVersions());
            final HistoryRange range = store.historyRange();
            assertEquals(new HistoryRange(4000, 6000, 4001), range);
            try (StateSnapshot oldest = store.stateAt(4000))
            {
                assertEquals(4000, oldest.baseVersion());
                assertEquals(0, oldest.framesReplayed());
                assertEquals(-1, oldest.timestampEpochNs(), "frame 4000 is gone with its cycle");
                assertSnapshotEquals(oldest, workload.model(4000), "oldest kept version");
            }
            assertUnavailable(store, 3999, range);
            assertUnavailable(store, 6001, range);
            try (StateSnapshot inside = store.stateAt(4999))
            {
                assertEquals(4500, inside.baseVersion(), "the nearest kept checkpoint at or before it");
                assertEquals(499, inside.framesReplayed());
                assertSnapshotEquals(inside, workload.model(4999), "inside the window");
            }
            assertEquals(4001, store.history("population/1").fromVersion(), "history covers the journal kept");
            assertThrows(VersionUnavailableException.class, () -> store.diff(3999, 5000));
        }
        try (StateStore store = StateStore.open(ctx().historyVersions(2000)))
        {
            assertEquals(new HistoryRange(4000, 6000, 4001), store.historyRange(), "the same after a reopen");
            StateStoreTest.assertState(store, workload.model(6000), "reopened");
        }
    }

    @Test
    void shouldKeepTheWindowByTimeFromFrameTimestamps()
    {
        final AtomicLong nowNs = new AtomicLong(0);   // 1970: every frame is inside the window while filling
        try (StateStore store = StateStore.open(ctx().historyDurationMs(1000).historyEpochNsClock(nowNs::get)))
        {
            fill(store, 0, 6000);
            assertEquals(new HistoryRange(0, 6000, 1), store.historyRange(), "nothing removed yet");
            final long[] timestamps = timestamps(store.journal(), 6000);
            final int k = 3210;
            nowNs.set(timestamps[k] + 1_000_000_000L);
            long windowStart = k;
            while (windowStart < 6000 && timestamps[(int)windowStart + 1] <= timestamps[k])
            {
                windowStart++;
            }
            assertTrue(windowStart < 3500, "frames 3210..3500 were not all stamped in the same nanosecond");
            fill(store, 6000, 6500);
            // window start is 3210 (the last version stamped at or before now - 1 s): base 3000 and the journal after it
            assertEquals(new HistoryRange(3000, 6500, 3001), store.historyRange());
            try (StateSnapshot snapshot = store.stateAt(java.time.Instant.ofEpochSecond(0, timestamps[k])))
            {
                assertEquals(windowStart, snapshot.version());
                assertEquals(3000, snapshot.baseVersion());
                assertSnapshotEquals(snapshot, workload.model(windowStart), "window start by time");
            }
            assertUnavailable(store, 2999, store.historyRange());
            final VersionUnavailableException tooOld = assertThrows(VersionUnavailableException.class,
                () -> store.stateAt(java.time.Instant.ofEpochSecond(0, timestamps[1000])));
            assertTrue(tooOld.getMessage().contains("precedes the oldest delta in the journal (version=3001"),
                tooOld.getMessage());
        }
    }

    @Test
    void shouldKeepWhatAnOpenSnapshotUsesUntilItIsClosed()
    {
        try (StateStore store = StateStore.open(ctx().historyVersions(100)))
        {
            fill(store, 0, 1000);
            final StateSnapshot pinned = store.stateAt(600);
            assertEquals(500, pinned.baseVersion());
            fill(store, 1000, 3000);
            // the window alone would keep only from 2500 on
            assertTrue(checkpointVersions().containsAll(Set.of(500L, 1000L, 1500L)), "the snapshot's chain is kept");
            assertEquals(new HistoryRange(500, 3000, 501), store.historyRange());
            assertSnapshotEquals(pinned, workload.model(600), "pinned while retention ran");
            try (StateSnapshot alsoOld = store.stateAt(550))
            {
                assertSnapshotEquals(alsoOld, workload.model(550), "inside what the pin keeps");
            }
            pinned.close();
            fill(store, 3000, 3500);
            assertFalse(checkpointVersions().contains(500L), "released with the snapshot");
            final HistoryRange range = store.historyRange();
            assertEquals(new HistoryRange(3000, 3500, 3001), range);
            assertUnavailable(store, 600, range);
            assertEquals(0, store.versionHistory().retention().pinCount());
        }
    }

    @Test
    void shouldKeepTheJournalAfterRecoverysFallbackChainWithTheDefaultWindow() throws IOException
    {
        try (StateStore store = StateStore.open(ctx().keepOlderChains(1)))
        {
            assertEquals(0, store.versionHistory().retention().windowStart(), "defaults: no window");
            fill(store, 0, 6000);
            assertEquals(Set.of(3500L, 4000L, 4500L, 5000L, 5500L, 6000L), checkpointVersions());
            // recovery's own retention: the fallback chain ends at 4500, so the journal is kept from 4501
            assertEquals(new HistoryRange(4500, 6000, 4501), store.historyRange());
        }
        // damage the newest chain's base (5000): every head of that chain fails, so recovery falls back to the
        // chain ending at 4500 and replays the journal after it
        Path newestBase = null;
        for (final Path file : CheckpointFiles.listCheckpoints(dir.resolve("checkpoints")))
        {
            if (CheckpointFileChecks.readInfo(file).stateVersion() == 5000)
            {
                newestBase = file;
            }
        }
        try (RandomAccessFile file = new RandomAccessFile(newestBase.toFile(), "rw"))
        {
            file.seek(20);
            final int b = file.read();
            file.seek(20);
            file.write(b ^ 0x10);
        }
        try (StateStore store = StateStore.open(ctx().keepOlderChains(1)))
        {
            assertEquals(4500, store.recoveryReport().checkpointVersion(), store.recoveryReport().describe());
            StateStoreTest.assertState(store, workload.model(6000), "fallback after retention");
        }
    }

    @Test
    void shouldDropTheFallbackChainAndItsJournalOnceTheyPassTheJournalBudget()
    {
        // the journal between the fallback's head (4500) and the newest head (6000) is ~1,500 frames: over a 64 KiB budget
        try (StateStore store = StateStore.open(ctx().keepOlderChains(1).olderChainJournalBudget(1e-9, 64 * 1024)))
        {
            fill(store, 0, 6000);
            assertEquals(Set.of(5000L, 5500L, 6000L), checkpointVersions(), "the fallback chain (3500..4500) is gone");
            final HistoryRange range = store.historyRange();
            assertTrue(range.firstJournalVersion() > 4501 && range.firstJournalVersion() <= 6001,
                "the journal it needed went with it: " + range);
        }
        try (StateStore store = StateStore.open(ctx().keepOlderChains(1).olderChainJournalBudget(1e-9, 64 * 1024)))
        {
            assertEquals(6000, store.recoveryReport().checkpointVersion(), store.recoveryReport().describe());
            StateStoreTest.assertState(store, workload.model(6000), "the newest chain alone");
        }
    }

    @Test
    void shouldRefuseABadOlderChainJournalBudget()
    {
        assertThrows(IllegalArgumentException.class, () -> StateStore.open(ctx().olderChainJournalBudget(-1, 0)).close());
        assertThrows(IllegalArgumentException.class, () -> StateStore.open(ctx().olderChainJournalBudget(1, -1)).close());
    }

    @Test
    void shouldServeStateAtWhileTheLiveStoreAppendsCheckpointsAndRemovesOldFiles() throws Exception
    {
        final long seed = seed("stateAt while live");
        final SplittableRandom random = new SplittableRandom(seed);
        final long last = 16_000;
        final StateContext ctx = ctx().background(true).checkpointEveryFrames(500).historyVersions(3000);
        try (StateStore store = StateStore.open(ctx))
        {
            append(store, workload, 1, 1500);
            final StateSnapshot early = store.stateAt(1200);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread producer = new Thread(() ->
            {
                try
                {
                    final Journal journal = store.journal();
                    final Delta delta = journal.newDelta();
                    for (long v = 1501; v <= last; v++)
                    {
                        journal.append(workload.fill(v, delta));
                        if (v % 500 == 0)
                        {
                            journal.awaitWritten(v, 10, TimeUnit.SECONDS);
                            clockMs.addAndGet(1000);   // next cycle file
                        }
                        if (v % 8 == 0)
                        {
                            // pacing, not synchronisation: leaves the checkpointer CPU so retention runs meanwhile
                            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }, "history-test-producer");
            producer.start();
            int served = 0;
            int refused = 0;
            final List<Long> versions = new ArrayList<>();
            while (producer.isAlive() || served < 10)
            {
                final HistoryRange range = store.historyRange();
                final long version = range.oldestVersion() + random.nextLong(range.newestVersion() - range.oldestVersion() + 1);
                try (StateSnapshot snapshot = store.stateAt(version))
                {
                    assertSnapshotEquals(snapshot, workload.model(version), "seed=" + seed + " live version=" + version);
                    served++;
                    versions.add(version);
                }
                catch (final VersionUnavailableException ex)
                {
                    // retention moved past it between historyRange() and stateAt(): the error must say so
                    assertTrue(ex.getMessage().contains("version=" + version), ex.getMessage());
                    refused++;
                }
            }
            producer.join();
            assertNull(failure.get(), () -> String.valueOf(failure.get()));
            assertTrue(store.awaitApplied(last, 30, TimeUnit.SECONDS));
            assertSnapshotEquals(early, workload.model(1200), "held open through the whole run");
            early.close();
            // retention runs after a checkpoint: one more, now that the early snapshot's pin is gone
            append(store, workload, last + 1, last + 10);
            assertEquals(last + 10, store.checkpoint().stateVersion());
            final HistoryRange range = store.historyRange();
            assertTrue(range.firstJournalVersion() > 1 && range.oldestVersion() > 1200, "old files were removed: " + range);
            assertTrue(range.oldestVersion() <= last + 10 - 3000, "the window is kept: " + range);
            try (StateSnapshot oldest = store.stateAt(range.oldestVersion()))
            {
                assertSnapshotEquals(oldest, workload.model(range.oldestVersion()), "oldest after the run");
            }
            assertUnavailable(store, range.oldestVersion() - 1, range);
            assertTrue(store.checkpointCount() >= 8, "checkpoints while reading: " + store.checkpointCount());
            System.out.println("stateAt while live: served=" + served + " refused=" + refused + " checkpoints=" +
                store.checkpointCount() + " range=" + range.describe() + " versions=" + versions);
        }
    }
}
