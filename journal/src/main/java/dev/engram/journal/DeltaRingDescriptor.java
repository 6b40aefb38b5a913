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
 * sequence passes {@code s}. An oversize frame (longer than the slot's frame area) travels on the heap
 * beside the ring; its slot carries only the header with flag 1.
 */
final class DeltaRingDescriptor
{
    static final int PUBLISHED_OFFSET = 0;
    static final int FRAME_LENGTH_OFFSET = 8;
    static final int SLOT_FLAGS_OFFSET = 12;
    static final int SLOT_HEADER_LENGTH = 16;
    static final int SLOT_FLAG_OVERSIZE = 1;

    static final int CLAIM_SEQUENCE_OFFSET = 0;
    static final int CONSUMER_SEQUENCE_OFFSET = 2 * BitUtil.CACHE_LINE_LENGTH;
    static final int CONSUMER_CACHE_OFFSET = 4 * BitUtil.CACHE_LINE_LENGTH;
    static final int TRAILER_LENGTH = 6 * BitUtil.CACHE_LINE_LENGTH;

    static final long CLOSED_BIT = Long.MIN_VALUE;

    private DeltaRingDescriptor()
    {
    }
}
