package dev.engram.journal;

import java.nio.charset.StandardCharsets;

/**
 * Layout of the journal manifest ({@code <journal dir>/engram-journal.manifest}): the cycle files the journal has
 * written, so that a cycle file deleted, emptied or swapped for another is found missing instead of silently
 * shortening the journal (docs/journal.md, "The journal manifest"). All integers little-endian. The whole file is
 * rewritten on every change (temp file, fsync, rename, fsync of the directory): when the journal rolls to a new
 * cycle, when retention removes cycles and at a clean close; never per frame.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic "ENGRMJMF" (8 ASCII bytes)             |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Format Version (u32, = 1)                    |  8
 *  +---------------------------------------------------------------+
 *  |                     Entry Count (u32)                         | 12
 *  +---------------------------------------------------------------+
 *  |        Roll Cycle Length (u64, milliseconds per cycle)        | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |        Entries, 24 bytes each, ascending by cycle            ... 24
 *  +---------------------------------------------------------------+
 *  |     File CRC32C (u32, over every byte before it)              | 24 + 24 × count
 *  +---------------------------------------------------------------+
 *
 *  Entry:
 *  +---------------------------------------------------------------+
 *  |                     Cycle (u32, >= 0)                         |  0
 *  +---------------------------------------------------------------+
 *  |                     Reserved (u32, 0)                         |  4
 *  +---------------------------------------------------------------+
 *  |         First Version (u64): the cycle's first delta frame    |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   Last Version (u64): its last delta frame, 0 = not recorded  | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * An entry's last version is recorded when the next cycle starts (it is then exact) and for the newest cycle at a
 * clean close (the journal holds at least that version; a later run may append more to the same cycle).
 */
public final class JournalManifestDescriptor
{
    public static final byte[] MAGIC = "ENGRMJMF".getBytes(StandardCharsets.US_ASCII);
    public static final int FORMAT_VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_VERSION_OFFSET = 8;
    public static final int ENTRY_COUNT_OFFSET = 12;
    public static final int ROLL_CYCLE_LENGTH_OFFSET = 16;
    public static final int HEADER_LENGTH = 24;
    public static final int FIRST_ENTRY_OFFSET = HEADER_LENGTH;

    public static final int ENTRY_CYCLE_OFFSET = 0;
    public static final int ENTRY_RESERVED_OFFSET = 4;
    public static final int ENTRY_FIRST_VERSION_OFFSET = 8;
    public static final int ENTRY_LAST_VERSION_OFFSET = 16;
    public static final int ENTRY_LENGTH = 24;

    public static final int CRC_LENGTH = 4;
    public static final int MIN_FILE_LENGTH = HEADER_LENGTH + CRC_LENGTH;
    /** A manifest lists at most this many cycles (years of hourly cycles); a longer file is refused as damaged. */
    public static final int MAX_ENTRIES = 1 << 20;

    /** File name in the journal directory. */
    public static final String FILE_NAME = "engram-journal.manifest";

    private JournalManifestDescriptor()
    {
    }

    /**
     * @param entries entries in the file.
     * @return the file's length.
     */
    public static int fileLength(final int entries)
    {
        return HEADER_LENGTH + entries * ENTRY_LENGTH + CRC_LENGTH;
    }

    /**
     * @param index an entry's index.
     * @return its offset in the file.
     */
    public static int entryOffset(final int index)
    {
        return FIRST_ENTRY_OFFSET + index * ENTRY_LENGTH;
    }
}
