package dev.engram.recovery.internal.checkpoint;

import java.nio.charset.StandardCharsets;

/**
 * Layout of the 128-byte footer at the end of every checkpoint file, format version 1. All integers are
 * little-endian. It is written last, just before the file is forced and renamed into place, so a file
 * whose footer checks out was completely written.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic "ENGRMFTR" (8 ASCII bytes)             |   0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                      Block Count (u64)                        |   8
 *  +---------------------------------------------------------------+
 *  |             Block Table Offset (u64, in the file)             |  16
 *  +---------------------------------------------------------------+
 *  |                Index Offset (u64, in the file)                |  24
 *  +---------------------------------------------------------------+
 *  |         Index Slot Count (u64, a power of two >= 2)           |  32
 *  +---------------------------------------------------------------+
 *  |          Entry Count (u64, puts + tombstones)                 |  40
 *  +---------------------------------------------------------------+
 *  |                    Tombstone Count (u64)                      |  48
 *  +---------------------------------------------------------------+
 *  |            Raw Value Bytes (u64, sum of value lengths)        |  56
 *  +---------------------------------------------------------------+
 *  |              Merkle Root (32 bytes, SHA-256)                 ...  64
 *  +---------------------------------------------------------------+
 *  |          Checkpoint Id (u64, repeats the header's)            |  96
 *  +---------------------------------------------------------------+
 *  |             Raw Key Bytes (u64, sum of key lengths)           | 104
 *  +---------------------------------------------------------------+
 *  |          Block Table CRC32C (u32, over the whole table)       | 112
 *  +---------------------------------------------------------------+
 *  |            Index CRC32C (u32, over the whole index)           | 116
 *  +---------------------------------------------------------------+
 *  |                       Reserved (u32, 0)                       | 120
 *  +---------------------------------------------------------------+
 *  |           Footer CRC32C (u32, over bytes [0, 124))            | 124
 *  +---------------------------------------------------------------+
 * </pre>
 * (Each u64 row above is two 32-bit words.) The footer starts at {@code fileLength - 128}.
 */
public final class CheckpointFooterDescriptor
{
    /** "ENGRMFTR" in ASCII. */
    public static final byte[] MAGIC = "ENGRMFTR".getBytes(StandardCharsets.US_ASCII);

    public static final int MAGIC_OFFSET = 0;
    public static final int BLOCK_COUNT_OFFSET = 8;
    public static final int BLOCK_TABLE_OFFSET_OFFSET = 16;
    public static final int INDEX_OFFSET_OFFSET = 24;
    public static final int INDEX_SLOT_COUNT_OFFSET = 32;
    public static final int ENTRY_COUNT_OFFSET = 40;
    public static final int TOMBSTONE_COUNT_OFFSET = 48;
    public static final int RAW_VALUE_BYTES_OFFSET = 56;
    public static final int MERKLE_ROOT_OFFSET = 64;
    public static final int MERKLE_ROOT_LENGTH = 32;
    public static final int CHECKPOINT_ID_OFFSET = 96;
    public static final int RAW_KEY_BYTES_OFFSET = 104;
    public static final int BLOCK_TABLE_CRC_OFFSET = 112;
    public static final int INDEX_CRC_OFFSET = 116;
    public static final int RESERVED_OFFSET = 120;
    public static final int FOOTER_CRC_OFFSET = 124;
    public static final int FOOTER_LENGTH = 128;

    private CheckpointFooterDescriptor()
    {
    }

    /**
     * @param fileLength the checkpoint file's length.
     * @return where its footer starts.
     */
    public static long footerOffset(final long fileLength)
    {
        return fileLength - FOOTER_LENGTH;
    }
}
