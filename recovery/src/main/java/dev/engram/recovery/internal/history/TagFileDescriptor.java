package dev.engram.recovery.internal.history;

import java.nio.charset.StandardCharsets;

/**
 * Layout of the version-tags file ({@code <state dir>/version-tags}): named versions that survive restarts.
 * All integers little-endian. The whole file is rewritten on every change (temp file, fsync, rename, fsync
 * of the directory), so it is either the old or the new list, never a mix.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic "ENGRMTAG" (8 ASCII bytes)             |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Format Version (u32, = 1)                    |  8
 *  +---------------------------------------------------------------+
 *  |                      Tag Count (u32)                          | 12
 *  +---------------------------------------------------------------+
 *  |                 Tag entries, packed, no padding              ... 16
 *  +---------------------------------------------------------------+
 *  |     File CRC32C (u32, over every byte before it)              | length - 4
 *  +---------------------------------------------------------------+
 *
 *  Tag entry, sorted by name (String order), names unique:
 *  +---------------------------------------------------------------+
 *  |                       Version (u64)                           |  0
 *  |                                                               |
 *  +-------------------------------+-------------------------------+
 *  |     Name Length (u16, 1..255) |    Name (UTF-8)             ...  8, 10
 *  +-------------------------------+-------------------------------+
 * </pre>
 */
public final class TagFileDescriptor
{
    public static final byte[] MAGIC = "ENGRMTAG".getBytes(StandardCharsets.US_ASCII);
    public static final int FORMAT_VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_VERSION_OFFSET = 8;
    public static final int TAG_COUNT_OFFSET = 12;
    public static final int HEADER_LENGTH = 16;
    public static final int FIRST_ENTRY_OFFSET = HEADER_LENGTH;

    public static final int ENTRY_VERSION_OFFSET = 0;
    public static final int ENTRY_NAME_LENGTH_OFFSET = 8;
    public static final int ENTRY_NAME_OFFSET = 10;

    public static final int CRC_LENGTH = 4;
    public static final int MIN_FILE_LENGTH = HEADER_LENGTH + CRC_LENGTH;
    public static final int MAX_NAME_LENGTH = 255;
    /** A tags file is small; anything larger is refused as damaged. */
    public static final int MAX_FILE_LENGTH = 16 * 1024 * 1024;

    /** File name in the state directory. */
    public static final String FILE_NAME = "version-tags";

    private TagFileDescriptor()
    {
    }

    /**
     * @param nameLength UTF-8 bytes of the name.
     * @return bytes the entry takes.
     */
    public static int entryLength(final int nameLength)
    {
        return ENTRY_NAME_OFFSET + nameLength;
    }
}
