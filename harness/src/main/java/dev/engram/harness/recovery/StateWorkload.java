package dev.engram.harness.recovery;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.SplittableRandom;

/**
 * The deterministic state every system in the recovery bench is loaded with, so their results can be
 * checked against each other and against what the builder reported.
 * <ul>
 *   <li>{@code keyCount} keys {@code user/0 .. user/<keyCount-1>}, each first PUT with a {@code valueLength}
 *       value (generation 0);</li>
 *   <li>then a tail of {@code tailCount} PUTs of {@code tailValueLength}-byte values, tail delta {@code j}
 *       (0-based) going to a seeded random key with generation {@code j + 1}.</li>
 * </ul>
 * Value bytes carry 4 bits of entropy each (zstd level 3 compresses them about 2:1, like user contexts).
 * The state checksum is order-independent: the sum over keys of {@code mix(valueHash + keyIndex * GOLDEN)}.
 */
public final class StateWorkload
{
    public static final String KEY_PREFIX = "user/";
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long P1 = 0xC2B2AE3D27D4EB4FL;
    private static final long P2 = 0x165667B19E3779F9L;

    private final long seed;
    private final int keyCount;
    private final int valueLength;
    private final int tailCount;
    private final int tailValueLength;
    private final int tailKeyRange;

    public StateWorkload(final long seed, final int keyCount, final int valueLength, final int tailCount, final int tailValueLength)
    {
        this(seed, keyCount, valueLength, tailCount, tailValueLength, 0);
    }

    /**
     * @param tailKeyRange the tail writes keys {@code 0 .. tailKeyRange-1} only (0: any key of the state), so states
     *                     of different sizes can get tails that touch the same number of distinct keys.
     */
    public StateWorkload(final long seed, final int keyCount, final int valueLength, final int tailCount, final int tailValueLength,
        final int tailKeyRange)
    {
        if (keyCount < 1 || valueLength < 1 || tailCount < 0 || tailValueLength < 1 || tailKeyRange < 0)
        {
            throw new IllegalArgumentException("bad workload: keyCount=" + keyCount + " valueLength=" + valueLength +
                " tailCount=" + tailCount + " tailValueLength=" + tailValueLength + " tailKeyRange=" + tailKeyRange);
        }
        this.tailKeyRange = tailKeyRange == 0 ? keyCount : Math.min(tailKeyRange, keyCount);
        this.seed = seed;
        this.keyCount = keyCount;
        this.valueLength = valueLength;
        this.tailCount = tailCount;
        this.tailValueLength = tailValueLength;
    }

    public long seed()
    {
        return seed;
    }

    public int keyCount()
    {
        return keyCount;
    }

    public int valueLength()
    {
        return valueLength;
    }

    public int tailCount()
    {
        return tailCount;
    }

    public int tailValueLength()
    {
        return tailValueLength;
    }

    /** @return the tail writes keys below this (the key count unless narrowed). */
    public int tailKeyRange()
    {
        return tailKeyRange;
    }

    /** @return program arguments that recreate this workload with {@link #fromArgs(String[], int)}. */
    public String[] toArgs()
    {
        return new String[] {Long.toString(seed), Integer.toString(keyCount), Integer.toString(valueLength),
            Integer.toString(tailCount), Integer.toString(tailValueLength), Integer.toString(tailKeyRange)};
    }

    public static StateWorkload fromArgs(final String[] args, final int from)
    {
        return new StateWorkload(Long.parseLong(args[from]), Integer.parseInt(args[from + 1]), Integer.parseInt(args[from + 2]),
            Integer.parseInt(args[from + 3]), Integer.parseInt(args[from + 4]), Integer.parseInt(args[from + 5]));
    }

    /** Number of program arguments {@link #toArgs()} produces. */
    public static final int ARG_COUNT = 6;

    /** @return the sequence of keys the tail writes to (call {@link TailKeys#next()} {@code tailCount} times). */
    public TailKeys tailKeys()
    {
        return new TailKeys(new SplittableRandom(seed * GOLDEN + 1), tailKeyRange);
    }

    /** Seeded sequence of tail keys. */
    public static final class TailKeys
    {
        private final SplittableRandom random;
        private final int keyCount;

        private TailKeys(final SplittableRandom random, final int keyCount)
        {
            this.random = random;
            this.keyCount = keyCount;
        }

        public int next()
        {
            return random.nextInt(keyCount);
        }
    }

    /** @return the key of index {@code keyIndex} into {@code sb} (cleared first). */
    public static StringBuilder key(final StringBuilder sb, final int keyIndex)
    {
        sb.setLength(0);
        return sb.append(KEY_PREFIX).append(keyIndex);
    }

    /**
     * Fill {@code value[0..length)} with the value of {@code keyIndex} at {@code generation}.
     */
    public void fillValue(final byte[] value, final int length, final int keyIndex, final long generation)
    {
        long state = mix(seed ^ mix(keyIndex * GOLDEN + generation));
        int i = 0;
        while (i < length)
        {
            state += GOLDEN;
            long bits = mix(state);
            for (int n = 0; n < 16 && i < length; n++, i++)
            {
                value[i] = (byte)('a' + (bits & 15));
                bits >>>= 4;
            }
        }
    }

    /** @return the hash of a value (same for any buffer holding the same bytes). */
    public static long valueHash(final DirectBuffer buffer, final int offset, final int length)
    {
        long h = length * P1;
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            h = Long.rotateLeft(h ^ (buffer.getLong(offset + i) * P2), 31) * P1;
        }
        for (; i < length; i++)
        {
            h = (h ^ buffer.getByte(offset + i)) * P1;
        }
        return mix(h);
    }

    public static long valueHash(final UnsafeBuffer scratch, final byte[] value)
    {
        scratch.wrap(value);
        return valueHash(scratch, 0, value.length);
    }

    /** @return the contribution of one key to the state checksum. */
    public static long keyChecksum(final int keyIndex, final long valueHash)
    {
        return mix(valueHash + keyIndex * GOLDEN);
    }

    /**
     * The checksum of the final state, computed without any store (for self-checks of the harness).
     */
    public long expectedChecksum()
    {
        final long[] hashes = new long[keyCount];
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[0]);
        final byte[] value = new byte[valueLength];
        for (int k = 0; k < keyCount; k++)
        {
            fillValue(value, valueLength, k, 0);
            hashes[k] = valueHash(scratch, value);
        }
        final byte[] tailValue = new byte[tailValueLength];
        final TailKeys keys = tailKeys();
        for (int j = 0; j < tailCount; j++)
        {
            final int k = keys.next();
            fillValue(tailValue, tailValueLength, k, j + 1);
            hashes[k] = valueHash(scratch, tailValue);
        }
        long sum = 0;
        for (int k = 0; k < keyCount; k++)
        {
            sum += keyChecksum(k, hashes[k]);
        }
        return sum;
    }

    public static long mix(final long z0)
    {
        long z = z0;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString()
    {
        return "StateWorkload{seed=" + seed + ", keyCount=" + keyCount + ", valueLength=" + valueLength +
            ", tailCount=" + tailCount + ", tailValueLength=" + tailValueLength + '}';
    }
}
