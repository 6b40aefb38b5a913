package dev.engram.harness.stress;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A set of keys {@code <prefix><index>} (index zero-padded to five digits, so a prefix of the padded form
 * selects a known range), their hashes, and per key the newest stamp known to be applied: its writer raises
 * that floor after {@code awaitApplied}, readers read it before a read and require a value at least as new.
 */
final class StressKeys
{
    private final String prefix;
    private final String[] names;
    private final long[] hashes;
    private final AtomicLongArray floors;

    StressKeys(final String prefix, final int count)
    {
        this.prefix = prefix;
        this.names = new String[count];
        this.hashes = new long[count];
        this.floors = new AtomicLongArray(count);
        for (int i = 0; i < count; i++)
        {
            names[i] = String.format("%s%05d", prefix, i);
            hashes[i] = StressValue.keyHash(names[i]);
        }
    }

    String prefix()
    {
        return prefix;
    }

    int count()
    {
        return names.length;
    }

    String name(final int index)
    {
        return names[index];
    }

    long hash(final int index)
    {
        return hashes[index];
    }

    long floor(final int index)
    {
        return floors.get(index);
    }

    /**
     * @return a copy of every floor (taken before an iteration: it must see at least these).
     */
    long[] floors()
    {
        final long[] copy = new long[names.length];
        for (int i = 0; i < copy.length; i++)
        {
            copy[i] = floors.get(i);
        }
        return copy;
    }

    void raiseFloor(final int index, final long stamp)
    {
        floors.accumulateAndGet(index, stamp, Math::max);
    }

    /**
     * @return the key's index in this set, or -1 if it is not one of its keys.
     */
    int indexOf(final String key)
    {
        if (!key.startsWith(prefix) || key.length() != prefix.length() + 5)
        {
            return -1;
        }
        int index = 0;
        for (int i = prefix.length(); i < key.length(); i++)
        {
            final char c = key.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            index = index * 10 + (c - '0');
        }
        return index < names.length ? index : -1;
    }
}
