package dev.engram.recovery.internal.checkpoint;

import org.agrona.UnsafeApi;

/**
 * The order of keys: unsigned bytes of their UTF-8 encoding, shorter first on a common prefix (the order of
 * {@link java.util.Arrays#compareUnsigned(byte[], byte[])}; for keys without unpaired surrogates it is also the
 * order of their code points).
 */
public final class KeyOrder
{
    private static final boolean NATIVE_BIG_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN;

    private KeyOrder()
    {
    }

    /**
     * Compare keys on or off the heap ({@code Unsafe} addressing: an array and an offset from its base, or a null
     * object and an address).
     */
    public static int compare(final Object a, final long aAddress, final int aLength, final Object b, final long bAddress,
        final int bLength)
    {
        final int common = Math.min(aLength, bLength);
        int i = 0;
        for (; i + 8 <= common; i += 8)
        {
            long x = UnsafeApi.getLong(a, aAddress + i);
            long y = UnsafeApi.getLong(b, bAddress + i);
            if (x != y)
            {
                if (!NATIVE_BIG_ENDIAN)
                {
                    x = Long.reverseBytes(x);
                    y = Long.reverseBytes(y);
                }
                return Long.compareUnsigned(x, y);
            }
        }
        for (; i < common; i++)
        {
            final int x = UnsafeApi.getByte(a, aAddress + i) & 0xFF;
            final int y = UnsafeApi.getByte(b, bAddress + i) & 0xFF;
            if (x != y)
            {
                return x - y;
            }
        }
        return aLength - bLength;
    }

    /**
     * @return the smallest key after every key starting with {@code prefix} (the prefix with trailing 0xFF bytes
     * dropped and its last byte incremented), or null if there is none (the prefix is empty or all 0xFF).
     */
    public static byte[] prefixEnd(final byte[] prefix)
    {
        int end = prefix.length;
        while (end > 0 && prefix[end - 1] == (byte)0xFF)
        {
            end--;
        }
        if (end == 0)
        {
            return null;
        }
        final byte[] bound = java.util.Arrays.copyOf(prefix, end);
        bound[end - 1]++;
        return bound;
    }
}
