package dev.engram.harness.stress;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.zip.CRC32C;

/**
 * The self-validating values of the stress suite. A value is 1..{@link #MAX_REGIONS} regions of
 * {@link #REGION_LENGTH} bytes; each region carries the key's hash, its own index, the region count, the
 * stamp of the PUT the value was built from ({@code base}), the stamp of the op that last wrote it and a
 * CRC32C over all of that. A PUT writes every region with one stamp; a PATCH rewrites one whole region at its
 * offset with a newer stamp and the same base. So any read of a value can be checked on its own: a torn
 * region (CRC), bytes of two PUTs (bases differ), another key's value (hash), a wrong length, a region at the
 * wrong offset, a stamp never issued, or a stamp older than the reader knows was applied (stale).
 * <pre>
 *   offset  length  field
 *   0       4       magic 0x53525453 ("STRS" little-endian; never the typed-value envelope's 0xe7)
 *   4       2       region index
 *   6       2       region count
 *   8       8       key hash ({@link #keyHash})
 *   16      8       base stamp (the PUT)
 *   24      8       stamp (the op that wrote this region)
 *   32      28      filler derived from stamp and index
 *   60      4       CRC32C of bytes 0..59
 * </pre>
 * One checker per thread (it holds a CRC32C).
 */
final class StressValue
{
    static final int REGION_LENGTH = 64;
    static final int MAX_REGIONS = 6;
    static final int MAGIC = 0x53525453;

    private static final int INDEX_OFFSET = 4;
    private static final int COUNT_OFFSET = 6;
    private static final int KEY_HASH_OFFSET = 8;
    private static final int BASE_OFFSET = 16;
    private static final int STAMP_OFFSET = 24;
    private static final int FILLER_OFFSET = 32;
    private static final int CRC_OFFSET = 60;

    private final CRC32C crc = new CRC32C();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[0]);
    private long maxStamp;

    /**
     * @return a 64-bit hash of the key's characters (FNV-1a), never 0.
     */
    static long keyHash(final String key)
    {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < key.length(); i++)
        {
            hash ^= key.charAt(i);
            hash *= 0x100000001b3L;
        }
        return hash == 0 ? 1 : hash;
    }

    /**
     * @return a whole value as a PUT writes it: {@code regions} regions, all stamped {@code stamp}.
     */
    byte[] value(final long keyHash, final int regions, final long stamp)
    {
        final byte[] value = new byte[regions * REGION_LENGTH];
        for (int i = 0; i < regions; i++)
        {
            writeRegion(value, i * REGION_LENGTH, keyHash, i, regions, stamp, stamp);
        }
        return value;
    }

    /**
     * @return one region as a PATCH at {@code index * REGION_LENGTH} writes it.
     */
    byte[] region(final long keyHash, final int index, final int regions, final long base, final long stamp)
    {
        final byte[] region = new byte[REGION_LENGTH];
        writeRegion(region, 0, keyHash, index, regions, base, stamp);
        return region;
    }

    private void writeRegion(final byte[] target, final int offset, final long keyHash, final int index, final int regions,
        final long base, final long stamp)
    {
        buffer.wrap(target, offset, REGION_LENGTH);
        buffer.putInt(0, MAGIC);
        buffer.putShort(INDEX_OFFSET, (short)index);
        buffer.putShort(COUNT_OFFSET, (short)regions);
        buffer.putLong(KEY_HASH_OFFSET, keyHash);
        buffer.putLong(BASE_OFFSET, base);
        buffer.putLong(STAMP_OFFSET, stamp);
        long filler = mix(stamp * 31 + index);
        for (int i = FILLER_OFFSET; i + 8 <= CRC_OFFSET; i += 8)
        {
            buffer.putLong(i, filler);
            filler = mix(filler);
        }
        buffer.putInt(FILLER_OFFSET + 24, (int)filler);
        crc.reset();
        crc.update(target, offset, CRC_OFFSET);
        buffer.putInt(CRC_OFFSET, (int)crc.getValue());
    }

    /**
     * Check a value read for {@code key}.
     *
     * @param floor   the newest stamp of this key the reader knows was applied before the read (0: none); the
     *                value must be at least that new.
     * @param ceiling the newest stamp issued when the read returned; no region may be newer.
     * @return null if the value is good (its newest stamp is then {@link #maxStamp()}), else what is wrong.
     */
    String check(final String key, final long keyHash, final byte[] value, final long floor, final long ceiling)
    {
        maxStamp = 0;
        if (value.length == 0 || value.length % REGION_LENGTH != 0 || value.length > MAX_REGIONS * REGION_LENGTH)
        {
            return describe(key, value, "length " + value.length + " is not 1.." + MAX_REGIONS + " regions of " + REGION_LENGTH);
        }
        final int regions = value.length / REGION_LENGTH;
        long base = 0;
        for (int i = 0; i < regions; i++)
        {
            final int offset = i * REGION_LENGTH;
            buffer.wrap(value, offset, REGION_LENGTH);
            crc.reset();
            crc.update(value, offset, CRC_OFFSET);
            if (buffer.getInt(CRC_OFFSET) != (int)crc.getValue() || buffer.getInt(0) != MAGIC)
            {
                return describe(key, value, "region " + i + " is torn or garbage (CRC32C/magic mismatch)");
            }
            final int index = buffer.getShort(INDEX_OFFSET);
            final int count = buffer.getShort(COUNT_OFFSET);
            final long hash = buffer.getLong(KEY_HASH_OFFSET);
            final long regionBase = buffer.getLong(BASE_OFFSET);
            final long stamp = buffer.getLong(STAMP_OFFSET);
            if (hash != keyHash)
            {
                return describe(key, value, "region " + i + " belongs to another key (hash " + Long.toHexString(hash) +
                    ", expected " + Long.toHexString(keyHash) + ")");
            }
            if (index != i || count != regions)
            {
                return describe(key, value, "region " + i + " says it is region " + index + " of " + count +
                    " but the value has " + regions);
            }
            if (i == 0)
            {
                base = regionBase;
            }
            else if (regionBase != base)
            {
                return describe(key, value, "mixed versions: region 0 was put at stamp " + base + ", region " + i +
                    " at stamp " + regionBase);
            }
            if (stamp < regionBase || stamp > ceiling)
            {
                return describe(key, value, "region " + i + " has stamp " + stamp + " outside [base " + regionBase +
                    ", issued " + ceiling + "]");
            }
            maxStamp = Math.max(maxStamp, stamp);
        }
        if (maxStamp < floor)
        {
            return describe(key, value, "stale: newest stamp " + maxStamp + " but stamp " + floor +
                " was applied before the read");
        }
        return null;
    }

    /**
     * @return the newest stamp of the value last checked good.
     */
    long maxStamp()
    {
        return maxStamp;
    }

    private static String describe(final String key, final byte[] value, final String problem)
    {
        final StringBuilder sb = new StringBuilder("wrong value of '").append(key).append("' (").append(value.length)
            .append(" bytes): ").append(problem).append("; first bytes:");
        for (int i = 0; i < Math.min(32, value.length); i++)
        {
            sb.append(i % 8 == 0 ? " " : "").append(String.format("%02x", value[i]));
        }
        return sb.toString();
    }

    private static long mix(final long x)
    {
        long z = x + 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
