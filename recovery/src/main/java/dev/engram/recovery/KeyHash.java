package dev.engram.recovery;

import org.agrona.DirectBuffer;

/**
 * The 64-bit key hash: FNV-1a 64 over the UTF-8 bytes, then murmur3's fmix64 finaliser; 0 maps to 1
 * so 0 can mark an empty slot.
 */
final class KeyHash
{
    private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private KeyHash()
    {
    }

    static long hash(final DirectBuffer buffer, final int offset, final int length)
    {
        long h = FNV_OFFSET_BASIS;
        for (int i = 0; i < length; i++)
        {
            h ^= buffer.getByte(offset + i) & 0xFF;
            h *= FNV_PRIME;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
