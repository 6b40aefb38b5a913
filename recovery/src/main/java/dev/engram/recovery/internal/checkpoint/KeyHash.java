package dev.engram.recovery.internal.checkpoint;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

/**
 * The 64-bit key hash of checkpoint format v1 (part of the format: the in-file index stores it).
 * <ol>
 *     <li>FNV-1a 64 over the key's UTF-8 bytes: {@code h = 0xcbf29ce484222325}; for each byte
 *     {@code b} (as an unsigned value 0..255) {@code h = (h XOR b) * 0x100000001b3} (mod 2^64);</li>
 *     <li>then the MurmurHash3 {@code fmix64} finaliser: {@code h ^= h >>> 33; h *= 0xff51afd7ed558ccd;
 *     h ^= h >>> 33; h *= 0xc4ceb9fe1a85ec53; h ^= h >>> 33};</li>
 *     <li>a result of 0 becomes 1 (0 marks an empty index slot).</li>
 * </ol>
 * Examples (tested): the one-byte key {@code "a"} hashes to {@link #HASH_OF_A}.
 */
public final class KeyHash
{
    public static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
    public static final long FNV_PRIME = 0x100000001b3L;
    public static final long FMIX_C1 = 0xff51afd7ed558ccdL;
    public static final long FMIX_C2 = 0xc4ceb9fe1a85ec53L;
    /** hash("a"), pinned by a test so the function cannot drift. */
    public static final long HASH_OF_A = 0x82a2a958a9bece5bL;

    private KeyHash()
    {
    }

    /**
     * @param key    holding the UTF-8 key.
     * @param offset first byte.
     * @param length byte count.
     * @return the key hash, never 0.
     */
    public static long hash(final DirectBuffer key, final int offset, final int length)
    {
        long h = FNV_OFFSET_BASIS;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ (key.getByte(offset + i) & 0xFF)) * FNV_PRIME;
        }
        return finish(h);
    }

    /**
     * @param key    UTF-8 key bytes.
     * @param offset first byte.
     * @param length byte count.
     * @return the key hash, never 0.
     */
    public static long hash(final byte[] key, final int offset, final int length)
    {
        long h = FNV_OFFSET_BASIS;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ (key[offset + i] & 0xFF)) * FNV_PRIME;
        }
        return finish(h);
    }

    /**
     * @param base    the byte array holding the key, or null for native memory.
     * @param address the key's first byte: a native address, or (with {@code base}) the array's base offset plus
     *                the index, as {@link DirectBuffer#addressOffset()} gives.
     * @param length  byte count.
     * @return the key hash, never 0.
     */
    public static long hash(final byte[] base, final long address, final int length)
    {
        long h = FNV_OFFSET_BASIS;
        for (int i = 0; i < length; i++)
        {
            h = (h ^ (UnsafeApi.getByte(base, address + i) & 0xFF)) * FNV_PRIME;
        }
        return finish(h);
    }

    private static long finish(final long fnv)
    {
        long h = fnv;
        h ^= h >>> 33;
        h *= FMIX_C1;
        h ^= h >>> 33;
        h *= FMIX_C2;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }
}
