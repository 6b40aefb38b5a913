package dev.engram.harness.backup;

import dev.engram.harness.recovery.StateWorkload;
import org.agrona.DirectBuffer;

/**
 * Key count and checksum of a whole state read back, held against the model's: every entry is visited once, its
 * key must be {@code user/<i>} with {@code i} below the key count, and the sum of
 * {@link StateWorkload#keyChecksum} over them must be the model's.
 */
final class StateCheck
{
    private final int keyCount;
    private long count;
    private long strangers;
    private long checksum;

    StateCheck(final int keyCount)
    {
        this.keyCount = keyCount;
    }

    void entry(final DirectBuffer key, final int keyOffset, final int keyLength, final DirectBuffer value,
        final int valueOffset, final int valueLength)
    {
        count++;
        final int index = keyIndex(key, keyOffset, keyLength);
        if (index < 0)
        {
            strangers++;
            return;
        }
        checksum += StateWorkload.keyChecksum(index, StateWorkload.valueHash(value, valueOffset, valueLength));
    }

    /** @return {@code i} of a key {@code user/<i>} below the key count, else -1. */
    private int keyIndex(final DirectBuffer key, final int offset, final int length)
    {
        final int prefix = StateWorkload.KEY_PREFIX.length();
        if (length <= prefix || length > prefix + 10)
        {
            return -1;
        }
        for (int i = 0; i < prefix; i++)
        {
            if (key.getByte(offset + i) != StateWorkload.KEY_PREFIX.charAt(i))
            {
                return -1;
            }
        }
        long index = 0;
        for (int i = offset + prefix; i < offset + length; i++)
        {
            final byte b = key.getByte(i);
            if (b < '0' || b > '9')
            {
                return -1;
            }
            index = index * 10 + (b - '0');
        }
        return index < keyCount ? (int)index : -1;
    }

    /**
     * @return {@code "verified: N keys, checksum equal"} when the state read is the expected one, else what differs
     *         (starting with "WRONG").
     */
    String verdict(final long expectedChecksum, final String what)
    {
        if (count == keyCount && strangers == 0 && checksum == expectedChecksum)
        {
            return String.format("verified: %,d keys, checksum = %s", count, what);
        }
        return String.format("WRONG: %,d entries (%,d expected, %,d not user/<i>), checksum %d (%s: %d)", count, keyCount,
            strangers, checksum, what, expectedChecksum);
    }

    static boolean ok(final String verdict)
    {
        return verdict.startsWith("verified");
    }
}
