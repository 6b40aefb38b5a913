package dev.engram.journal;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static dev.engram.journal.DeltaRingDescriptor.*;

/**
 * Many producers, one consumer: fixed slots in preallocated off-heap memory (see {@link DeltaRingDescriptor}).
 * <p>
 * A producer claims the next sequence with one CAS after checking there is room, fills its slot and
 * publishes it with an ordered (release) store; the consumer reads slots in sequence order with volatile
 * (acquire) loads, so the ring's order is the claim order, and the sequence is the delta's version less
 * the journal's base. No locks and no allocation on the producer path except for frames that neither fit a
 * slot nor the arena ({@link FrameArena}).
 */
final class ManyToOneDeltaRing
{
    static final long INSUFFICIENT_CAPACITY = -1;
    static final long CLOSED = -2;

    private final ByteBuffer memory;
    private final UnsafeBuffer buffer;
    private final UnsafeBuffer trailer;
    private final int slotCount;
    private final int slotLength;
    private final int mask;
    private final int trailerOffset;
    private final int maxInlineFrameLength;
    private final byte[][] oversize;
    private final int arenaLength;
    private volatile FrameArena arena;

    ManyToOneDeltaRing(final int slotCount, final int slotLength)
    {
        this(slotCount, slotLength, 0);
    }

    /**
     * @param arenaLength bytes of the arena for frames longer than a slot (a power of two), or 0 for none.
     */
    ManyToOneDeltaRing(final int slotCount, final int slotLength, final int arenaLength)
    {
        if (!BitUtil.isPowerOfTwo(slotCount) || slotCount < 2)
        {
            throw new IllegalArgumentException("ring slotCount must be a power of two >= 2: slotCount=" + slotCount);
        }
        if (slotLength % 8 != 0 || slotLength < SLOT_HEADER_LENGTH + DeltaFrameDescriptor.MIN_FRAME_LENGTH ||
            slotLength < ARENA_CLAIMED_LENGTH_OFFSET + Integer.BYTES)
        {
            throw new IllegalArgumentException("ring slotLength must be a multiple of 8 and >= " +
                (SLOT_HEADER_LENGTH + DeltaFrameDescriptor.MIN_FRAME_LENGTH) + ": slotLength=" + slotLength);
        }
        final long total = (long)slotCount * slotLength + TRAILER_LENGTH;
        if (total > Integer.MAX_VALUE - BitUtil.CACHE_LINE_LENGTH)
        {
            throw new IllegalArgumentException("ring too large: slotCount * slotLength=" + total);
        }
        this.slotCount = slotCount;
        this.slotLength = slotLength;
        this.mask = slotCount - 1;
        this.trailerOffset = 0;
        this.maxInlineFrameLength = slotLength - SLOT_HEADER_LENGTH;
        // slots in one block (freed at close), counters in another that is never freed: a producer racing
        // close only ever reads the counters, sees the closed bit and stays out of the slots
        this.memory = ByteBuffer.allocateDirect(slotCount * slotLength);
        this.buffer = new UnsafeBuffer(memory);
        this.trailer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(TRAILER_LENGTH, BitUtil.CACHE_LINE_LENGTH));
        this.oversize = new byte[slotCount][];
        this.arenaLength = arenaLength;
        // allocateDirect has already zeroed (so touched) every page: no producer takes a page fault later
        trailer.setMemory(0, TRAILER_LENGTH, (byte)0);
    }

    int slotCount()
    {
        return slotCount;
    }

    int maxInlineFrameLength()
    {
        return maxInlineFrameLength;
    }

    /**
     * @return the arena for frames longer than a slot, or null if the ring has none (yet).
     */
    FrameArena arena()
    {
        return arena;
    }

    /**
     * Allocate (and so touch) the arena, if the ring has one, once: at a synchronous open on the opening thread,
     * at a background open on the journal thread as it starts, off the recovery path (16 MiB take ~8 ms to zero);
     * until then long frames take the heap path. Not thread-safe: called before the writer starts or on it.
     */
    void allocateArena()
    {
        if (arenaLength != 0 && arena == null)
        {
            arena = new FrameArena(arenaLength);
        }
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Try to claim the next sequence.
     *
     * @return the sequence, {@link #INSUFFICIENT_CAPACITY} if the ring is full or {@link #CLOSED}.
     */
    long tryClaim()
    {
        final UnsafeBuffer buffer = this.trailer;
        final int claimOffset = trailerOffset + CLAIM_SEQUENCE_OFFSET;
        while (true)
        {
            final long claim = buffer.getLongVolatile(claimOffset);
            if (claim < 0)
            {
                return CLOSED;
            }
            final long wrapPoint = claim - slotCount;
            if (wrapPoint >= buffer.getLongVolatile(trailerOffset + CONSUMER_CACHE_OFFSET))
            {
                final long consumer = buffer.getLongVolatile(trailerOffset + CONSUMER_SEQUENCE_OFFSET);
                buffer.putLongOrdered(trailerOffset + CONSUMER_CACHE_OFFSET, consumer);
                if (wrapPoint >= consumer)
                {
                    return INSUFFICIENT_CAPACITY;
                }
            }
            if (buffer.compareAndSetLong(claimOffset, claim, claim + 1))
            {
                return claim;
            }
        }
    }

    /**
     * @param sequence a claimed sequence.
     * @return the offset of its slot's frame area.
     */
    int frameOffset(final long sequence)
    {
        return (int)(sequence & mask) * slotLength + SLOT_HEADER_LENGTH;
    }

    /**
     * Publish an inline frame already written at {@link #frameOffset(long)}.
     */
    void publish(final long sequence, final int frameLength)
    {
        final int slotOffset = (int)(sequence & mask) * slotLength;
        buffer.putInt(slotOffset + FRAME_LENGTH_OFFSET, frameLength);
        buffer.putInt(slotOffset + SLOT_FLAGS_OFFSET, 0);
        buffer.putLongOrdered(slotOffset + PUBLISHED_OFFSET, sequence + 1);
    }

    /**
     * Publish an oversize frame that travels on the heap.
     */
    void publishOversize(final long sequence, final byte[] frame)
    {
        final int slot = (int)(sequence & mask);
        final int slotOffset = slot * slotLength;
        oversize[slot] = frame;
        buffer.putInt(slotOffset + FRAME_LENGTH_OFFSET, frame.length);
        buffer.putInt(slotOffset + SLOT_FLAGS_OFFSET, SLOT_FLAG_OVERSIZE);
        buffer.putLongOrdered(slotOffset + PUBLISHED_OFFSET, sequence + 1);
    }

    /**
     * Publish a frame written to the arena record claimed at {@code position} for {@code claimedLength} bytes
     * ({@code frameLength} is shorter only for an aborted frame).
     */
    void publishArena(final long sequence, final int frameLength, final long position, final int claimedLength)
    {
        final int slotOffset = (int)(sequence & mask) * slotLength;
        buffer.putInt(slotOffset + FRAME_LENGTH_OFFSET, frameLength);
        buffer.putInt(slotOffset + SLOT_FLAGS_OFFSET, SLOT_FLAG_ARENA);
        buffer.putLong(slotOffset + ARENA_POSITION_OFFSET, position);
        buffer.putInt(slotOffset + ARENA_CLAIMED_LENGTH_OFFSET, claimedLength);
        buffer.putLongOrdered(slotOffset + PUBLISHED_OFFSET, sequence + 1);
    }

    // ---- consumer side (single thread) ----

    /**
     * @return the flags of a published slot: 0 inline, {@code SLOT_FLAG_OVERSIZE} or {@code SLOT_FLAG_ARENA}.
     */
    int slotFlags(final long sequence)
    {
        return buffer.getInt((int)(sequence & mask) * slotLength + SLOT_FLAGS_OFFSET);
    }

    /**
     * @return the arena position of a published arena slot.
     */
    long arenaPosition(final long sequence)
    {
        return buffer.getLong((int)(sequence & mask) * slotLength + ARENA_POSITION_OFFSET);
    }

    /**
     * @return the frame length the arena record of a published arena slot was claimed for.
     */
    int arenaClaimedLength(final long sequence)
    {
        return buffer.getInt((int)(sequence & mask) * slotLength + ARENA_CLAIMED_LENGTH_OFFSET);
    }

    /**
     * @return the next sequence the consumer will read.
     */
    long consumerSequence()
    {
        return trailer.getLongVolatile(trailerOffset + CONSUMER_SEQUENCE_OFFSET);
    }

    /**
     * @return sequences claimed so far (the closed bit cleared).
     */
    long claimedSequence()
    {
        return trailer.getLongVolatile(trailerOffset + CLAIM_SEQUENCE_OFFSET) & ~CLOSED_BIT;
    }

    boolean isPublished(final long sequence)
    {
        return buffer.getLongVolatile((int)(sequence & mask) * slotLength + PUBLISHED_OFFSET) == sequence + 1;
    }

    int frameLength(final long sequence)
    {
        return buffer.getInt((int)(sequence & mask) * slotLength + FRAME_LENGTH_OFFSET);
    }

    /**
     * @return the heap frame of an oversize slot, or null for an inline one.
     */
    byte[] takeOversize(final long sequence)
    {
        final int slot = (int)(sequence & mask);
        if ((buffer.getInt(slot * slotLength + SLOT_FLAGS_OFFSET) & SLOT_FLAG_OVERSIZE) == 0)
        {
            return null;
        }
        final byte[] frame = oversize[slot];
        oversize[slot] = null;
        return frame;
    }

    /**
     * Give slots before {@code sequence} back to producers.
     */
    void release(final long sequence)
    {
        trailer.putLongOrdered(trailerOffset + CONSUMER_SEQUENCE_OFFSET, sequence);
    }

    /**
     * @return whether {@link #close()} ran.
     */
    boolean isClosed()
    {
        return trailer.getLongVolatile(trailerOffset + CLAIM_SEQUENCE_OFFSET) < 0;
    }

    /**
     * Refuse further claims.
     *
     * @return the number of sequences claimed before the ring closed.
     */
    long close()
    {
        final int claimOffset = trailerOffset + CLAIM_SEQUENCE_OFFSET;
        while (true)
        {
            final long claim = trailer.getLongVolatile(claimOffset);
            if (claim < 0)
            {
                return claim & ~CLOSED_BIT;
            }
            if (trailer.compareAndSetLong(claimOffset, claim, claim | CLOSED_BIT))
            {
                return claim;
            }
        }
    }

    /**
     * @return slots claimed and not yet released.
     */
    long occupancy()
    {
        return claimedSequence() - consumerSequence();
    }

    /**
     * Free the slots. Only once the ring is closed and the consumer has drained every claimed sequence: then
     * no producer is inside a slot (all claimed ones were published) and none can claim again.
     */
    void freeSlots()
    {
        if (claimedSequence() != consumerSequence() || trailer.getLongVolatile(CLAIM_SEQUENCE_OFFSET) >= 0)
        {
            throw new IllegalStateException("ring slots freed before close and drain: claimed=" + claimedSequence() +
                " consumed=" + consumerSequence());
        }
        java.util.Arrays.fill(oversize, null);
        BufferUtil.free(memory);
        final FrameArena allocated = arena;
        if (allocated != null)
        {
            allocated.free();
        }
    }
}
