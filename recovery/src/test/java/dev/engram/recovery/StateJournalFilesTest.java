package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import dev.engram.journal.JournalException;
import dev.engram.recovery.internal.procedure.CleanShutdownRecord;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Files in the journal directory that are not this journal's cycle files (issue 12, "messages that mislead or name
 * nothing"): a journal written with another roll cycle, with or without its manifest (before, without one: {@code
 * journal cycle file missing ... (removed by retention?)} for a file that exists), and a file named like a cycle
 * file that is not one ({@code garbage.cq4}: before, {@code RuntimeException: Unable to parse garbage} with no path,
 * and the failed open had deleted a checkpoint's temp file and the clean-shutdown marker, or moved the file aside as
 * {@code .discard}, where retention deleted it later). Each open is refused before anything changes, naming the file
 * and the next step, on both recovery paths, and leaves the directory byte for byte as it was; once the cause is
 * gone the store opens as before.
 */
class StateJournalFilesTest
{
    private static final long LAST = 600;

    @TempDir
    Path root;
    private Path dir;
    private final AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);
    private final SeededWorkload workload = new SeededWorkload(12, 2048);

    private StateContext ctx(final net.openhft.chronicle.queue.RollCycle rollCycle)
    {
        return new StateContext().directory(dir).background(false).snapshotIndex(false).checkpointIntervalMs(0)
            .historyVersions(1_000_000).journal(new JournalContext().rollCycle(rollCycle).epochMsClock(clockMs::get));
    }

    /** Three cycles of 200 versions, a checkpoint after the first, a clean close. */
    private void build()
    {
        dir = root.resolve("state");
        try (StateStore store = StateStore.open(ctx(TestRollCycles.TEST_SECONDLY)))
        {
            final Journal journal = store.journal();
            final Delta delta = journal.newDelta();
            for (long v = 1; v <= LAST; v++)
            {
                assertEquals(v, journal.append(workload.fill(v, delta)));
                if (v % 200 == 0)
                {
                    assertTrue(journal.awaitWritten(v, 30, TimeUnit.SECONDS));
                    if (v == 200)
                    {
                        store.checkpoint();
                    }
                    clockMs.addAndGet(1000);
                }
            }
        }
    }

    /** Every file under the state directory (lock files included) with its length and content hash. */
    static Map<String, String> snapshot(final Path dir) throws IOException
    {
        final Map<String, String> files = new TreeMap<>();
        try (var walk = Files.walk(dir))
        {
            for (final Path file : walk.toList())
            {
                files.put(dir.relativize(file).toString(), Files.isDirectory(file) ? "dir" :
                    Files.size(file) + ":" + Arrays.hashCode(Files.readAllBytes(file)));
            }
        }
        return files;
    }

    private void assertRefusedUnchanged(final StateContext ctx, final String... expected) throws IOException
    {
        final Map<String, String> before = snapshot(dir);
        final RuntimeException ex = assertThrows(RuntimeException.class, () -> StateStore.open(ctx).close());
        for (final String part : expected)
        {
            assertTrue(ex.getMessage().contains(part), () -> "the message names " + part + ": " + ex.getMessage());
        }
        assertFalse(ex.getMessage().contains("Unable to parse") || ex.getMessage().contains("removed by retention"),
            ex.getMessage());
        assertEquals(before, snapshot(dir), "a refused open leaves the directory byte for byte as it was");
    }

    @ParameterizedTest(name = "fastRecovery={0}")
    @ValueSource(booleans = {true, false})
    void shouldRefuseAJournalOfAnotherRollCycleNamingIt(final boolean fastRecovery) throws IOException
    {
        build();
        final Path journalDir = dir.resolve("journal");
        final Path manifest = journalDir.resolve("engram-journal.manifest");
        // with its manifest: the manifest's roll cycle length says it
        assertRefusedUnchanged(ctx(RollCycles.FAST_HOURLY).fastRecovery(fastRecovery), "roll cycle", "FAST_HOURLY",
            "open it with the roll cycle it was written with");
        // without (a journal from before manifests): the cycle files' names say it
        Files.delete(manifest);
        final String newest;
        try (var files = Files.list(journalDir))
        {
            newest = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")).sorted()
                .reduce((a, b) -> b).orElseThrow();
        }
        assertRefusedUnchanged(ctx(RollCycles.FAST_HOURLY).fastRecovery(fastRecovery), journalDir.toString(),
            "named for rollCycle=TEST_SECONDLY", "opened with rollCycle=FAST_HOURLY", "JournalContext.rollCycle");
        assertFalse(newest.isEmpty());
        try (StateStore store = StateStore.open(ctx(TestRollCycles.TEST_SECONDLY).fastRecovery(fastRecovery)))
        {
            assertEquals(LAST, store.recoveryReport().recoveredVersion(), store.recoveryReport().describe());
            StateStoreTest.assertState(store, workload.model(LAST), "opened with its own roll cycle");
        }
    }

    @ParameterizedTest(name = "content={0}")
    @ValueSource(strings = {"zeros", "a cycle file's copy", "empty"})
    void shouldRefuseAForeignFileNamedLikeACycleFileChangingNothing(final String content) throws IOException
    {
        build();
        final Path journalDir = dir.resolve("journal");
        final Path garbage = journalDir.resolve("garbage.cq4");
        final List<Path> cycles;
        try (var files = Files.list(journalDir))
        {
            cycles = files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
        switch (content)
        {
            case "zeros" -> Files.write(garbage, new byte[4096]);
            case "empty" -> Files.write(garbage, new byte[0]);
            default -> Files.copy(cycles.get(0), garbage);
        }
        // what a failed open used to remove: a checkpoint's temp file and the clean-shutdown marker
        final Path temp = dir.resolve("checkpoints").resolve("ckpt-0000000000000099.ckp.tmp");
        Files.write(temp, new byte[] {1, 2, 3});
        assertTrue(Files.exists(dir.resolve(CleanShutdownRecord.FILE_NAME)));
        for (final boolean fastRecovery : new boolean[] {true, false})
        {
            assertRefusedUnchanged(ctx(TestRollCycles.TEST_SECONDLY).fastRecovery(fastRecovery), garbage.toString(),
                "is not one of rollCycle=TEST_SECONDLY", "move it out of the journal directory");
        }
        // journal on its own: the same refusal
        final Map<String, String> before = snapshot(dir);
        final JournalException ex = assertThrows(JournalException.class, () -> Journal.open(
            new JournalContext().directory(journalDir).rollCycle(TestRollCycles.TEST_SECONDLY).epochMsClock(clockMs::get)).close());
        assertTrue(ex.getMessage().contains(garbage.toString()), ex.getMessage());
        assertEquals(before, snapshot(dir));

        Files.move(garbage, root.resolve("garbage.cq4"));
        try (StateStore store = StateStore.open(ctx(TestRollCycles.TEST_SECONDLY)))
        {
            final RecoveryReport report = store.recoveryReport();
            assertTrue(report.cleanShutdown(), report.describe());
            assertEquals(LAST, report.recoveredVersion(), report.describe());
            assertTrue(report.describe().contains(temp.getFileName().toString()), report.describe());
            StateStoreTest.assertState(store, workload.model(LAST), "opened once the foreign file is gone");
        }
        assertFalse(Files.exists(temp), "an open that succeeds removes the temp file");
    }

    /**
     * A bit flipped in Chronicle's {@code metadata.cq4t} (issue 12, "Ready, then broken"): before, the open failed with
     * {@code Unable to claim exclusive lock} or returned ready and then every append failed with {@code Can't append to
     * a read-only chronicle} ({@code Can't find an appropriate RollCycles} with no file named, in the run). The
     * metadata holds nothing the cycle files and the manifest do not, so the journal rebuilds it, keeps the damaged
     * file as {@code metadata.cq4t.damaged}, and the store opens on both paths, appends and reopens.
     */
    @ParameterizedTest(name = "byte {0}")
    @ValueSource(ints = {8, 40, 100})
    void shouldRebuildADamagedChronicleMetadataFileAndGoOn(final int offset) throws IOException
    {
        build();
        final Path metadata = dir.resolve("journal").resolve("metadata.cq4t");
        final byte[] bytes = Files.readAllBytes(metadata);
        bytes[offset] ^= 0x10;
        Files.write(metadata, bytes);
        long last = LAST;
        for (final boolean fastRecovery : new boolean[] {true, false})
        {
            try (StateStore store = StateStore.open(ctx(TestRollCycles.TEST_SECONDLY).fastRecovery(fastRecovery)))
            {
                assertEquals(last, store.recoveryReport().recoveredVersion(), store.recoveryReport().describe());
                final Journal journal = store.journal();
                final Delta delta = journal.newDelta();
                for (int i = 0; i < 5; i++)
                {
                    last = journal.append(workload.fill(last + 1, delta));
                }
                assertTrue(store.awaitApplied(last, 60, TimeUnit.SECONDS), "appends go on after the open");
                StateStoreTest.assertState(store, workload.model(last), "after the rebuilt metadata");
                if (!fastRecovery)
                {
                    assertNull(journal.openReport().metadataRebuilt(), "rebuilt once, by the first open");
                }
            }
            assertTrue(Files.exists(metadata.resolveSibling("metadata.cq4t.damaged")), "the damaged file is kept aside");
            assertArrayEquals(bytes, Files.readAllBytes(metadata.resolveSibling("metadata.cq4t.damaged")));
        }
    }

    @org.junit.jupiter.api.Test
    void shouldSayWhenTheJournalRebuiltItsMetadata() throws IOException
    {
        build();
        final Path journalDir = dir.resolve("journal");
        final Path metadata = journalDir.resolve("metadata.cq4t");
        final byte[] bytes = Files.readAllBytes(metadata);
        bytes[40] ^= 0x10;
        Files.write(metadata, bytes);
        try (Journal journal = Journal.open(new JournalContext().directory(journalDir).rollCycle(TestRollCycles.TEST_SECONDLY)
            .epochMsClock(clockMs::get)))
        {
            final String rebuilt = journal.openReport().metadataRebuilt();
            assertNotNull(rebuilt);
            assertTrue(rebuilt.contains(metadata.toString()) && rebuilt.contains("metadata.cq4t.damaged"), rebuilt);
            assertEquals(LAST, journal.openReport().lastVersion());
            final long v = journal.append(workload.fill(LAST + 1, journal.newDelta()));
            assertTrue(journal.awaitWritten(v, 60, TimeUnit.SECONDS));
        }
    }
}
