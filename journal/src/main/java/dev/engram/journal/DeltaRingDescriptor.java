package dev.engram.journal;

import org.agrona.BitUtil;

/**
 * Layout of the off-heap ring that carries deltas from producers to the journal thread.
 * <p>
 * The ring is {@code slotCount} fixed-size slots (a power of two) and, in a separate block of memory, a
 * trailer of counters, each on its own pair of cache lines so producers and the consumer do not false-share.
 * <pre>
 *  slot i (slotLength bytes, a multiple of 8):
 *  +---------------------------------------------------------------+
 *  |  Published Sequence + 1 (long; written ordered by the producer)|  0
 *  +---------------------------------------------------------------+
 *  |      Frame Length (int)       |  Slot Flags (int: 1 = oversize)|  8
 *  +---------------------------------------------------------------+
 *  |  Delta frame (see DeltaFrameDescriptor), Frame Length bytes   ... 16
 *  +---------------------------------------------------------------+
 *
 *  trailer (its own block, never freed while anyone may append):
 *  +---------------------------------------------------------------+
 *  |  Claim Sequence (long; CAS by producers; top bit = closed)    |  0
 *  +---------------------------------------------------------------+
 *  |  Consumer Sequence (long; next slot to drain, ordered writes) |  128
 *  +---------------------------------------------------------------+
 *  |  Consumer Sequence cache (long; a stale copy producers share) |  256
 *  +---------------------------------------------------------------+
 * </pre>
 * Sequence {@code s} uses slot {@code s & (slotCount - 1)}. A slot is ready when its published field
 * equals {@code s + 1} (so zeroed memory never looks published), and free again once the consumer
 * sequence passes {@code s}.
 * <p>
 * A frame longer than the slot's frame area goes to the <b>arena</b> ({@link FrameArena}): one more block of
 * {@code arenaLength} bytes (a power of two) with its own counters. Its slot then has flag 2 and, in the
 * frame area, where the frame is:
 * <pre>
 *  arena slot (flag 2):
 *  +---------------------------------------------------------------+
 *  |  Arena Position (long; the record's claim position)          |  16
 *  +---------------------------------------------------------------+
 *  |  Claimed Frame Length (int)   |  (unused)                     |  24
 *  +---------------------------------------------------------------+
 *
 *  arena counters (their own block, never freed while anyone may append):
 *  +---------------------------------------------------------------+
 *  |  Tail (long; CAS by producers: next claim position)          |  0
 *  +---------------------------------------------------------------+
 *  |  Head (long; ordered writes by the consumer: all before is free)|  128
 *  +---------------------------------------------------------------+
 *  |  Head cache (long; a stale copy producers share)             |  256
 *  +---------------------------------------------------------------+
 * </pre>
 * A record is the frame rounded up to 8 bytes at offset {@code position & (arenaLength - 1)}, or, when it
 * would not fit before the end of the buffer, padding to the end and the frame at offset 0. Frames longer
 * than {@code arenaLength / 4}, and frames that find the arena full, travel on the heap beside the ring
 * instead; their slot carries only the header with flag 1.
 */
final class DeltaRingDescriptor
{
    static final int PUBLISHED_OFFSET = 0;
    static final int FRAME_LENGTH_OFFSET = 8;
    static final int SLOT_FLAGS_OFFSET = 12;
    static final int SLOT_HEADER_LENGTH = 16;
    static final int SLOT_FLAG_OVERSIZE = 1;
    static final int SLOT_FLAG_ARENA = 2;
    static final int ARENA_POSITION_OFFSET = 16;
    static final int ARENA_CLAIMED_LENGTH_OFFSET = 24;

    static final int ARENA_TAIL_OFFSET = 0;
    static final int ARENA_HEAD_OFFSET = 2 * BitUtil.CACHE_LINE_LENGTH;
    static final int ARENA_HEAD_CACHE_OFFSET = 4 * BitUtil.CACHE_LINE_LENGTH;
    static final int ARENA_COUNTERS_LENGTH = 6 * BitUtil.CACHE_LINE_LENGTH;
    static final int ARENA_ALIGNMENT = 8;
    static final int ARENA_MAX_FRAME_FRACTION = 4;
    static final int MIN_ARENA_LENGTH = 4096;

    static final int CLAIM_SEQUENCE_OFFSET = 0;
    static final int CONSUMER_SEQUENCE_OFFSET = 2 * BitUtil.CACHE_LINE_LENGTH;
    static final int CONSUMER_CACHE_OFFSET = 4 * BitUtil.CACHE_LINE_LENGTH;
    static final int TRAILER_LENGTH = 6 * BitUtil.CACHE_LINE_LENGTH;

    static final long CLOSED_BIT = Long.MIN_VALUE;

    private DeltaRingDescriptor()
    {
    }
}
