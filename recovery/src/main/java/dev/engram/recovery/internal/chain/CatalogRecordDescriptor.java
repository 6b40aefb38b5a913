package dev.engram.recovery.internal.chain;

/**
 * Layout of one catalog record: the {@code byte[]} value stored under the checkpoint id (a {@code Long}
 * key) in the catalog's Chronicle Map. Encoded and decoded by {@link CatalogRecord}; no Java
 * serialization. All integers are little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+-------------------------------+
 *  | Record Version|  Kind (0 full |   File Name Length (u16)      |   0
 *  |     (= 1)     |    1 delta)   |                               |
 *  +---------------+---------------+-------------------------------+
 *  |                     Chain Ordinal (u32)                       |   4
 *  +---------------------------------------------------------------+
 *  |                     Checkpoint Id (u64)                       |   8
 *  +---------------------------------------------------------------+
 *  |                     State Version (u64)                       |  16
 *  +---------------------------------------------------------------+
 *  |                 Journal Resume Version (u64)                  |  24
 *  +---------------------------------------------------------------+
 *  |                Parent Id (u64, 0 for a full)                  |  32
 *  +---------------------------------------------------------------+
 *  |                       Base Id (u64)                           |  40
 *  +---------------------------------------------------------------+
 *  |                    File Length (u64, bytes)                   |  48
 *  +---------------------------------------------------------------+
 *  |                    Created (u64, epoch ms)                    |  56
 *  +---------------------------------------------------------------+
 *  |                  Merkle Root (32 bytes, SHA-256)             ...  64
 *  +---------------------------------------------------------------+
 *  |            File Name (UTF-8, File Name Length bytes)         ...  96
 *  +---------------------------------------------------------------+
 *  |   CRC32C (u32, over [0, 96 + File Name Length))               |  96 + File Name Length
 *  +---------------------------------------------------------------+
 * </pre>
 * (Each u64 row above is 8 bytes.)
 */
public final class CatalogRecordDescriptor
{
    public static final int RECORD_VERSION = 1;
    public static final int KIND_FULL = 0;
    public static final int KIND_DELTA = 1;

    public static final int RECORD_VERSION_OFFSET = 0;
    public static final int KIND_OFFSET = 1;
    public static final int FILE_NAME_LENGTH_OFFSET = 2;
    public static final int CHAIN_ORDINAL_OFFSET = 4;
    public static final int CHECKPOINT_ID_OFFSET = 8;
    public static final int STATE_VERSION_OFFSET = 16;
    public static final int JOURNAL_RESUME_VERSION_OFFSET = 24;
    public static final int PARENT_ID_OFFSET = 32;
    public static final int BASE_ID_OFFSET = 40;
    public static final int FILE_LENGTH_OFFSET = 48;
    public static final int CREATED_EPOCH_MS_OFFSET = 56;
    public static final int MERKLE_ROOT_OFFSET = 64;
    public static final int FILE_NAME_OFFSET = 96;
    public static final int CRC_LENGTH = 4;

    private CatalogRecordDescriptor()
    {
    }

    /**
     * @param fileNameLength UTF-8 bytes of the file name.
     * @return the record's length.
     */
    public static int recordLength(final int fileNameLength)
    {
        return FILE_NAME_OFFSET + fileNameLength + CRC_LENGTH;
    }
}
