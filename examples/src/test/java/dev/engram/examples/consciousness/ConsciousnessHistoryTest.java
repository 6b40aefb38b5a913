package dev.engram.examples.consciousness;

import dev.engram.engine.EngramSnapshot;
import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.recovery.VersionUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Reading the example's world back at older versions: every state view equals the reference model at
 * that version, byte for byte, including just before, at and after checkpoints.
 */
class ConsciousnessHistoryTest
{
    private static final long STEPS = 3000;
    private static final long CHECKPOINT_EVERY = 400;

    @TempDir
    Path dir;

    @Test
    void shouldReadTheWorldBackAtOlderVersions()
    {
        final long seed = Long.getLong("engram.test.seed", System.nanoTime());
        final ConsciousnessWorkload workload = new ConsciousnessWorkload(seed, ExampleTestSupport.CI_SIZES);
        final EngramContext ctx = ExampleTestSupport.context(CHECKPOINT_EVERY).historyVersions(STEPS);
        try (Engram engram = Engram.open(dir, ctx))
        {
            long last = 0;
            for (long s = 1; s <= STEPS; s++)
            {
                last = workload.step(engram);
                if (s % CHECKPOINT_EVERY == 0)
                {
                    assertTrue(engram.awaitApplied(last, 30, TimeUnit.SECONDS));
                    engram.checkpoint();
                }
            }
            assertTrue(engram.awaitApplied(last, 30, TimeUnit.SECONDS));
            engram.tag("end-of-run", last);

            final TreeSet<Long> versions = new TreeSet<>();
            final Random random = new Random(seed);
            for (final long v : new long[] {1, ExampleTestSupport.CI_SIZES.populations(), 399, 400, 401, 1200, 1201, STEPS})
            {
                versions.add(v);
            }
            while (versions.size() < 20)
            {
                versions.add(1 + (long)random.nextInt((int)STEPS));
            }
            final var model = workload.newModel();
            for (final long v : versions)
            {
                model.advanceTo(v);
                try (EngramSnapshot snapshot = engram.stateAt(v))
                {
                    assertEquals(v, snapshot.version());
                    final Map<String, byte[]> seen = new HashMap<>();
                    snapshot.forEach("", (key, value, offset, length) ->
                    {
                        final byte[] bytes = new byte[length];
                        value.getBytes(offset, bytes);
                        assertNull(seen.put(key, bytes), "visited twice: " + key);
                    });
                    final Map<String, byte[]> expected = model.state();
                    assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(seen.keySet()), "keys at version " + v + " seed=" + seed);
                    for (final Map.Entry<String, byte[]> entry : expected.entrySet())
                    {
                        assertArrayEquals(entry.getValue(), seen.get(entry.getKey()), entry.getKey() + " at " + v + " seed=" + seed);
                    }
                }
            }
            assertEquals(last, engram.versionOfTag("end-of-run"));
            final long beyond = last + 1000;
            final VersionUnavailableException future = assertThrows(VersionUnavailableException.class,
                () -> engram.stateAt(beyond));
            assertTrue(future.getMessage().contains("not available"), future.getMessage());
            assertTrue(engram.history("consciousness").versions().length > 0);
        }
    }
}
