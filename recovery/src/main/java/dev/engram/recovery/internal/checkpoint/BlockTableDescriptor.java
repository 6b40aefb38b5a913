package dev.engram.recovery.internal.checkpoint;

/**
 * Layout of one 32-byte row of the block table, which follows the last data block. Row {@code i}
 * describes data block {@code i}. All integers are little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            File Offset (u64, first stored byte)               |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            Stored Length (u32, bytes in the file)             |  8
 *  +---------------------------------------------------------------+
 *  |        Raw Length (u32, bytes once decompressed)              | 12
 *  +---------------------------------------------------------------+
 *  |              CRC32C (u32, of the stored bytes)                | 16
 *  +---------------------------------------------------------------+
 *  |                     Entry Count (u32)                         | 20
 *  +---------------+-----------------------------------------------+
 *  |  Block Flags  |              Reserved (7 bytes, 0)           ... 24
 *  +---------------+-----------------------------------------------+
 * </pre>
 * Block flags: {@link #FLAG_ZSTD} when the stored bytes are one zstd frame (otherwise they are the raw
 * block). A compressed file stores a block raw when zstd would not make it smaller. {@link #FLAG_PAGE} (format 2
 * only) marks a <b>page block</b>: its raw bytes are one page of a paged value (see {@link PageMapDescriptor}),
 * not entries, and its entry count is 0.
 * Data blocks are contiguous: block 0 starts at {@link CheckpointHeaderDescriptor#HEADER_LENGTH}, and
 * each next block starts where the previous one's stored bytes end; the block table starts where the
 * last block ends.
 */
public final class BlockTableDescriptor
{
    public static final int FILE_OFFSET_OFFSET = 0;
    public static final int STORED_LENGTH_OFFSET = 8;
    public static final int RAW_LENGTH_OFFSET = 12;
    public static final int CRC_OFFSET = 16;
    public static final int ENTRY_COUNT_OFFSET = 20;
    public static final int FLAGS_OFFSET = 24;
    public static final int RESERVED_OFFSET = 25;
    public static final int ROW_LENGTH = 32;

    public static final int FLAG_ZSTD = 0x1;
    /** A page block (format 2): one page of a paged value; entry count 0. */
    public static final int FLAG_PAGE = 0x2;

    private BlockTableDescriptor()
    {
    }

    /**
     * @param blockIndex a block's index.
     * @return the offset of its row inside the block table.
     */
    public static long rowOffset(final int blockIndex)
    {
        return (long)blockIndex * ROW_LENGTH;
    }
}
