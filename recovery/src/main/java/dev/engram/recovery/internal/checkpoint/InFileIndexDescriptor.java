package dev.engram.recovery.internal.checkpoint;

/**
 * Layout of the in-file key index, which follows the block table: an open-addressing hash table with
 * linear probing over every entry of the file (tombstones included). All integers are little-endian.
 *
 * <pre>
 *   Slot (16 bytes), Slot Count of them, Slot Count a power of two >= max(2, 2 x Entry Count):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |        Key Hash (u64, {@link KeyHash}; 0 = empty slot)        |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |  Location (u64) = Block Index (high 32) | Offset In Raw Block |  8
 *  |                   (low 32)                                    |
 *  +---------------------------------------------------------------+
 * </pre>
 * A key with hash {@code h} is looked for from slot {@code h & (slotCount - 1)} onwards (wrapping), until
 * an empty slot. Equal hashes are possible for different keys, so a reader compares the key bytes stored
 * in the entry the location points at. The writer inserts entries in the order they were written.
 */
public final class InFileIndexDescriptor
{
    public static final int KEY_HASH_OFFSET = 0;
    public static final int LOCATION_OFFSET = 8;
    public static final int SLOT_LENGTH = 16;
    public static final long EMPTY_HASH = 0L;
    public static final long MIN_SLOT_COUNT = 2;
    /** Largest slot count: 2^40 slots (16 TiB of index) is far beyond any file this version writes. */
    public static final long MAX_SLOT_COUNT = 1L << 40;

    private InFileIndexDescriptor()
    {
    }

    /**
     * @param entryCount entries the index covers.
     * @return the slot count the writer uses: the smallest power of two at least
     * {@code max(2, 2 x entryCount)}.
     */
    public static long slotCountFor(final long entryCount)
    {
        final long wanted = Math.max(MIN_SLOT_COUNT, 2 * entryCount);
        return Long.highestOneBit(wanted - 1) << 1;
    }

    /**
     * @param blockIndex   the block holding the entry.
     * @param offsetInBlock where the entry starts in the raw block.
     * @return the slot's location word.
     */
    public static long location(final int blockIndex, final int offsetInBlock)
    {
        return ((long)blockIndex << 32) | (offsetInBlock & 0xFFFF_FFFFL);
    }

    /**
     * @param location a location word.
     * @return its block index.
     */
    public static int blockIndex(final long location)
    {
        return (int)(location >>> 32);
    }

    /**
     * @param location a location word.
     * @return its offset inside the raw block.
     */
    public static long offsetInBlock(final long location)
    {
        return location & 0xFFFF_FFFFL;
    }

    /**
     * @param slot a slot number.
     * @return the slot's offset inside the index region.
     */
    public static long slotOffset(final long slot)
    {
        return slot * SLOT_LENGTH;
    }
}
