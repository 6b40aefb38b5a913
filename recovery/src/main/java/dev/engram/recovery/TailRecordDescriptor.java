package dev.engram.recovery;

/**
 * In-memory layout of {@link PartitionedTailIndexer}'s buffers (never stored on disk; native byte order).
 * <p>
 * A partition is a chain of blocks; a block starts with a 16-byte header:
 * <pre>
 *   0  next block address   u64 (0 = last)
 *   8  capacity             u32 (bytes, header included)
 *  12  used                 u32 (bytes, header included)
 * </pre>
 * followed by records, each 8-byte aligned:
 * <pre>
 *   0  record length        u32 (this header + key, padded to 8)
 *   4  op                   u8  (OpType code)
 *   5  (unused)             u8
 *   6  key length           u16
 *   8  key hash             u64 (KeyHash)
 *  16  version              u64
 *  24  journal cycle        i32
 *  28  data length          u32
 *  32  data position        u64 (byte position of the op's data in the cycle file)
 *  40  patch offset         u64 (PATCH; 0 otherwise)
 *  48  key bytes            key length bytes, then zero padding to 8
 * </pre>
 */
final class TailRecordDescriptor
{
    static final int BLOCK_NEXT_OFFSET = 0;
    static final int BLOCK_CAPACITY_OFFSET = 8;
    static final int BLOCK_USED_OFFSET = 12;
    static final int BLOCK_HEADER_LENGTH = 16;

    static final int LENGTH_OFFSET = 0;
    static final int OP_OFFSET = 4;
    static final int KEY_LENGTH_OFFSET = 6;
    static final int HASH_OFFSET = 8;
    static final int VERSION_OFFSET = 16;
    static final int CYCLE_OFFSET = 24;
    static final int DATA_LENGTH_OFFSET = 28;
    static final int DATA_POSITION_OFFSET = 32;
    static final int PATCH_OFFSET_OFFSET = 40;
    static final int KEY_OFFSET = 48;
    static final int RECORD_HEADER_LENGTH = KEY_OFFSET;

    private TailRecordDescriptor()
    {
    }

    /**
     * @param keyLength key bytes.
     * @return the record's length, padded to 8 bytes.
     */
    static int recordLength(final int keyLength)
    {
        return (KEY_OFFSET + keyLength + 7) & ~7;
    }
}
