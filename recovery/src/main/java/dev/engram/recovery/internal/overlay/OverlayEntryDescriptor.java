package dev.engram.recovery.internal.overlay;

import dev.engram.recovery.StateReader;

/**
 * Layout of one overlay entry in off-heap memory (native byte order; never stored on disk), and of the
 * overlay's hash table slots.
 * <pre>
 *  entry:
 *  +---------------------------------------------------------------+
 *  |  Sequence (u64, seqlock: odd while the writer changes it)     |  0
 *  +---------------------------------------------------------------+
 *  |  Version of the last change (u64)                             |  8
 *  +-------------------------------+-------------------------------+
 *  |  Kind (u32)                   |  Key Length (u32)             | 16
 *  +-------------------------------+-------------------------------+
 *  |  A: journal cycle | arena value address (u64)                 | 24
 *  +---------------------------------------------------------------+
 *  |  B: journal file position | arena capacity (u64)              | 32
 *  +-------------------------------+-------------------------------+
 *  |  Value Length (u32)           |  Reserved (u32)               | 40
 *  +-------------------------------+-------------------------------+
 *  |  Created Version: the version that inserted the entry (u64)   | 48
 *  +---------------------------------------------------------------+
 *  |  Key (UTF-8)                                                 ... 56
 *  +---------------------------------------------------------------+
 *
 *  table slot: Key Hash (u64, 0 = empty; published last, ordered) | Entry Address (u64)
 * </pre>
 * Kinds: {@link #KIND_JOURNAL} the value lies in the mapped journal at (cycle, file position);
 * {@link #KIND_ARENA} the value was materialised off-heap (a PATCH); {@link #KIND_TOMBSTONE} deleted;
 * {@link #KIND_QUARANTINED} a frame that changed the key could not be applied: A/B/Value Length name an arena
 * block holding the reason (UTF-8), read like an arena value but never served as the key's value.
 * <p>
 * Key Length, Created Version and Key never change once the slot is published. Every other field changes
 * only under the Sequence seqlock: a reader reads Sequence, the fields, then Sequence again, and trusts
 * (dereferences) A only when both reads of Sequence are equal and even (read, validate, then trust).
 * Created Version lets an iteration tell a key that was in the overlay when it started from one that arrived
 * during it (see {@link StateReader#forEach}).
 * <p>
 * An arena block a PUT or DELETE replaced, or a PATCH outgrew, goes back to the overlay's {@link ValueBlocks}
 * (after the sequence moved on) and is reused for the next value of about its size, of any key. A reader still
 * copying from such a block re-checks the entry's sequence, which changed when the block left the entry, and
 * retries.
 */
public final class OverlayEntryDescriptor
{
    static final int SEQUENCE_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int KIND_OFFSET = 16;
    static final int KEY_LENGTH_OFFSET = 20;
    static final int A_OFFSET = 24;
    static final int B_OFFSET = 32;
    static final int VALUE_LENGTH_OFFSET = 40;
    static final int CREATED_VERSION_OFFSET = 48;
    static final int KEY_OFFSET = 56;

    public static final int KIND_JOURNAL = 1;
    public static final int KIND_ARENA = 2;
    public static final int KIND_TOMBSTONE = 3;
    public static final int KIND_QUARANTINED = 4;

    static final int SLOT_HASH_OFFSET = 0;
    static final int SLOT_ENTRY_OFFSET = 8;
    static final int SLOT_LENGTH = 16;

    private OverlayEntryDescriptor()
    {
    }
}
