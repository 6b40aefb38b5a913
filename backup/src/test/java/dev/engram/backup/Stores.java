package dev.engram.backup;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.journal.SyncPolicy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Stores for the backup tests: written through the engine, then closed; their state and files read back.
 */
final class Stores
{
    private Stores()
    {
    }

    static EngramContext ctx()
    {
        final EngramContext ctx = new EngramContext().syncPolicy(SyncPolicy.ASYNC).checkpointIntervalMs(0);
        ctx.state().snapshotIndex(false);
        return ctx;
    }

    /** Puts {@code keys} keys {@code key/<i>} with {@code valueBytes} pseudo-random bytes (seeded), checkpoints, closes. */
    static void populate(final Path dir, final int keys, final int valueBytes, final long seed)
    {
        final Random random = new Random(seed);
        try (Engram engram = Engram.open(dir, ctx()))
        {
            for (int i = 0; i < keys; i += 50)
            {
                final var delta = engram.delta();
                for (int k = i; k < Math.min(keys, i + 50); k++)
                {
                    final byte[] value = new byte[valueBytes];
                    random.nextBytes(value);
                    delta.put("key/" + k, value);
                }
                delta.commit();
            }
            engram.checkpoint();
        }
    }

    /** Changes every {@code stride}-th key (new random value), deletes one, checkpoints, closes. */
    static void change(final Path dir, final int keys, final int stride, final int valueBytes, final long seed)
    {
        final Random random = new Random(seed);
        try (Engram engram = Engram.open(dir, ctx()))
        {
            for (int k = 0; k < keys; k += stride)
            {
                final byte[] value = new byte[valueBytes];
                random.nextBytes(value);
                engram.delta().put("key/" + k, value).commit();
            }
            engram.delta().delete("key/1").commit();
            engram.checkpoint();
        }
    }

    /** The whole state of a closed store, opened and closed again. */
    static TreeMap<String, byte[]> state(final Path dir)
    {
        final TreeMap<String, byte[]> state = new TreeMap<>();
        try (Engram engram = Engram.open(dir, ctx()))
        {
            engram.forEach("", (k, v) -> state.put(k, v.clone()));
            state.put("<version>", Long.toString(engram.lastAppendedVersion()).getBytes());
        }
        return state;
    }

    static void assertSameState(final Map<String, byte[]> expected, final Map<String, byte[]> actual)
    {
        assertEquals(expected.keySet(), actual.keySet());
        for (final Map.Entry<String, byte[]> e : expected.entrySet())
        {
            assertArrayEquals(e.getValue(), actual.get(e.getKey()), e.getKey());
        }
    }

    /** The files of a directory (relative paths) and their bytes. */
    static TreeMap<String, byte[]> files(final Path dir) throws IOException
    {
        final TreeMap<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir))
        {
            for (final Path p : walk.filter(Files::isRegularFile).toList())
            {
                files.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    static void assertSameFiles(final Map<String, byte[]> expected, final Map<String, byte[]> actual, final List<String> left)
    {
        final TreeMap<String, byte[]> kept = new TreeMap<>(expected);
        kept.keySet().removeIf(p -> !dev.engram.backup.internal.source.ClosedStore.included(p));
        assertEquals(kept.keySet(), actual.keySet(), "left out: " + left);
        for (final Map.Entry<String, byte[]> e : kept.entrySet())
        {
            assertEquals(true, Arrays.equals(e.getValue(), actual.get(e.getKey())), e.getKey());
        }
    }
}
