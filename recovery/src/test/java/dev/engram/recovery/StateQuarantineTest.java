package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.DeltaFrameDescriptor;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A journal frame the engine cannot apply — here a PATCH past the largest value, as an engine that did not check
 * {@code patch()} offsets wrote them (issue 12: such a frame stopped the applier and every later open) — passes
 * the journal's CRC and structure checks. It must not brick the store: the keys it changes are quarantined
 * (reads refused with the reason, listed, counted), everything else carries on, through checkpoints (delta and
 * full) and reopens, and a later PUT or DELETE ends a key's quarantine.
 */
class StateQuarantineTest
{
    private static final long BAD_OFFSET = DeltaFrameDescriptor.MAX_VALUE_LENGTH;   // + any length > 0: past the limit

    @TempDir
    Path dir;

    private StateContext ctx()
    {
        return new StateContext().directory(dir).background(false).snapshotIndex(false).maxChainLength(2)
            .checkpointIntervalMs(0).checkpointEveryFrames(Long.MAX_VALUE / 4).checkpointEveryBytes(Long.MAX_VALUE / 4);
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Turn the delta's last op (a PATCH) into one whose offset is past the largest value: what an engine that did
     * not check offsets appended. The journal computes the frame's CRC over these bytes, so it verifies.
     */
    static Delta forgeLastPatchOffset(final Delta delta, final long patchOffset) throws ReflectiveOperationException
    {
        final Field buffer = Delta.class.getDeclaredField("buffer");
        final Field lastOp = Delta.class.getDeclaredField("lastOpOffset");
        buffer.setAccessible(true);
        lastOp.setAccessible(true);
        ((MutableDirectBuffer)buffer.get(delta)).putLong(
            lastOp.getInt(delta) + DeltaFrameDescriptor.OP_PATCH_OFFSET_OFFSET, patchOffset, java.nio.ByteOrder.LITTLE_ENDIAN);
        return delta;
    }

    private static long append(final StateStore store, final Delta delta)
    {
        final long v = store.journal().append(delta);
        assertTrue(store.awaitApplied(v, 60, TimeUnit.SECONDS), "version " + v + " not applied: the applier stopped? " +
            store.applierStalledReason());
        return v;
    }

    private static void assertQuarantined(final StateReader reader, final String key, final long version)
    {
        final QuarantinedKeyException ex = assertThrows(QuarantinedKeyException.class, () -> reader.get(key));
        assertEquals(key, ex.key());
        assertTrue(ex.reason().contains("version=" + version), ex.getMessage());
        assertTrue(ex.getMessage().contains("patchOffset=" + BAD_OFFSET), ex.getMessage());
        assertTrue(ex.getMessage().contains("journal cycle="), ex.getMessage());
        assertTrue(ex.getMessage().contains("write the key again"), ex.getMessage());
    }

    private static Map<String, String> visible(final StateReader reader)
    {
        final Map<String, String> seen = new HashMap<>();
        reader.forEach("", (k, ko, kl, v, vo, vl) ->
        {
            final byte[] key = new byte[kl];
            k.getBytes(ko, key);
            final byte[] value = new byte[vl];
            v.getBytes(vo, value);
            seen.put(new String(key, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8));
        });
        return seen;
    }

    @Test
    void shouldQuarantineTheKeysOfAFrameItCannotApplyAndCarryOn() throws Exception
    {
        final long single;
        final long multi;
        try (StateStore store = StateStore.open(ctx()))
        {
            final Delta delta = store.journal().newDelta();
            append(store, delta.clear().put("a", bytes("a1")).put("b", bytes("b1")).put("c", bytes("c1")).put("d", bytes("d1")));
            store.checkpoint();   // "a".."d" in a checkpoint: the bad PATCH of "a" would read its base value

            single = append(store, forgeLastPatchOffset(delta.clear().patch("a", 0, bytes("x")), BAD_OFFSET));
            // a multi-op delta with one bad op: applied whole or not at all, so all its keys are quarantined
            multi = append(store, forgeLastPatchOffset(delta.clear().put("b", bytes("b2")).patch("c", 0, bytes("y")), BAD_OFFSET));
            final long after = append(store, delta.clear().put("e", bytes("e1")).patch("d", 1, bytes("X")));

            assertEquals(after, store.appliedVersion());
            try (StateReader reader = store.newReader())
            {
                assertQuarantined(reader, "a", single);
                assertQuarantined(reader, "b", multi);
                assertQuarantined(reader, "c", multi);
                assertEquals("dX", new String(reader.get("d"), StandardCharsets.UTF_8));
                assertEquals("e1", new String(reader.get("e"), StandardCharsets.UTF_8));
                assertEquals(Map.of("d", "dX", "e", "e1"), visible(reader), "iteration skips quarantined keys");
            }
            final List<QuarantinedKey> keys = store.quarantinedKeys();
            assertEquals(List.of("a", "b", "c"), keys.stream().map(QuarantinedKey::key).toList());
            assertEquals(single, keys.get(0).version());
            assertEquals(3, store.quarantineCount());

            // a PATCH of a quarantined key cannot be applied either (its value is unknown): still quarantined
            final long patchedAgain = append(store, delta.clear().patch("a", 0, bytes("z")));
            try (StateReader reader = store.newReader())
            {
                assertThrows(QuarantinedKeyException.class, () -> reader.get("a"));
            }
            // a PUT or DELETE replaces the value: the quarantine ends
            append(store, delta.clear().put("b", bytes("b3")).delete("c"));
            try (StateReader reader = store.newReader())
            {
                assertEquals("b3", new String(reader.get("b"), StandardCharsets.UTF_8));
                assertNull(reader.get("c"));
            }
            // a delta checkpoint holds the quarantined key; the store keeps checkpointing
            final CheckpointInfo delta1 = store.checkpoint();
            assertTrue(delta1.stateVersion() >= patchedAgain);
            try (StateReader reader = store.newReader())
            {
                assertThrows(QuarantinedKeyException.class, () -> reader.get("a"), "from the checkpoint");
                assertEquals("b3", new String(reader.get("b"), StandardCharsets.UTF_8));
            }
            try (StateSnapshot snapshot = store.stateAt(multi))
            {
                assertThrows(QuarantinedKeyException.class, () -> snapshot.get("c"), "history sees the quarantine too");
                assertEquals("d1", new String(snapshot.get("d"), StandardCharsets.UTF_8));
            }
        }

        // reopen: "a" is quarantined in the checkpoint, not in the tail; a full checkpoint carries it on
        try (StateStore store = StateStore.open(ctx()))
        {
            try (StateReader reader = store.newReader())
            {
                assertQuarantined(reader, "a", single);
                assertEquals("b3", new String(reader.get("b"), StandardCharsets.UTF_8));
            }
            final Delta delta = store.journal().newDelta();
            append(store, delta.clear().put("f", bytes("f1")));
            store.checkpoint();
            append(store, delta.clear().put("g", bytes("g1")));
            final CheckpointInfo full = store.checkpoint();   // the chain is at its longest: consolidated
            assertFalse(full.isDelta(), "expected a full checkpoint: " + full);
            try (StateReader reader = store.newReader())
            {
                assertQuarantined(reader, "a", single);
                assertEquals(Map.of("b", "b3", "d", "dX", "e", "e1", "f", "f1", "g", "g1"), visible(reader));
            }
            append(store, delta.clear().put("a", bytes("a2")));
            try (StateReader reader = store.newReader())
            {
                assertEquals("a2", new String(reader.get("a"), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void shouldQuarantineDuringRecoveryReplayAndReportIt() throws Exception
    {
        final long bad;
        try (StateStore store = StateStore.open(ctx()))
        {
            final Delta delta = store.journal().newDelta();
            append(store, delta.clear().put("k", bytes("v1")).put("other", bytes("o1")));
            bad = append(store, forgeLastPatchOffset(delta.clear().patch("k", 3, bytes("!")), BAD_OFFSET));
            append(store, delta.clear().put("other", bytes("o2")));
        }
        for (final boolean fast : new boolean[] {true, false})
        {
            try (StateStore store = StateStore.open(ctx().fastRecovery(fast)))
            {
                final RecoveryReport report = store.recoveryReport();
                assertEquals(List.of("k"), report.quarantinedKeys().stream().map(QuarantinedKey::key).toList(), report.describe());
                assertEquals(bad, report.quarantinedKeys().get(0).version());
                assertTrue(report.describe().contains("QUARANTINED key 'k'"), report.describe());
                try (StateReader reader = store.newReader())
                {
                    assertQuarantined(reader, "k", bad);
                    assertEquals("o2", new String(reader.get("other"), StandardCharsets.UTF_8));
                }
                assertEquals(1, store.quarantineCount());
            }
        }
    }
}
