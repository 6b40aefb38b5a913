package dev.engram.recovery;

import dev.engram.journal.Delta;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic workload: the delta of version v depends only on (seed, v), so a parent process can
 * rebuild the exact state at any version a killed child reached, and compare. Shaped like the first
 * user's state: many small keyed contexts (PUT/DELETE), a few large "population" values changed by PATCH.
 */
public final class SeededWorkload
{
    public static final int SMALL_KEYS = 400;
    public static final int LARGE_KEYS = 4;

    private final long seed;
    private final int largeValueLength;

    public SeededWorkload(final long seed, final int largeValueLength)
    {
        this.seed = seed;
        this.largeValueLength = largeValueLength;
    }

    /** Receives the ops of one delta. */
    public interface Ops
    {
        void put(String key, byte[] value);

        void delete(String key);

        void patch(String key, long offset, byte[] data);
    }

    /**
     * Generate the ops of version {@code version}.
     */
    public void generate(final long version, final Ops ops)
    {
        final SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + version);
        final int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++)
        {
            final int action = random.nextInt(100);
            if (action < 55)
            {
                final byte[] value = new byte[random.nextInt(300)];
                fill(random, value);
                ops.put("user/" + random.nextInt(SMALL_KEYS), value);
            }
            else if (action < 65)
            {
                ops.delete("user/" + random.nextInt(SMALL_KEYS));
            }
            else if (action < 97)
            {
                final byte[] data = new byte[1 + random.nextInt(256)];
                fill(random, data);
                ops.patch("population/" + random.nextInt(LARGE_KEYS), random.nextInt(largeValueLength - data.length), data);
            }
            else
            {
                final byte[] value = new byte[largeValueLength];
                fill(random, value);
                ops.put("population/" + random.nextInt(LARGE_KEYS), value);
            }
        }
    }

    private static void fill(final SplittableRandom random, final byte[] bytes)
    {
        for (int i = 0; i < bytes.length; i += 8)
        {
            final long r = random.nextLong();
            for (int j = 0; j < 8 && i + j < bytes.length; j++)
            {
                bytes[i + j] = (byte)(r >>> (j * 8));
            }
        }
    }

    /**
     * Fill a delta builder with version {@code version}'s ops.
     */
    public Delta fill(final long version, final Delta delta)
    {
        delta.clear();
        generate(version, new Ops()
        {
            public void put(final String key, final byte[] value)
            {
                delta.put(key, value);
            }

            public void delete(final String key)
            {
                delta.delete(key);
            }

            public void patch(final String key, final long offset, final byte[] data)
            {
                delta.patch(key, offset, data);
            }
        });
        return delta;
    }

    /**
     * @return the state after versions 1..version (key → value), the reference model.
     */
    public Map<String, byte[]> model(final long version)
    {
        final Map<String, byte[]> state = new HashMap<>();
        for (long v = 1; v <= version; v++)
        {
            apply(state, v);
        }
        return state;
    }

    /**
     * Apply one version to a model.
     */
    public void apply(final Map<String, byte[]> state, final long version)
    {
        generate(version, new Ops()
        {
            public void put(final String key, final byte[] value)
            {
                state.put(key, value);
            }

            public void delete(final String key)
            {
                state.remove(key);
            }

            public void patch(final String key, final long offset, final byte[] data)
            {
                final byte[] current = state.getOrDefault(key, new byte[0]);
                final byte[] next = Arrays.copyOf(current, (int)Math.max(current.length, offset + data.length));
                System.arraycopy(data, 0, next, (int)offset, data.length);
                state.put(key, next);
            }
        });
    }

    /**
     * @return every key the workload can touch.
     */
    public static String[] keyUniverse()
    {
        final String[] keys = new String[SMALL_KEYS + LARGE_KEYS];
        for (int i = 0; i < SMALL_KEYS; i++)
        {
            keys[i] = "user/" + i;
        }
        for (int i = 0; i < LARGE_KEYS; i++)
        {
            keys[SMALL_KEYS + i] = "population/" + i;
        }
        return keys;
    }

    /**
     * Assert that {@code store} reads exactly {@code model} (as {@link #model} returns it) over the key universe.
     */
    public static void assertStoreHolds(final StateStore store, final java.util.Map<String, byte[]> model)
    {
        try (StateReader reader = store.newReader())
        {
            for (final String key : keyUniverse())
            {
                org.junit.jupiter.api.Assertions.assertArrayEquals(model.get(key), reader.get(key), key);
            }
        }
    }
}
