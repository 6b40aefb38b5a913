package dev.engram.recovery.internal.overlay;

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
 *   0  journal cycle        i32
 *   4  key length           u16
 *   6  op                   u8  (OpType code, or QUARANTINE_OP: the key is quarantined; data position is then
 *                               the index of the reason in the indexer's list, data length its length)
 *   7  (unused)             u8
 *   8  key hash             u64 (KeyHash)
 *  16  version              u64
 *  24  data position        u64 (byte position of the op's data in the cycle file)
 *  32  data length          u32
 *  36  key bytes            key length bytes
 *  36 + key length: patch offset u64 (PATCH only), then zero padding to 8
 * </pre>
 * A record's length follows from its op and key length ({@link #recordLength}).
 */
final class TailRecordDescriptor
{
    static final int BLOCK_NEXT_OFFSET = 0;
    static final int BLOCK_CAPACITY_OFFSET = 8;
    static final int BLOCK_USED_OFFSET = 12;
    static final int BLOCK_HEADER_LENGTH = 16;

    static final int CYCLE_OFFSET = 0;
    static final int KEY_LENGTH_OFFSET = 4;
    static final int OP_OFFSET = 6;
    /** Not an OpType code: a record that quarantines its key (a frame that cannot be applied). */
    static final byte QUARANTINE_OP = 0x40;
    static final int HASH_OFFSET = 8;
    static final int VERSION_OFFSET = 16;
    static final int DATA_POSITION_OFFSET = 24;
    static final int DATA_LENGTH_OFFSET = 32;
    static final int KEY_OFFSET = 36;

    private TailRecordDescriptor()
    {
    }

    /**
     * @param keyLength key bytes.
     * @param patch     whether the record is a PATCH (it then carries the patch offset after the key).
     * @return the record's length, padded to 8 bytes.
     */
    static int recordLength(final int keyLength, final boolean patch)
    {
        return (KEY_OFFSET + keyLength + (patch ? 8 : 0) + 7) & ~7;
    }

    /**
     * @return where a PATCH record's patch offset is.
     */
    static int patchOffsetOffset(final int keyLength)
    {
        return KEY_OFFSET + keyLength;
    }
}
