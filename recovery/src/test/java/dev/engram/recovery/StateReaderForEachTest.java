package dev.engram.recovery;

import dev.engram.journal.Delta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class StateReaderForEachTest
{
    @TempDir
    Path dir;

    @Test
    void shouldVisitEveryLiveKeyWithThePrefixOnceAcrossOverlayAndChain()
    {
        final SeededWorkload workload = new SeededWorkload(99, 4096);
        try (StateStore store = StateStore.open(new StateContext().directory(dir).background(false).snapshotIndex(false)
            .maxChainLength(4).deltaChangedKeysRatio(10).maxChainSizeRatio(100)))
        {
            final Delta delta = store.journal().newDelta();
            for (long v = 1; v <= 4000; v++)
            {
                store.journal().append(workload.fill(v, delta));
                if (v % 1000 == 0)
                {
                    assertTrue(store.awaitApplied(v, 30, TimeUnit.SECONDS));
                    store.checkpoint();
                }
            }
            for (long v = 4001; v <= 4500; v++)
            {
                store.journal().append(workload.fill(v, delta));
            }
            assertTrue(store.awaitApplied(4500, 30, TimeUnit.SECONDS));
            final Map<String, byte[]> model = workload.model(4500);
            for (final String prefix : new String[] {"user/", "population/", "user/1", ""})
            {
                final Map<String, byte[]> expected = new TreeMap<>();
                model.forEach((k, v) -> { if (k.startsWith(prefix)) expected.put(k, v); });
                final Map<String, byte[]> seen = new TreeMap<>();
                try (StateReader reader = store.newReader())
                {
                    final long count = reader.forEach(prefix, (k, ko, kl, value, vo, vl) ->
                    {
                        final byte[] keyBytes = new byte[kl];
                        k.getBytes(ko, keyBytes);
                        final byte[] bytes = new byte[vl];
                        value.getBytes(vo, bytes);
                        assertNull(seen.put(new String(keyBytes, StandardCharsets.UTF_8), bytes), "visited twice");
                    });
                    assertEquals(expected.size(), count);
                }
                assertEquals(expected.keySet(), seen.keySet(), "prefix=" + prefix);
                expected.forEach((k, v) -> assertArrayEquals(v, seen.get(k), k));
            }
        }
    }
}
