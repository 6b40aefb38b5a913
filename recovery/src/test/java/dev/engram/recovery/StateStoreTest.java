package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.recovery.internal.chain.CheckpointCatalog;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class StateStoreTest
{
    @TempDir
    Path dir;

    private final SeededWorkload workload = new SeededWorkload(42, 64 * 1024);

    private StateContext ctx(final boolean compress)
    {
        return new StateContext().directory(dir).checkpointEveryFrames(1500).maxChainLength(3).compress(compress)
            .checkpointIntervalMs(0).deltaChangedKeysRatio(10).maxChainSizeRatio(100);
    }

    private long append(final StateStore store, final long from, final long to)
    {
        final Journal journal = store.journal();
        final Delta delta = journal.newDelta();
        long version = 0;
        for (long v = from; v <= to; v++)
        {
            version = journal.append(workload.fill(v, delta));
            assertEquals(v, version);
        }
        return version;
    }

    static void assertState(final StateStore store, final Map<String, byte[]> model, final String when)
    {
        try (StateReader reader = store.newReader())
        {
            for (final String key : SeededWorkload.keyUniverse())
            {
                assertArrayEquals(model.get(key), reader.get(key), () -> when + ": key=" + key);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldEqualTheModelBeforeAndAfterReopenWithCheckpointChains(final boolean compress)
    {
        final long last;
        try (StateStore store = StateStore.open(ctx(compress)))
        {
            assertFalse(store.recoveryReport().cleanShutdown());
            long round = 0;
            for (int r = 1; r <= 8; r++)
            {
                round = append(store, round + 1, r * 1500L);
                final long target = round;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (store.checkpointVersion() < target && System.nanoTime() < deadline)
                {
                    Thread.onSpinWait();
                }
                assertEquals(target, store.checkpointVersion(), "background checkpoint after round " + r);
            }
            last = append(store, round + 1, round + 700);
            assertTrue(store.awaitApplied(last, 30, TimeUnit.SECONDS));
            assertState(store, workload.model(last), "live");
            assertTrue(store.checkpointCount() >= 8, "checkpoints: " + store.checkpointCount());
            assertTrue(store.deltaCheckpointCount() >= 3, "delta checkpoints: " + store.deltaCheckpointCount());
            assertTrue(store.checkpointCount() - store.deltaCheckpointCount() >= 3, "consolidations into full checkpoints");
        }
        try (StateStore store = StateStore.open(ctx(compress)))
        {
            final RecoveryReport report = store.recoveryReport();
            assertTrue(report.cleanShutdown(), report.describe());
            assertTrue(report.checkpointId() > 0, report.describe());
            assertEquals(last, report.recoveredVersion());
            assertEquals(last - report.checkpointVersion(), report.framesReplayed());
            assertEquals(700, report.framesReplayed(), report.describe());
            assertTrue(report.replayPath().startsWith("fast"), "a sound newest checkpoint takes the fast path: " + report.describe());
            assertState(store, workload.model(last), "after reopen");
            final long more = append(store, last + 1, last + 2000);
            assertTrue(store.awaitApplied(more, 30, TimeUnit.SECONDS));
            store.checkpoint();
            assertEquals(more, store.checkpointVersion());
            assertState(store, workload.model(more), "after more appends and a checkpoint");
        }
    }

    @Test
    void shouldKeepEveryDeltaAppliedWhileACheckpointWasBeingBuilt() throws Exception
    {
        // each late delta writes a key no other delta writes: one the applier's swap to the new checkpoint failed
        // to carry over (applied after the checkpoint's version, before the swap) would be missing for good
        final StateContext ctx = ctx(false).background(false).maxChainLength(1);
        try (StateStore store = StateStore.open(ctx))
        {
            final Journal journal = store.journal();
            final Delta delta = journal.newDelta();
            final byte[] value = new byte[512];
            for (int k = 0; k < 5_000; k++)
            {
                value[0] = (byte)k;
                journal.append(delta.clear().put("base/" + k, value));
            }
            final java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            final Thread checkpoints = new Thread(() ->
            {
                try
                {
                    store.checkpoint();   // one: a later one would hold the late keys itself and hide a loss
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }, "test-checkpoints");
            checkpoints.start();
            long late = 0;
            long last = 0;
            while (checkpoints.isAlive() && late < 1_000_000)   // bounded: the overlay holds every late key
            {
                last = journal.append(delta.clear().put("late/" + late, java.nio.ByteBuffer.allocate(8).putLong(late).array()));
                late++;
            }
            checkpoints.join();
            assertNull(failure.get());
            assertTrue(store.checkpointVersion() < last, "deltas were appended after the checkpoint's version");
            final long total = late;
            assertTrue(store.awaitApplied(last, 30, TimeUnit.SECONDS));
            try (StateReader reader = store.newReader())
            {
                for (long i = 0; i < total; i++)
                {
                    final long expected = i;
                    assertArrayEquals(java.nio.ByteBuffer.allocate(8).putLong(expected).array(), reader.get("late/" + expected),
                        () -> "late/" + expected + " of " + total);
                }
            }
        }
    }

    @Test
    void shouldBuildNoKeyIndexForAChainShorterThanItsMinimumLength() throws Exception
    {
        final StateContext ctx = ctx(false).background(false).keyIndexMinChainLength(3).maxChainLength(10);
        final long last;
        try (StateStore store = StateStore.open(ctx))
        {
            last = append(store, 1, 2000);
            store.checkpoint();
            assertEquals(List.of(), keyIndexFiles(), "chain of 1: no key index");
            append(store, last + 1, last + 200);
            store.checkpoint();
            assertEquals(List.of(), keyIndexFiles(), "chain of 2: no key index");
            append(store, last + 201, last + 400);
            store.checkpoint();
            assertEquals(1, keyIndexFiles().size(), "chain of 3: the head's key index");
        }
        try (StateStore store = StateStore.open(ctx.keyIndexMinChainLength(4)))
        {
            final SnapshotIndexReport check = store.snapshotIndexCheck().get(60, TimeUnit.SECONDS);
            assertFalse(check.keyIndexAttached(), check.description());
            assertTrue(check.description().contains("not used (chain of 3 < keyIndexMinChainLength 4"), check.description());
            assertState(store, workload.model(last + 400), "through the in-file indexes");
        }
    }

    @Test
    void shouldNotCreateACatalogForANewStoreUntilItsFirstCheckpoint() throws Exception
    {
        final StateContext ctx = ctx(false).background(false);
        try (StateStore store = StateStore.open(ctx))
        {
            final SnapshotIndexReport check = store.snapshotIndexCheck().get(60, TimeUnit.SECONDS);
            assertTrue(check.description().contains("no checkpoint yet"), check.description());
            assertEquals(List.of(), CheckpointCatalog.catalogFiles(dir.resolve("checkpoints")),
                "an empty catalog would cost a cold JVM seconds (Chronicle Map compiles its classes) that close() waits for");
            append(store, 1, 100);
            store.checkpoint();
            assertEquals(1, CheckpointCatalog.catalogFiles(dir.resolve("checkpoints")).size(), "the first checkpoint creates it");
        }
    }

    @Test
    void shouldLeaveTheCatalogOfAShortChainToTheNextCheckpoint() throws Exception
    {
        final StateContext ctx = ctx(false).background(false);   // default keyIndexMinChainLength: a chain of 1 is short
        final Path checkpoints = dir.resolve("checkpoints");
        try (StateStore store = StateStore.open(ctx))
        {
            append(store, 1, 100);
            store.checkpoint();
        }
        for (final Path catalog : CheckpointCatalog.catalogFiles(checkpoints))
        {
            Files.delete(catalog);
        }
        try (StateStore store = StateStore.open(ctx))
        {
            final SnapshotIndexReport check = store.snapshotIndexCheck().get(60, TimeUnit.SECONDS);
            assertTrue(check.description().contains("brought up to date at the next checkpoint"), check.description());
            assertEquals(List.of(), CheckpointCatalog.catalogFiles(checkpoints), "nothing opened a Chronicle Map after open");
            append(store, 101, 200);
            store.checkpoint();
            assertEquals(1, CheckpointCatalog.catalogFiles(checkpoints).size(), "the publish made it current");
        }
    }

    private List<String> keyIndexFiles() throws IOException
    {
        try (var files = Files.list(dir.resolve("checkpoints")))
        {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("keys-") && n.endsWith(".cm")).toList();
        }
    }

    @Test
    void shouldRebuildAMissingOrDamagedSnapshotIndexAfterReadyAndReadThroughIt() throws Exception
    {
        final StateContext ctx = ctx(false).background(false).keyIndexMinChainLength(2);
        final long last;
        try (StateStore store = StateStore.open(ctx))
        {
            long v = 0;
            for (int round = 0; round < 3; round++)
            {
                v = append(store, v + 1, v + 1000);
                assertTrue(store.awaitApplied(v, 30, TimeUnit.SECONDS));
                store.checkpoint();
            }
            last = v;
            assertState(store, workload.model(last), "through the attached key index");
        }
        try (StateStore store = StateStore.open(ctx))
        {
            final SnapshotIndexReport check = store.snapshotIndexCheck().get(60, TimeUnit.SECONDS);
            assertFalse(check.rebuilt(), check.description());
            assertTrue(check.keyIndexAttached(), check.description());
            assertState(store, workload.model(last), "key index opened as published");
        }
        final Path checkpoints = dir.resolve("checkpoints");
        try (var files = Files.list(checkpoints))
        {
            for (final Path file : files.toList())
            {
                final String name = file.getFileName().toString();
                if (name.startsWith("catalog-"))
                {
                    Files.delete(file);
                }
                else if (name.startsWith("keys-") && name.endsWith(".cm"))
                {
                    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
                    {
                        raf.seek(raf.length() / 2);
                        raf.write(raf.read() ^ 0x55);
                    }
                }
            }
        }
        try (StateStore store = StateStore.open(ctx))
        {
            final SnapshotIndexReport check = store.snapshotIndexCheck().get(60, TimeUnit.SECONDS);
            assertTrue(check.rebuilt(), check.description());
            assertTrue(check.description().contains("REBUILT_MISSING"), check.description());
            assertTrue(check.description().contains("REBUILT_FROM_CHAIN"), check.description());
            assertState(store, workload.model(last), "after the index was rebuilt");
        }
    }

    @Test
    void shouldFallBackToAnOlderCheckpointWhenTheNewestIsDamaged() throws IOException
    {
        final long last;
        try (StateStore store = StateStore.open(ctx(false).background(false)))
        {
            append(store, 1, 3000);
            assertTrue(store.awaitApplied(3000, 30, TimeUnit.SECONDS));
            store.checkpoint();
            last = append(store, 3001, 4000);
            assertTrue(store.awaitApplied(last, 30, TimeUnit.SECONDS));
            store.checkpoint();
        }
        final List<Path> files = CheckpointFiles.listCheckpoints(dir.resolve("checkpoints"));
        final Path newest = files.stream().max(Comparator.naturalOrder()).orElseThrow();
        try (RandomAccessFile raf = new RandomAccessFile(newest.toFile(), "rw"))
        {
            raf.seek(40);
            raf.write(raf.readByte() ^ 0x10);
        }
        try (StateStore store = StateStore.open(ctx(false).background(false)))
        {
            final RecoveryReport report = store.recoveryReport();
            assertEquals(1, report.rejected().size(), report.describe());
            assertTrue(report.rejected().get(0).startsWith(newest.getFileName().toString()), report.describe());
            assertEquals(3000, report.checkpointVersion(), report.describe());
            assertTrue(report.replayPath().startsWith("full"), "fallback is the full path's: " + report.describe());
            assertEquals(1000, report.framesReplayed());
            assertState(store, workload.model(last), "after fallback");
        }
        assertTrue(Files.exists(newest), "a damaged checkpoint is never deleted automatically");
    }

    @Test
    void shouldReplayTheWholeJournalWhenNoCheckpointIsUsable() throws IOException
    {
        final long last;
        try (StateStore store = StateStore.open(ctx(false).background(false)))
        {
            last = append(store, 1, 2500);
            assertTrue(store.awaitApplied(last, 30, TimeUnit.SECONDS));
            store.checkpoint();
        }
        for (final Path file : CheckpointFiles.listCheckpoints(dir.resolve("checkpoints")))
        {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
            {
                raf.setLength(raf.length() - 7);
            }
        }
        try (StateStore store = StateStore.open(ctx(false).background(false)))
        {
            final RecoveryReport report = store.recoveryReport();
            assertEquals(0, report.checkpointId(), report.describe());
            assertEquals(last, report.framesReplayed());
            assertTrue(report.replayPath().startsWith("full"), report.describe());
            assertFalse(report.rejected().isEmpty());
            assertState(store, workload.model(last), "journal only");
        }
    }
}
