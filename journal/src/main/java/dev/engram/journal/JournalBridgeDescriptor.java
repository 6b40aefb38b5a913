package dev.engram.journal;

import java.nio.charset.StandardCharsets;

/**
 * Layout of the journal's bridge file ({@code <journal dir>/engram-journal.bridge}): the frames a journal opened in the
 * background ({@link Journal#openInBackground}) wrote while its Chronicle queue was still opening, so a commit is
 * written (survives the process dying) at once instead of waiting in the ring for the queue (docs/journal.md, "The
 * bridge file"). All integers little-endian. There is at most one bridge; it is removed once its frames are in the
 * queue.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic "ENGRMJBR" (8 ASCII bytes)             |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Format Version (u32, = 1)                    |  8
 *  +---------------------------------------------------------------+
 *  |                     Reserved (u32, 0)                         | 12
 *  +---------------------------------------------------------------+
 *  |   Base Version (u64): the queue's last version when the       | 16
 *  |   bridge began; its first frame is Base Version + 1           |
 *  +---------------------------------------------------------------+
 *  |          Header CRC32C (u32, over bytes [0, 24))              | 24
 *  +---------------------------------------------------------------+
 *  |                     Reserved (u32, 0)                         | 28
 *  +---------------------------------------------------------------+
 *  |   Delta frames ({@link DeltaFrameDescriptor}), back to back,  ... 32
 *  |   no padding, versions Base Version + 1, + 2, ... each one    |
 *  |   sealed (its own length at 0 and CRC32C at its end)          |
 *  +---------------------------------------------------------------+
 * </pre>
 * The frames are the bytes the queue then receives, unchanged (the same timestamp and CRC). Reading stops at the first
 * frame that is cut short, fails its check or does not carry the next version: that and everything after it is a torn
 * tail (a write the process did not finish), like a torn frame at the end of the queue.
 */
public final class JournalBridgeDescriptor
{
    public static final String FILE_NAME = "engram-journal.bridge";
    /**
     * The bridge's mark: a copy of its 32-byte header, present exactly while the bridge may hold versions the queue
     * lacks, so a deleted bridge is detected (docs/journal.md, "The bridge's mark").
     */
    public static final String MARK_FILE_NAME = "engram-journal.bridge-mark";
    public static final byte[] MAGIC = "ENGRMJBR".getBytes(StandardCharsets.US_ASCII);
    public static final int FORMAT_VERSION = 1;

    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_VERSION_OFFSET = 8;
    public static final int RESERVED_OFFSET = 12;
    public static final int BASE_VERSION_OFFSET = 16;
    public static final int HEADER_CRC_OFFSET = 24;
    public static final int RESERVED_2_OFFSET = 28;
    public static final int HEADER_LENGTH = 32;
    public static final int FIRST_FRAME_OFFSET = HEADER_LENGTH;
    /** The bridge stops growing here: later frames wait in the ring for the queue (back-pressure as before). */
    public static final long MAX_FILE_LENGTH = 1L << 30;

    private JournalBridgeDescriptor()
    {
    }
}
