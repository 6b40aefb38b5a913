package dev.engram.recovery.internal.history;

import java.nio.charset.StandardCharsets;

/**
 * Layout of one segment of the per-key history index ({@code <state dir>/history-index/*.khi}): every op the
 * journal holds in the versions {@code [firstVersion, lastVersion]}, grouped by key. All integers little-endian.
 * Written once (temp file, fsync, rename, fsync of the directory), never changed; rebuilt from the journal
 * when missing, stale or damaged. See docs/history.md ("Key history index").
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Magic "ENGRMKHI" (8 ASCII bytes)              |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Format Version (u32, = 1)                    |  8
 *  +---------------------------------------------------------------+
 *  |                       Key Count (u32)                         | 12
 *  +---------------------------------------------------------------+
 *  |                    First Version (u64)                        | 16
 *  +---------------------------------------------------------------+
 *  |                     Last Version (u64)                        | 24
 *  +---------------------------------------------------------------+
 *  |     First Timestamp (u64, epoch ns of the first version)      | 32
 *  +---------------------------------------------------------------+
 *  |      Last Timestamp (u64, epoch ns of the last version)       | 40
 *  +---------------------------------------------------------------+
 *  |                    Change Count (u64)                         | 48
 *  +---------------------------------------------------------------+
 *  |                    Reserved (u64, = 0)                        | 56
 *  +---------------------------------------------------------------+
 *  |   Slot table: Key Count slots of 16 bytes, by key hash        ... 64
 *  +---------------------------------------------------------------+
 *  |   Entries, packed, in slot order                             ...
 *  +---------------------------------------------------------------+
 *  |     File CRC32C (u32, over every byte before it)              | length - 4
 *  +---------------------------------------------------------------+
 *
 *  Slot, sorted by key hash (signed), ties in any order:
 *  +---------------------------------------------------------------+
 *  |               Key Hash (u64, KeyHash of the key)              |  0
 *  +---------------------------------------------------------------+
 *  |            Entry Offset (u64, from the start of the file)     |  8
 *  +---------------------------------------------------------------+
 *
 *  Entry:
 *  +-------------------------------+-------------------------------+
 *  |  Key Length (u16, 1..65535)   |   Change Count (u32) ...      |  0, 2
 *  +-------------------------------+-------------------------------+
 *  | ... | Entry CRC32C (u32, over bytes [10, entry end)) | Key   ...  6, 10
 *  +---------------------------------------------------------------+
 *  |  Changes, oldest first, 17 bytes each:                       ...  10 + key length
 *  |    Version (u64) | Timestamp (u64, epoch ns) | Op (u8: 1 PUT, 2 DELETE, 3 PATCH)
 *  +---------------------------------------------------------------+
 * </pre>
 */
public final class KeyIndexSegmentDescriptor
{
    public static final byte[] MAGIC = "ENGRMKHI".getBytes(StandardCharsets.US_ASCII);
    public static final int FORMAT_VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_VERSION_OFFSET = 8;
    public static final int KEY_COUNT_OFFSET = 12;
    public static final int FIRST_VERSION_OFFSET = 16;
    public static final int LAST_VERSION_OFFSET = 24;
    public static final int FIRST_TIMESTAMP_OFFSET = 32;
    public static final int LAST_TIMESTAMP_OFFSET = 40;
    public static final int CHANGE_COUNT_OFFSET = 48;
    public static final int RESERVED_OFFSET = 56;
    public static final int HEADER_LENGTH = 64;
    public static final int SLOT_TABLE_OFFSET = HEADER_LENGTH;

    public static final int SLOT_HASH_OFFSET = 0;
    public static final int SLOT_ENTRY_OFFSET_OFFSET = 8;
    public static final int SLOT_LENGTH = 16;

    public static final int ENTRY_KEY_LENGTH_OFFSET = 0;
    public static final int ENTRY_CHANGE_COUNT_OFFSET = 2;
    public static final int ENTRY_CRC_OFFSET = 6;
    public static final int ENTRY_KEY_OFFSET = 10;

    public static final int CHANGE_VERSION_OFFSET = 0;
    public static final int CHANGE_TIMESTAMP_OFFSET = 8;
    public static final int CHANGE_OP_OFFSET = 16;
    public static final int CHANGE_LENGTH = 17;

    public static final int CRC_LENGTH = 4;
    public static final int MIN_FILE_LENGTH = HEADER_LENGTH + CRC_LENGTH;

    /** Folder in the state directory. */
    public static final String DIRECTORY_NAME = "history-index";
    /** File name suffix. */
    public static final String SUFFIX = ".khi";

    private KeyIndexSegmentDescriptor()
    {
    }

    /**
     * @return bytes an entry takes.
     */
    public static long entryLength(final int keyLength, final int changeCount)
    {
        return ENTRY_KEY_OFFSET + keyLength + (long)changeCount * CHANGE_LENGTH;
    }

    /**
     * @return the file name of the segment covering {@code [firstVersion, lastVersion]}: both zero-padded to 20
     * digits, so names sort by version.
     */
    public static String fileName(final long firstVersion, final long lastVersion)
    {
        return String.format("%020d-%020d%s", firstVersion, lastVersion, SUFFIX);
    }
}
