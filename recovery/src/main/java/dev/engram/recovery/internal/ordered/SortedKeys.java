package dev.engram.recovery.internal.ordered;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * An immutable set of keys in {@link dev.engram.recovery.internal.checkpoint.KeyOrder}: their UTF-8 bytes packed in order in one array, and where each
 * starts. Thread-safe (never changed after {@link Builder#build()}). Heap: the key bytes plus 4 bytes a key.
 */
public final class SortedKeys
{
    public static final SortedKeys EMPTY = new SortedKeys(new byte[0], new int[1], 0);

    private final byte[] data;
    private final int[] offsets;
    private final int size;

    private SortedKeys(final byte[] data, final int[] offsets, final int size)
    {
        this.data = data;
        this.offsets = offsets;
        this.size = size;
    }

    public int size()
    {
        return size;
    }

    /**
     * @return a new read-only view over the packed keys (key i is {@code [keyOffset(i), keyOffset(i) + keyLength(i))}).
     */
    public UnsafeBuffer newView()
    {
        return new UnsafeBuffer(data);
    }

    public int keyOffset(final int i)
    {
        return offsets[i];
    }

    public int keyLength(final int i)
    {
        return offsets[i + 1] - offsets[i];
    }

    /**
     * @return key i decoded (allocates; tests and tools).
     */
    public String key(final int i)
    {
        return new String(data, offsets[i], keyLength(i), java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * @return the first index whose key is at or after {@code key} ({@link #size()} if none): a binary search.
     */
    public int lowerBound(final byte[] key)
    {
        int low = 0;
        int high = size;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (Arrays.compareUnsigned(data, offsets[mid], offsets[mid + 1], key, 0, key.length) < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    /**
     * The keys of this set changed by {@code changes} (keys a newer source decides: those live there are in the
     * result, the others are not), in one linear merge.
     *
     * @param changes the newer source's keys: each key once, in order, with whether it is live.
     */
    SortedKeys apply(final SortedKeys changes, final boolean[] changeLive)
    {
        final Builder out = new Builder(size + changes.size, data.length + changes.data.length);
        int i = 0;
        int j = 0;
        while (i < size || j < changes.size)
        {
            final int c = i >= size ? 1 : j >= changes.size ? -1 :
                Arrays.compareUnsigned(data, offsets[i], offsets[i + 1], changes.data, changes.offsets[j], changes.offsets[j + 1]);
            if (c < 0)
            {
                out.add(data, offsets[i], keyLength(i));
                i++;
            }
            else
            {
                if (changeLive[j])
                {
                    out.add(changes.data, changes.offsets[j], changes.keyLength(j));
                }
                j++;
                if (c == 0)
                {
                    i++;
                }
            }
        }
        return out.build();
    }

    /** Appends keys in order. */
    static final class Builder
    {
        private byte[] data;
        private int[] offsets;
        private int size;

        Builder(final int expectedKeys, final int expectedBytes)
        {
            data = new byte[Math.max(16, expectedBytes)];
            offsets = new int[Math.max(2, expectedKeys + 1)];
        }

        void add(final byte[] src, final int offset, final int length)
        {
            if (size + 1 >= offsets.length)
            {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            final int end = offsets[size];
            if (end + length > data.length)
            {
                data = Arrays.copyOf(data, (int)Math.min(Integer.MAX_VALUE - 16, Math.max(data.length * 2L, (long)end + length)));
            }
            System.arraycopy(src, offset, data, end, length);
            size++;
            offsets[size] = end + length;
        }

        SortedKeys build()
        {
            final int end = offsets[size];
            return new SortedKeys(end == data.length ? data : Arrays.copyOf(data, end),
                offsets.length == size + 1 ? offsets : Arrays.copyOf(offsets, size + 1), size);
        }
    }

    @Override
    public String toString()
    {
        return "SortedKeys{size=" + size + " bytes=" + data.length + "}";
    }
}
