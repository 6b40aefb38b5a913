package dev.engram.engine;

import dev.engram.recovery.StateSnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ordered scans on the façade: {@code forEach}/{@code visit}/{@code keys} by prefix and by range in unsigned
 * UTF-8 byte order, live and on a {@code stateAt} snapshot, across a checkpoint.
 */
class EngramOrderedKeysTest
{
    @TempDir
    Path dir;

    @Test
    void shouldScanPrefixesAndRangesInKeyOrderLiveAndAtAVersion()
    {
        final EngramContext ctx = new EngramContext();
        ctx.state().snapshotIndex(false);
        try (Engram engram = Engram.open(dir, ctx))
        {
            engram.delta().put("b/2", new byte[]{2}).put("a", new byte[]{0}).put("b/1", new byte[]{1}).commit();
            engram.checkpoint();
            final long v = engram.delta().put("b/\u00E9", new byte[]{3}).put("b/z", new byte[]{4}).put("c", new byte[]{5})
                .put("b/\uD83D\uDE00", new byte[]{6}).commit();
            engram.delta().delete("b/2").put("b/0", new byte[]{7}).commit();
            assertTrue(engram.awaitApplied(v + 1, 30, TimeUnit.SECONDS));

            // UTF-8 byte order: 'z' (0x7A) < 'é' (0xC3 0xA9) < 😀 (0xF0 ...)
            assertEquals(List.of("b/0", "b/1", "b/z", "b/\u00E9", "b/\uD83D\uDE00"), engram.keys("b/"));
            assertEquals(List.of("a", "b/0", "b/1", "b/z", "b/\u00E9", "b/\uD83D\uDE00", "c"), engram.keys(""));
            assertEquals(List.of("b/1", "b/z"), engram.keys("b/1", "b/\u00E9"));
            assertEquals(List.of("b/\uD83D\uDE00", "c"), engram.keys("b/\uD83D\uDE00", null));
            assertEquals(List.of(), engram.keys("c", "b"));
            final List<String> seen = new ArrayList<>();
            final long count = engram.forEach("b/0", "b/2", (key, value) -> seen.add(key + "=" + value[0]));
            assertEquals(List.of("b/0=7", "b/1=1"), seen);
            assertEquals(2, count);
            final List<String> visited = new ArrayList<>();
            engram.visit("b/", null, (k, ko, kl, value, vo, vl) ->
            {
                final byte[] key = new byte[kl];
                k.getBytes(ko, key);
                visited.add(new String(key, StandardCharsets.UTF_8));
            });
            assertEquals(List.of("b/0", "b/1", "b/z", "b/\u00E9", "b/\uD83D\uDE00", "c"), visited);
            assertThrows(IllegalArgumentException.class, () -> engram.forEach(null, "b", (key, value) -> { }));

            try (EngramSnapshot snapshot = engram.stateAt(v))
            {
                assertEquals(List.of("b/1", "b/2", "b/z", "b/\u00E9", "b/\uD83D\uDE00"), snapshot.keys("b/"));
                assertEquals(List.of("b/2", "b/z"), snapshot.keys("b/2", "b/\u00E9"));
                final List<String> ranged = new ArrayList<>();
                final StateSnapshot.EntryVisitor visitor = (key, value, offset, length) -> ranged.add(key + "=" + value.getByte(offset));
                assertEquals(2, snapshot.forEach("a", "b/2", visitor));
                assertEquals(List.of("a=0", "b/1=1"), ranged);
            }
        }
    }
}
