package dev.engram.journal;

/**
 * Layout of one delta frame, format version 1: the unit the journal stores, one per Chronicle excerpt.
 * All integers are little-endian. A frame is one atomic delta holding one version.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 Frame Length (int, whole frame)               |  0
 *  +---------------+---------------+-------------------------------+
 *  | Format Version|     Flags     |      Op Count (unsigned short)|  4
 *  +---------------+---------------+-------------------------------+
 *  |                      Version (long, dense)                    |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |               Timestamp (long, epoch nanoseconds)             | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                   Ops (Op Count times, see below)            ... 24
 *  +---------------------------------------------------------------+
 *  |        CRC32C of bytes [0, Frame Length - 4) (int)            |  Frame Length - 4
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * Each op:
 * <pre>
 *  +---------------+---------------+-------------------------------+
 *  |    Op Type    |  Reserved (0) |     Key Length (unsigned short)|  0
 *  +---------------+---------------+-------------------------------+
 *  |                 Data Length (int, bytes of value or patch)    |  4
 *  +---------------------------------------------------------------+
 *  |     Patch Offset (long, PATCH only: absent for PUT/DELETE)    |  8
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Key (UTF-8, Key Length bytes)                       ...
 *  +---------------------------------------------------------------+
 *  |          Data (Data Length bytes; DELETE has 0)              ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Ops are packed with no padding. Flags: {@link #FLAG_ABORTED} marks a version whose producer failed
 * after claiming it (the frame has no ops, so versions stay dense); {@link #FLAG_TRIM} marks a control
 * frame written at open to retire a torn tail (it holds no version of its own: its version field is the
 * last valid version, and its ops region holds two longs, the first and last Chronicle index it retires).
 * <p>
 * Every future format keeps the frame length at offset 0 and the format version at offset 4, so a reader
 * can always tell a newer frame (refused with {@link JournalFormatException}) from a damaged one.
 */
public final class DeltaFrameDescriptor
{
    /** The only frame format this code writes. */
    public static final byte FORMAT_VERSION = 1;

    public static final int FRAME_LENGTH_OFFSET = 0;
    public static final int FORMAT_VERSION_OFFSET = 4;
    public static final int FLAGS_OFFSET = 5;
    public static final int OP_COUNT_OFFSET = 6;
    public static final int VERSION_OFFSET = 8;
    public static final int TIMESTAMP_OFFSET = 16;
    public static final int HEADER_LENGTH = 24;
    public static final int CRC_LENGTH = 4;
    /** A frame with no ops: header plus checksum. */
    public static final int MIN_FRAME_LENGTH = HEADER_LENGTH + CRC_LENGTH;

    public static final int OP_TYPE_OFFSET = 0;
    public static final int OP_RESERVED_OFFSET = 1;
    public static final int OP_KEY_LENGTH_OFFSET = 2;
    public static final int OP_DATA_LENGTH_OFFSET = 4;
    public static final int OP_PATCH_OFFSET_OFFSET = 8;
    /** Header of a PUT or DELETE op. */
    public static final int OP_HEADER_LENGTH = 8;
    /** Header of a PATCH op: the common header plus the patch offset. */
    public static final int PATCH_OP_HEADER_LENGTH = 16;

    public static final int MAX_OP_COUNT = 0xFFFF;
    public static final int MAX_KEY_LENGTH = 0xFFFF;
    /**
     * The longest value the state holds (a Java array or direct buffer less 8 bytes of headroom): a PATCH
     * must end at or before it ({@code patchOffset + length <= MAX_VALUE_LENGTH}), checked when the op is
     * added, before any version is used.
     */
    public static final int MAX_VALUE_LENGTH = Integer.MAX_VALUE - 8;

    public static final byte FLAG_ABORTED = 0x01;
    public static final byte FLAG_TRIM = 0x02;
    public static final int TRIM_FIRST_INDEX_OFFSET = HEADER_LENGTH;
    public static final int TRIM_LAST_INDEX_OFFSET = HEADER_LENGTH + 8;
    public static final int TRIM_FRAME_LENGTH = HEADER_LENGTH + 16 + CRC_LENGTH;

    private DeltaFrameDescriptor()
    {
    }

    /**
     * @param opType the op's type.
     * @return the length of its op header.
     */
    public static int opHeaderLength(final OpType opType)
    {
        return opType == OpType.PATCH ? PATCH_OP_HEADER_LENGTH : OP_HEADER_LENGTH;
    }

    /**
     * @param frameLength the whole frame's length.
     * @return the offset of the trailing checksum.
     */
    public static int crcOffset(final int frameLength)
    {
        return frameLength - CRC_LENGTH;
    }
}
