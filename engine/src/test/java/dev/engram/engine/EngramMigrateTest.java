package dev.engram.engine;

import dev.engram.journal.SyncPolicy;
import dev.engram.recovery.KeyHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link Engram#migrate} in bounded batches: a state several batches big is rewritten by deltas of at most the
 * configured keys (and bytes), and a run stopped midway leaves values old or new, all readable, and a second run
 * finishes the job.
 */
class EngramMigrateTest
{
    public record ItemV1(String name, int count)
    {
    }

    public record Item(String name, int count, long total)
    {
    }

    private static final int CODEC_ID = 900;
    static final int KEYS = 1_050;

    @TempDir
    Path dir;

    static EngramContext ctx(final int version)
    {
        final EngramContext ctx = new EngramContext().syncPolicy(SyncPolicy.PERIODIC).syncIntervalMs(20);
        ctx.state().snapshotIndex(false);
        if (version == 1)
        {
            RecordCodec.of(ItemV1.class, CODEC_ID).registerIn(ctx);
        }
        else
        {
            RecordCodec.of(Item.class, CODEC_ID).version(2)
                .migrateFrom(ItemV1.class, 1, v1 -> new Item(v1.name(), v1.count(), v1.count() * 10L)).registerIn(ctx);
        }
        return ctx;
    }

    static void writeVersion1State(final Path dir)
    {
        try (Engram engram = Engram.open(dir, ctx(1)))
        {
            for (int i = 0; i < KEYS; i += 50)
            {
                final DeltaBuilder delta = engram.delta();
                for (int k = i; k < i + 50; k++)
                {
                    delta.put("item/" + k, new ItemV1("item-" + k, k));
                }
                delta.commit();
            }
            engram.delta().put("raw/blob", new byte[] {1, 2, 3}).commit();
        }
    }

    static void assertAllUpgraded(final Engram engram)
    {
        for (int k = 0; k < KEYS; k++)
        {
            assertEquals(2, engram.get("item/" + k)[4], "item/" + k + " stored at schema version 2");
            assertEquals(new Item("item-" + k, k, k * 10L), engram.get("item/" + k, Item.class));
        }
    }

    @Test
    void shouldRewriteInDeltasOfAtMostTheBatchSize()
    {
        writeVersion1State(dir);
        try (Engram engram = Engram.open(dir, ctx(2).migrationBatch(100, 1 << 20)))
        {
            final long before = engram.appliedVersion();
            final MigrationReport report = engram.migrate(scanned -> { });
            assertEquals(KEYS + 1, report.scanned());
            assertEquals(KEYS, report.migrated());
            assertEquals(1, report.skippedRaw());
            assertEquals(11, report.deltas(), "1,050 keys in batches of 100");
            assertEquals(100, report.largestDeltaKeys());
            assertEquals(before + 11, report.lastVersion(), "one version per batch");
            assertTrue(engram.awaitApplied(report.lastVersion(), 30, TimeUnit.SECONDS));

            final Map<Long, Integer> keysPerVersion = new HashMap<>();
            for (int k = 0; k < KEYS; k++)
            {
                final KeyHistory history = engram.history("item/" + k, before + 1, report.lastVersion());
                assertEquals(1, history.changes().size(), "item/" + k + " rewritten once");
                keysPerVersion.merge(history.changes().get(0).version(), 1, Integer::sum);
            }
            assertEquals(11, keysPerVersion.size());
            assertTrue(keysPerVersion.values().stream().allMatch(n -> n <= 100), keysPerVersion.toString());
            assertAllUpgraded(engram);
            assertEquals(0, engram.migrate(scanned -> { }).migrated(), "nothing left");
        }
    }

    @Test
    void shouldBoundBatchesByBytes()
    {
        writeVersion1State(dir);
        try (Engram engram = Engram.open(dir, ctx(2).migrationBatch(1_000_000, 4_096)))
        {
            final MigrationReport report = engram.migrate(scanned -> { });
            assertEquals(KEYS, report.migrated());
            // a value here is 8 + 11 + 4 + ~9 + 4 + 8 = ~44 bytes, an op ~8 + ~8 key + 44: ~60, so ~68 per 4 KiB delta
            assertTrue(report.deltas() >= KEYS * 60L / 4_096, report.toString());
            assertTrue(report.largestDeltaKeys() < 4_096 / 50, report.toString());
            assertAllUpgraded(engram);
        }
    }

    @Test
    void shouldFinishAfterARunStoppedMidwayWithEveryValueReadableMeanwhile()
    {
        writeVersion1State(dir);
        try (Engram engram = Engram.open(dir, ctx(2).migrationBatch(100, 1 << 20)))
        {
            final int[] calls = {0};
            final IllegalStateException stop = assertThrows(IllegalStateException.class, () -> engram.migrate(scanned ->
            {
                if (++calls[0] == 4)
                {
                    throw new IllegalStateException("stopped at " + scanned);
                }
            }));
            assertTrue(stop.getMessage().startsWith("stopped at"), stop.getMessage());
            int rewritten = 0;
            for (int k = 0; k < KEYS; k++)
            {
                final byte[] stored = engram.get("item/" + k);
                assertTrue(stored[4] == 1 || stored[4] == 2, "old or new, nothing else");
                rewritten += stored[4] == 2 ? 1 : 0;
                assertEquals(new Item("item-" + k, k, k * 10L), engram.get("item/" + k, Item.class), "readable either way");
            }
            assertTrue(rewritten >= 300 && rewritten < KEYS, "stopped midway, after 3 batches at least: " + rewritten + " rewritten");
            assertEquals(0, rewritten % 100, "whole batches only: " + rewritten);
        }
        try (Engram engram = Engram.open(dir, ctx(2).migrationBatch(100, 1 << 20)))
        {
            final MigrationReport rest = engram.migrate(scanned -> { });
            assertTrue(rest.migrated() > 0 && rest.migrated() < KEYS, rest.toString());
            assertAllUpgraded(engram);
            assertEquals(0, engram.migrate(scanned -> { }).migrated());
        }
    }

    @Test
    void shouldRefuseBadBatchSettings()
    {
        assertThrows(IllegalArgumentException.class, () -> new EngramContext().migrationBatch(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new EngramContext().migrationBatch(1, 0));
        final EngramContext defaults = new EngramContext();
        assertEquals(List.of(1_000, 1 << 20), List.of(defaults.migrationBatchKeys(), defaults.migrationBatchBytes()));
    }
}
