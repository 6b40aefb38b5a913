package dev.engram.engine;

import dev.engram.journal.SyncPolicy;
import dev.engram.recovery.KeyHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * One façade (issue 14): what docs/engine.md and docs/history.md describe is on {@link Engram} and the types it
 * returns — durability waits, tags, history ranges, typed snapshot reads, zero-copy iteration — with no need for
 * {@code store()} or {@code journal()}.
 */
class EngramFacadeTest
{
    @TempDir
    Path dir;

    private static EngramContext ctx()
    {
        final EngramContext ctx = new EngramContext().syncPolicy(SyncPolicy.PERIODIC).syncIntervalMs(20)
            .checkpointIntervalMs(0).historyVersions(1_000_000);
        ctx.state().snapshotIndex(false);
        ctx.codecs().register(PopulationHeaderCodec.INSTANCE);
        return ctx;
    }

    @Test
    void shouldOfferDurabilityTagsHistoryTypedSnapshotsAndZeroCopyIterationOnTheEngine()
    {
        final PopulationHeader header = TypedValuesTestSupport.header();
        try (Engram engram = Engram.open(dir, ctx()))
        {
            final long v1 = engram.delta().put("population/1", header).put("user/1", "a").commit();
            assertTrue(engram.awaitWritten(v1, 60, TimeUnit.SECONDS));
            assertTrue(engram.writtenVersion() >= v1);
            assertTrue(engram.awaitSynced(v1, 60, TimeUnit.SECONDS));
            assertTrue(engram.syncedVersion() >= v1);

            long v = v1;
            for (int i = 2; i <= 10; i++)
            {
                v = engram.delta().put("user/1", "v" + i).put("user/" + i, "x").commit();
            }
            final long last = v;

            engram.tag("before", v1);
            engram.tag("after", last);
            assertEquals(new TreeMap<>(Map.of("before", v1, "after", last)), engram.tags());
            assertTrue(engram.untag("before"));
            assertFalse(engram.untag("before"));
            assertEquals(List.of("after"), List.copyOf(engram.tags().keySet()));

            final KeyHistory all = engram.history("user/1");
            final KeyHistory some = engram.history("user/1", v1 + 1, v1 + 3);
            assertEquals(10, all.changes().size(), all.toString());
            assertEquals(3, some.changes().size(), some.toString());

            try (EngramSnapshot snapshot = engram.stateAt(v1))
            {
                assertEquals(v1, snapshot.version());
                assertEquals(header, snapshot.get("population/1", PopulationHeader.class));
                assertEquals("a", snapshot.get("user/1", String.class));
                assertFalse(snapshot.contains("user/2"));
                assertEquals(List.of("user/1"), snapshot.keys("user/"));
            }

            final Map<String, String> seen = new HashMap<>();
            final long visited = engram.visit("user/", (key, ko, kl, value, vo, vl) ->
            {
                final byte[] k = new byte[kl];
                key.getBytes(ko, k);
                seen.put(new String(k, StandardCharsets.UTF_8), String.valueOf(vl));
            });
            assertEquals(10, visited);
            assertEquals(10, seen.size());
            assertTrue(engram.quarantinedKeys().isEmpty());
        }
    }
    @Test
    void shouldOfferTheRawPathCheckpointsAndRepairsOnTheEngine()
    {
        try (Engram engram = Engram.open(dir, ctx()))
        {
            final dev.engram.journal.Delta delta = engram.newDelta();
            final long v1 = engram.append(delta.clear().put("raw/1", "one".getBytes(StandardCharsets.UTF_8)));
            final long v2 = engram.append(delta.clear().put("raw/2", "two".getBytes(StandardCharsets.UTF_8)));
            assertEquals(v1 + 1, v2);
            assertEquals(v2, engram.lastAppendedVersion());
            assertEquals("two", new String(engram.get("raw/2"), StandardCharsets.UTF_8), "the raw path reads its own writes");
            assertEquals(0, engram.checkpointCount());
            assertEquals(0, engram.checkpointVersion());
            final long checkpointed = engram.checkpoint().stateVersion();
            assertTrue(checkpointed >= v2);
            assertEquals(1, engram.checkpointCount());
            assertEquals(checkpointed, engram.checkpointVersion());
            assertEquals(List.of(), engram.damagedFiles());
            assertEquals(List.of(), engram.repairs());
        }
    }
    @Test
    void shouldNotHandOutTheStoreOrTheJournalThatItOwns()
    {
        for (final java.lang.reflect.Method method : Engram.class.getMethods())
        {
            assertFalse(method.getName().equals("store") || method.getName().equals("journal"),
                () -> "Engram." + method.getName() + "() would let callers close the engine's parts underneath it");
            assertFalse(method.getReturnType().getName().equals("dev.engram.recovery.StateStore") ||
                method.getReturnType().getName().equals("dev.engram.journal.Journal"), method::toString);
        }
    }
}
