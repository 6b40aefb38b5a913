package dev.engram.engine;

import dev.engram.journal.JournalContext;
import dev.engram.journal.SyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class EngramTest
{
    @TempDir
    Path dir;

    private EngramContext ctx()
    {
        final EngramContext ctx = new EngramContext().syncPolicy(SyncPolicy.PERIODIC).syncIntervalMs(20)
            .checkpointEveryFrames(500).checkpointIntervalMs(0);
        ctx.state().snapshotIndex(false);
        ctx.codecs().register(PopulationHeaderCodec.INSTANCE);
        ctx.migrations().register(PopulationHeaderCodec.migrationFromV1());
        return ctx;
    }

    @Test
    void shouldCommitAtomicTypedDeltasAndReadThemBackAfterReopen()
    {
        final PopulationHeader header = TypedValuesTestSupport.header();
        final long last;
        try (Engram engram = Engram.open(dir, ctx()))
        {
            long v = 0;
            for (int i = 0; i < 2000; i++)
            {
                v = engram.delta()
                    .put("population/" + (i % 8), header)
                    .put("user/" + i, ("ctx-" + i).getBytes(StandardCharsets.UTF_8))
                    .patch("population/" + (i % 8) + "/weights", (i % 100) * 4L, new byte[] {1, 2, 3, 4})
                    .commit();
                assertEquals(i + 1, v);
            }
            engram.delta().delete("user/0").commit();
            last = engram.delta().put("metrics/system", "cpu=0.5").commit();
            assertTrue(engram.awaitApplied(last, 60, TimeUnit.SECONDS));
            assertEquals(header, engram.get("population/3", PopulationHeader.class));
            assertEquals("cpu=0.5", engram.get("metrics/system", String.class));
            assertNull(engram.get("user/0"));
            assertArrayEquals("ctx-5".getBytes(StandardCharsets.UTF_8), engram.get("user/5"));
            assertEquals(97 * 4 + 4, engram.get("population/1/weights").length, "largest patch end among i = 1 mod 8");
            assertEquals(1999, engram.keys("user/").size());
            assertEquals(8, engram.keys("population/").stream().filter(k -> !k.endsWith("weights")).count());

            final MetricsSnapshot metrics = engram.metrics().snapshot();
            assertEquals(2002, metrics.appendLatency().getTotalCount());
            assertTrue(metrics.writtenVersion() >= last || engram.awaitWritten(last, 60, TimeUnit.SECONDS));
            assertTrue(metrics.checkpoints() >= 1 || engram.checkpoint() != null);
            assertTrue(metrics.describe().contains("append n=2002"), metrics.describe());
        }
        try (Engram engram = Engram.open(dir, ctx()))
        {
            assertTrue(engram.recoveryReport().cleanShutdown());
            assertEquals(last, engram.recoveryReport().recoveredVersion());
            assertEquals(header, engram.get("population/3", PopulationHeader.class));
            assertNull(engram.get("user/0"));
            assertEquals(last + 1, engram.delta().put("after", new byte[1]).commit());
        }
    }

    @Test
    void shouldMigrateOldSchemaValuesAsOrdinaryDeltas()
    {
        final PopulationHeader header = TypedValuesTestSupport.header();
        try (Engram engram = Engram.open(dir, ctx()))
        {
            final byte[] v1 = TypedValuesTestSupport.populationHeaderV1Value(header);
            for (int i = 0; i < 50; i++)
            {
                engram.delta().put("population/" + i, v1).commit();
            }
            final long raw = engram.delta().put("raw/blob", new byte[] {9, 9, 9}).commit();
            assertTrue(engram.awaitApplied(raw, 60, TimeUnit.SECONDS));
            // read path upgrades on the fly
            final PopulationHeader expected = TypedValuesTestSupport.withMutationRate(header, PopulationHeaderCodec.V1_MUTATION_RATE);
            assertEquals(expected, engram.get("population/7", PopulationHeader.class));

            final long[] progress = {0};
            final MigrationReport report = engram.migrate(scanned -> progress[0] = scanned);
            assertEquals(51, report.scanned());
            assertEquals(50, report.migrated());
            assertEquals(1, report.skippedRaw());
            assertEquals(51, progress[0]);
            assertTrue(engram.awaitApplied(report.lastVersion(), 60, TimeUnit.SECONDS));
            final byte[] stored = engram.get("population/7");
            assertEquals(PopulationHeaderCodec.SCHEMA_VERSION, stored[4] & 0xFF, "stored value now at schema v2");
            assertEquals(expected, engram.get("population/7", PopulationHeader.class));
            assertEquals(0, engram.migrate(s -> { }).migrated(), "nothing left to migrate");
        }
    }

    @Test
    void shouldGiveClearErrorsForBadInput()
    {
        final Engram engram = Engram.open(dir, ctx());
        try
        {
            assertThrows(IllegalArgumentException.class, () -> engram.delta().put("k".repeat(2000), new byte[1]));
            assertThrows(IllegalArgumentException.class, () -> engram.delta().patch("k", -1, new byte[1]));
            final long v = engram.delta().put("typed/unknown", new byte[] {(byte)0xE7, 1, (byte)0xF4, 1, 1, 0, 0, 0, 42}).commit();
            assertTrue(engram.awaitApplied(v, 60, TimeUnit.SECONDS));
            final UnknownCodecException unknown = assertThrows(UnknownCodecException.class,
                () -> engram.get("typed/unknown", PopulationHeader.class));
            assertTrue(unknown.getMessage().contains("typed/unknown"), unknown.getMessage());
            assertThrows(IllegalArgumentException.class, () -> engram.delta().put("x", new Object()));
        }
        finally
        {
            engram.close();
        }
        final IllegalStateException closed = assertThrows(IllegalStateException.class, () -> engram.get("k"));
        assertTrue(closed.getMessage().contains("closed"));
        assertThrows(IllegalStateException.class, engram::delta);
    }

    @Test
    void shouldCarryLargeDeltasThroughTheRingArenaOrTheHeapAsConfigured()
    {
        for (final int arena : new int[]{JournalContext.RING_ARENA_LENGTH_DEFAULT, 0})
        {
            final Path state = dir.resolve("arena-" + arena);
            try (Engram engram = Engram.open(state, ctx().ringArenaLength(arena)))
            {
                final byte[] context = new byte[1500];   // a user context: over a 512-byte ring slot
                java.util.Arrays.fill(context, (byte)7);
                long v = engram.delta().put("user/1", new byte[1]).commit();
                assertTrue(engram.awaitApplied(v, 60, TimeUnit.SECONDS));   // the journal thread is running by now
                v = engram.delta().put("user/1", context).commit();
                assertTrue(engram.awaitApplied(v, 60, TimeUnit.SECONDS));
                assertArrayEquals(context, engram.get("user/1"));
                assertEquals(arena == 0 ? 1 : 0, engram.metrics().snapshot().heapFrames());
            }
        }
    }
}
