package dev.engram.recovery.internal.ordered;

import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * Keys gathered in any order, each with a rank (which source it came from: a higher rank decides over a lower
 * one for the same key) and whether it is live there; {@link #sortedLive()} sorts them and keeps, per key, the
 * entry of the highest rank if that one is live. On the heap: the key bytes packed, plus 9 bytes a key.
 */
final class KeyCollector
{
    private byte[] data = new byte[4096];
    private int dataLength;
    private int[] offsets = new int[256];
    private int[] ranks = new int[256];
    private boolean[] live = new boolean[256];
    private int count;

    void add(final DirectBuffer key, final int keyOffset, final int keyLength, final int rank, final boolean isLive)
    {
        if (count + 1 >= offsets.length)
        {
            final int capacity = offsets.length * 2;
            offsets = Arrays.copyOf(offsets, capacity);
            ranks = Arrays.copyOf(ranks, capacity);
            live = Arrays.copyOf(live, capacity);
        }
        if ((long)dataLength + keyLength > Integer.MAX_VALUE - 16)
        {
            throw new IllegalStateException("ordered key index: the keys of one chain exceed 2 GiB of UTF-8 bytes " +
                "(an ordered scan needs them in one sorted array)");
        }
        if (dataLength + keyLength > data.length)
        {
            data = Arrays.copyOf(data, (int)Math.min(Integer.MAX_VALUE - 16, Math.max(data.length * 2L, dataLength + (long)keyLength)));
        }
        key.getBytes(keyOffset, data, dataLength, keyLength);
        offsets[count] = dataLength;
        ranks[count] = rank;
        live[count] = isLive;
        dataLength += keyLength;
        count++;
        offsets[count] = dataLength;
    }

    int count()
    {
        return count;
    }

    /**
     * @return the live keys, sorted, each once.
     */
    SortedKeys sortedLive()
    {
        final int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }
        IndexSort.sort(order, (x, y) ->
        {
            final int c = Arrays.compareUnsigned(data, offsets[x], offsets[x + 1], data, offsets[y], offsets[y + 1]);
            return c != 0 ? c : Integer.compare(ranks[y], ranks[x]);   // the highest rank first
        });
        final SortedKeys.Builder out = new SortedKeys.Builder(count, dataLength);
        int previous = -1;
        for (final int i : order)
        {
            if (previous >= 0 &&
                Arrays.equals(data, offsets[i], offsets[i + 1], data, offsets[previous], offsets[previous + 1]))
            {
                continue;   // an older entry of a key decided above
            }
            previous = i;
            if (live[i])
            {
                out.add(data, offsets[i], offsets[i + 1] - offsets[i]);
            }
        }
        return out.build();
    }
}
