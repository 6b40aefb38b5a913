package dev.engram.recovery.internal.checkpoint;

/**
 * Layout of one entry inside a raw (uncompressed) data block. Entries are packed back to back with no
 * padding; a block holds whole entries only. All integers are little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------------------------------+---------------+---------------+
 *  |      Key Length (u16, >= 1)   |     Flags     |  Reserved (0) |  0
 *  +-------------------------------+---------------+---------------+
 *  |          Value Length (u32, 0 for a tombstone)                |  4
 *  +---------------------------------------------------------------+
 *  |                   Key (UTF-8, Key Length bytes)              ...  8
 *  +---------------------------------------------------------------+
 *  |                   Value (Value Length bytes)                 ...
 *  +---------------------------------------------------------------+
 * </pre>
 * Flags (at most one is set): {@link #FLAG_TOMBSTONE} marks a key removed since the parent checkpoint (delta
 * files only; Value Length 0). {@link #FLAG_QUARANTINED} marks a key whose value is unknown because a journal frame
 * that changed it could not be applied: the entry's value is the reason (UTF-8 text), never served as the key's
 * value; reads of the key are refused with {@code QuarantinedKeyException} until a later PUT or DELETE replaces it.
 * Such entries are carried from file to file like live keys (full files hold them too). An engine older than this
 * flag refuses such a block as malformed (it checks that no unknown flag is set) rather than serve the reason.
 * {@link #FLAG_PAGED} (format 2 only) marks a paged value: the entry's value bytes are a page map
 * ({@link PageMapDescriptor}) naming the page blocks that hold the value, in this file or an older one of its chain.
 */
public final class CheckpointEntryDescriptor
{
    public static final int KEY_LENGTH_OFFSET = 0;
    public static final int FLAGS_OFFSET = 2;
    public static final int RESERVED_OFFSET = 3;
    public static final int VALUE_LENGTH_OFFSET = 4;
    public static final int KEY_OFFSET = 8;
    public static final int ENTRY_HEADER_LENGTH = 8;

    public static final int FLAG_TOMBSTONE = 0x1;
    public static final int FLAG_QUARANTINED = 0x2;
    /** The value is paged: the entry's value bytes are its page map (format 2 files only). */
    public static final int FLAG_PAGED = 0x4;

    public static final int MAX_KEY_LENGTH = 0xFFFF;
    /**
     * A block's raw length must fit a Java int (it is viewed through one {@code DirectBuffer}), so one
     * entry (header + key + value) is at most this long.
     */
    public static final int MAX_ENTRY_LENGTH = Integer.MAX_VALUE - 64;

    private CheckpointEntryDescriptor()
    {
    }

    /**
     * @param keyLength   key bytes.
     * @param valueLength value bytes.
     * @return the entry's length in its raw block.
     */
    public static long entryLength(final int keyLength, final long valueLength)
    {
        return ENTRY_HEADER_LENGTH + (long)keyLength + valueLength;
    }
}
