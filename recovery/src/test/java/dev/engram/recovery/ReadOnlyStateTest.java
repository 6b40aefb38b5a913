package dev.engram.recovery;

import dev.engram.journal.JournalContext;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static dev.engram.recovery.HistoryTestSupport.append;
import static dev.engram.recovery.HistoryTestSupport.assertSnapshotEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ReadOnlyState} against the store itself, on a journal of many cycle files that retention has cut at the
 * front (a cycle file per 250 versions on a test roll cycle and a clock the test moves; checkpoints every 500, chains of
 * at most 3, a history window of 2,000 versions): the same history window, the same states as the seeded model at
 * versions inside it (from a chain's head and from a delta inside a chain), nothing found wrong, and no file changed.
 */
class ReadOnlyStateTest
{
    private static final int PER_CYCLE = 250;

    @TempDir
    Path dir;

    private final AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
    private final SeededWorkload workload = new SeededWorkload(31, 2048);

    private StateContext ctx()
    {
        return new StateContext().directory(dir).background(false).snapshotIndex(false).maxChainLength(3)
            .deltaChangedKeysRatio(10).maxChainSizeRatio(100).checkpointIntervalMs(0).keepOlderChains(0)
            .historyVersions(2000)
            .journal(new JournalContext().rollCycle(TestRollCycles.TEST_SECONDLY).epochMsClock(clockMs::get));
    }

    @Test
    void shouldSeeWhatTheStoreSeesAcrossCycleFilesAndChainsWithoutChangingAFile() throws Exception
    {
        final HistoryRange storeRange;
        try (StateStore store = StateStore.open(ctx()))
        {
            for (long v = 1; v <= 6000; v += PER_CYCLE)
            {
                final long end = v + PER_CYCLE - 1;
                append(store, workload, v, end);
                assertTrue(store.journal().awaitWritten(end, 60, TimeUnit.SECONDS));
                clockMs.addAndGet(1000);
                if (end % 500 == 0)
                {
                    assertEquals(end, store.checkpoint().stateVersion());
                }
            }
            append(store, workload, 6001, 6100);   // a tail after the newest checkpoint
            storeRange = store.historyRange();
        }
        final List<String> before = fingerprint();
        try (ReadOnlyState state = ReadOnlyState.open(dir))
        {
            assertEquals("TEST_SECONDLY", state.rollCycle());
            final ReadOnlyState.JournalSummary journal = state.journal(ReadOnlyState.Progress.NONE);
            assertEquals(storeRange.firstJournalVersion(), journal.firstVersion());
            assertEquals(6100, journal.lastVersion());
            assertTrue(journal.cycles().size() > 5, journal.cycles()::toString);
            assertEquals(new HistoryRange(storeRange.oldestVersion(), 6100, storeRange.firstJournalVersion()), state.historyRange());
            for (final long version : new long[] {storeRange.oldestVersion(), 4999, 5500, 6000, 6100})
            {
                try (StateSnapshot snapshot = state.stateAt(version))
                {
                    assertEquals(version, snapshot.version());
                    assertSnapshotEquals(snapshot, workload.model(version), "read-only at " + version);
                }
            }
            assertThrows(VersionUnavailableException.class, () -> state.stateAt(storeRange.oldestVersion() - 1));
            assertThrows(VersionUnavailableException.class, () -> state.stateAt(6101));
            final ReadOnlyState.VerifyReport report = state.verify(ReadOnlyState.Progress.NONE);
            assertEquals(List.of(), report.damage());
            assertEquals(6100 - storeRange.firstJournalVersion() + 1, report.journalFrames());
            assertEquals(storeRange.firstJournalVersion(), state.history("population/1").fromVersion());
        }
        assertEquals(before, fingerprint(), "read-only access changed the directory");
    }

    private List<String> fingerprint() throws Exception
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            return files.map(file ->
            {
                try
                {
                    return dir.relativize(file) + " " + Files.getLastModifiedTime(file) +
                        (Files.isRegularFile(file) ? " " + Files.size(file) + " " + java.util.Arrays.hashCode(Files.readAllBytes(file)) : "");
                }
                catch (final java.io.IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
            }).sorted().toList();
        }
    }
}
