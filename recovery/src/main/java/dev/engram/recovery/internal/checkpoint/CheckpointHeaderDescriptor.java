package dev.engram.recovery.internal.checkpoint;

import java.nio.charset.StandardCharsets;

/**
 * Layout of the 128-byte header at the start of every checkpoint file, format version 1. All integers
 * are little-endian. The header is written as a placeholder when the file is created and rewritten with
 * its final counts just before the file is forced and published.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic "ENGRMCKP" (8 ASCII bytes)             |   0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Format Version (u32, = 1)                    |   8
 *  +---------------------------------------------------------------+
 *  |            Flags (u32: bit0 delta, bit1 compressed)           |  12
 *  +---------------------------------------------------------------+
 *  |                     Checkpoint Id (u64)                       |  16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                 Parent Id (u64, 0 for a full)                 |  24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |           Base Id (u64, the full checkpoint of the chain)     |  32
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |     Chain Ordinal (u32, 0 for a full, k for the k-th delta)   |  40
 *  +---------------------------------------------------------------+
 *  |                       Reserved (u32, 0)                       |  44
 *  +---------------------------------------------------------------+
 *  |        State Version (u64, state after deltas 1..v)           |  48
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          Parent State Version (u64, 0 for a full)             |  56
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |       Journal Resume Version (u64, = State Version + 1)       |  64
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |     Key Count (u64, entries in this file incl. tombstones)    |  72
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |                  Created (u64, epoch ms)                      |  80
 *  |                                                               |
 *  +---------------+---------------+-------------------------------+
 *  |  Compression  |  Zstd Level   |         Reserved (u16, 0)     |  88
 *  +---------------+---------------+-------------------------------+
 *  |               Target Block Length (u32, bytes)                |  92
 *  +---------------------------------------------------------------+
 *  |     Journal Hint Cycle (u32, the cycle of the frame below)    |  96
 *  +---------------------------------------------------------------+
 *  |                       Reserved (u32, 0)                       | 100
 *  +---------------------------------------------------------------+
 *  |  Journal Hint Position (u64, file position of the body of the | 104
 *  |  frame of version State Version; 0 = no hint)                 |
 *  +---------------------------------------------------------------+
 *  |  Tag Count (u32, version tags held when the file was written)  | 112
 *  +---------------------------------------------------------------+
 *  |                     Reserved (8 bytes, 0)                    ... 116
 *  +---------------------------------------------------------------+
 *  |           Header CRC32C (u32, over bytes [0, 124))            | 124
 *  +---------------------------------------------------------------+
 * </pre>
 * The tag count (added within format 1: older files hold 0 there, and older readers ignore it) is how many version
 * tags the store held when the file was written: an open that finds neither the tags file nor its mirror, where the
 * newest checkpoint recorded tags, reports the tags as lost instead of starting with none in silence.
 * <p>
 * The journal hint (added within format 1: older files hold 0 there, meaning "no hint") says where the
 * journal frame of version State Version was written, so recovery can start reading the journal right after
 * it without an index lookup. It is only a hint: recovery checks that the place holds a valid frame of that
 * version and otherwise finds the place through the journal's index.
 * <p>
 * Compression: 0 none, 1 zstd (the file's default; each block says in the block table whether it is
 * stored compressed, see {@link BlockTableDescriptor}).
 */
public final class CheckpointHeaderDescriptor
{
    /** "ENGRMCKP" in ASCII. */
    public static final byte[] MAGIC = "ENGRMCKP".getBytes(StandardCharsets.US_ASCII);
    /**
     * The format version of a file without paged values: what this code writes for such a file (so it stays readable by
     * every engine that reads format 1).
     */
    public static final int FORMAT_VERSION = 1;
    /**
     * The format version of a file holding at least one paged value ({@link CheckpointEntryDescriptor#FLAG_PAGED},
     * {@link BlockTableDescriptor#FLAG_PAGE}); the newest this code reads. Format 1 files stay valid unchanged.
     */
    public static final int FORMAT_VERSION_PAGED = 2;

    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_VERSION_OFFSET = 8;
    public static final int FLAGS_OFFSET = 12;
    public static final int CHECKPOINT_ID_OFFSET = 16;
    public static final int PARENT_ID_OFFSET = 24;
    public static final int BASE_ID_OFFSET = 32;
    public static final int CHAIN_ORDINAL_OFFSET = 40;
    public static final int STATE_VERSION_OFFSET = 48;
    public static final int PARENT_STATE_VERSION_OFFSET = 56;
    public static final int JOURNAL_RESUME_VERSION_OFFSET = 64;
    public static final int KEY_COUNT_OFFSET = 72;
    public static final int CREATED_EPOCH_MS_OFFSET = 80;
    public static final int COMPRESSION_OFFSET = 88;
    public static final int ZSTD_LEVEL_OFFSET = 89;
    public static final int TARGET_BLOCK_LENGTH_OFFSET = 92;
    public static final int JOURNAL_HINT_CYCLE_OFFSET = 96;
    public static final int JOURNAL_HINT_POSITION_OFFSET = 104;
    public static final int TAG_COUNT_OFFSET = 112;
    public static final int RESERVED_OFFSET = 116;
    public static final int HEADER_CRC_OFFSET = 124;
    public static final int HEADER_LENGTH = 128;

    public static final int FLAG_DELTA = 0x1;
    public static final int FLAG_COMPRESSED = 0x2;
    public static final int KNOWN_FLAGS = FLAG_DELTA | FLAG_COMPRESSED;

    private CheckpointHeaderDescriptor()
    {
    }
}
