package dev.engram.harness.backupsoak;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.journal.SyncPolicy;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The backup soak's workload: the change at each version is a function of the version alone, so the state at any
 * version is known without a store. Version v writes key {@code key/<v * 7 mod 499>} with {@link #value(long)} bytes,
 * or deletes it when {@code v mod 13 == 12}. The state at V is thus, for each key, the last version at or before V that
 * touched it ({@link #stateAt}: one arithmetic step per key, any version in any order).
 */
final class SoakWorkload
{
    /** Keys: a prime, so every key is touched once every {@code KEYS} versions. */
    static final int KEYS = 499;
    private static final int STRIDE = 7;
    private static final int INVERSE = BigInteger.valueOf(STRIDE).modInverse(BigInteger.valueOf(KEYS)).intValueExact();

    private SoakWorkload()
    {
    }

    static String key(final long version)
    {
        return "key/" + Math.floorMod(version * STRIDE, KEYS);
    }

    static boolean deletes(final long version)
    {
        return version % 13 == 12;
    }

    /** The value written at a version: 16 to 315 seeded random bytes. */
    static byte[] value(final long version)
    {
        final byte[] value = new byte[16 + (int)(version * 37 % 300)];
        new SplittableRandom(version * 0x9E3779B97F4A7C15L).nextBytes(value);
        return value;
    }

    /** Appends the change of {@code version}; returns the version the store gave it. */
    static long append(final Engram engram, final long version)
    {
        return deletes(version) ? engram.delta().delete(key(version)).commit() :
            engram.delta().put(key(version), value(version)).commit();
    }

    /** The state at {@code version}: key to value. */
    static TreeMap<String, byte[]> stateAt(final long version)
    {
        final TreeMap<String, byte[]> state = new TreeMap<>();
        for (int k = 0; k < KEYS; k++)
        {
            final long residue = (long)k * INVERSE % KEYS;          // the versions touching key k: residue mod KEYS
            final long last = version - Math.floorMod(version - residue, KEYS);
            if (last >= 1 && !deletes(last))
            {
                state.put("key/" + k, value(last));
            }
        }
        return state;
    }

    /** The whole state of an open store. */
    static TreeMap<String, byte[]> stateOf(final Engram engram)
    {
        final TreeMap<String, byte[]> state = new TreeMap<>();
        engram.forEach("", (k, v) -> state.put(k, v.clone()));
        return state;
    }

    /** Null when equal byte for byte; else what differs first. */
    static String difference(final Map<String, byte[]> expected, final Map<String, byte[]> actual)
    {
        if (!expected.keySet().equals(actual.keySet()))
        {
            final TreeMap<String, byte[]> missing = new TreeMap<>(expected);
            missing.keySet().removeAll(actual.keySet());
            final TreeMap<String, byte[]> extra = new TreeMap<>(actual);
            extra.keySet().removeAll(expected.keySet());
            return "keys differ: missing " + first(missing) + " (" + missing.size() + "), extra " + first(extra) +
                " (" + extra.size() + ")";
        }
        for (final Map.Entry<String, byte[]> e : expected.entrySet())
        {
            if (!Arrays.equals(e.getValue(), actual.get(e.getKey())))
            {
                return "value of " + e.getKey() + " differs (" + actual.get(e.getKey()).length + " bytes, expected " +
                    e.getValue().length + ")";
            }
        }
        return null;
    }

    private static String first(final TreeMap<String, byte[]> keys)
    {
        return keys.isEmpty() ? "none" : keys.firstKey();
    }

    /**
     * The store's context: journal written without fsync waits (a kill -9 keeps what the mapped files hold), a
     * checkpoint every 3,000 frames with chains of at most 3, no snapshot index (rebuilt by every open: time the soak
     * does not need).
     */
    static EngramContext context()
    {
        final EngramContext ctx = new EngramContext().syncPolicy(SyncPolicy.ASYNC).checkpointEveryFrames(3_000)
            .checkpointIntervalMs(0);
        ctx.state().snapshotIndex(false).maxChainLength(3);
        return ctx;
    }
}
