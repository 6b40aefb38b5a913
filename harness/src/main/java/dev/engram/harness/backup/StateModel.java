package dev.engram.harness.backup;

import dev.engram.harness.recovery.StateWorkload;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * The state every system of the backup bench holds, computed without any store: {@code keyCount} keys
 * {@code user/<i>} loaded with generation-0 values of {@link StateWorkload}, then a <b>change</b> phase (distinct
 * seeded keys PUT with generation-1 values, one commit each) and a <b>patch</b> phase (distinct seeded keys, each
 * with {@code patchBytes} written at a per-key offset). Keeps each key's value hash, so the order-independent
 * checksum of {@link StateWorkload} is known after every step; a restored state is right when its key count and
 * checksum equal the model's at the version it should hold.
 */
final class StateModel
{
    /** Generation of the patch bytes (never a value's generation). */
    private static final long PATCH_GENERATION = 1L << 40;

    private final StateWorkload values;
    private final int keyCount;
    private final int valueLength;
    private final int patchBytes;
    private final long[] hashes;
    private final byte[] generations;
    private final BitSet patched = new BitSet();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[0]);
    private long checksum;

    StateModel(final long seed, final int keyCount, final int valueLength, final int patchBytes)
    {
        this.values = new StateWorkload(seed, keyCount, valueLength, 0, valueLength);
        this.keyCount = keyCount;
        this.valueLength = valueLength;
        this.patchBytes = patchBytes;
        this.hashes = new long[keyCount];
        this.generations = new byte[keyCount];
        final byte[] value = new byte[valueLength];
        for (int k = 0; k < keyCount; k++)
        {
            values.fillValue(value, valueLength, k, 0);
            hashes[k] = StateWorkload.valueHash(scratch, value);
            checksum += StateWorkload.keyChecksum(k, hashes[k]);
        }
    }

    int keyCount()
    {
        return keyCount;
    }

    int valueLength()
    {
        return valueLength;
    }

    long checksum()
    {
        return checksum;
    }

    /** @return {@code count} distinct keys in a seeded order (a different order for each {@code salt}). */
    int[] pickKeys(final int count, final long salt)
    {
        final SplittableRandom random = new SplittableRandom(values.seed() * 31 + salt);
        final BitSet taken = new BitSet(keyCount);
        final int[] keys = new int[count];
        for (int i = 0; i < count; i++)
        {
            int k = random.nextInt(keyCount);
            while (taken.get(k))
            {
                k = k + 1 == keyCount ? 0 : k + 1;
            }
            taken.set(k);
            keys[i] = k;
        }
        return keys;
    }

    /** The value of key {@code k} as it is now, into {@code value} (of {@link #valueLength()} bytes). */
    void currentValue(final int k, final byte[] value)
    {
        values.fillValue(value, valueLength, k, generations[k]);
        if (patched.get(k))
        {
            final byte[] patch = new byte[patchBytes];
            values.fillValue(patch, patchBytes, k, PATCH_GENERATION);
            System.arraycopy(patch, 0, value, patchOffset(k), patchBytes);
        }
    }

    /** The change phase's new value of {@code k} (generation 1) into {@code value}, and the model updated. */
    void change(final int k, final byte[] value)
    {
        generations[k] = 1;
        patched.clear(k);
        values.fillValue(value, valueLength, k, 1);
        update(k, value);
    }

    /** The patch bytes of {@code k} into {@code patch} (of the patch length), and the model updated. */
    void patch(final int k, final byte[] patch, final byte[] valueScratch)
    {
        patched.set(k);
        values.fillValue(patch, patchBytes, k, PATCH_GENERATION);
        currentValue(k, valueScratch);
        update(k, valueScratch);
    }

    int patchOffset(final int k)
    {
        return (int)Long.remainderUnsigned(StateWorkload.mix(k * 0x9E3779B97F4A7C15L + 7), valueLength - patchBytes + 1);
    }

    private void update(final int k, final byte[] value)
    {
        final long hash = StateWorkload.valueHash(scratch, value);
        checksum += StateWorkload.keyChecksum(k, hash) - StateWorkload.keyChecksum(k, hashes[k]);
        hashes[k] = hash;
    }
}
