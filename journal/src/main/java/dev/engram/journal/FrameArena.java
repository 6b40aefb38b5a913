package dev.engram.journal;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

import static dev.engram.journal.DeltaRingDescriptor.*;

/**
 * Off-heap space beside the ring for frames longer than a slot's frame area (see {@link DeltaRingDescriptor},
 * "arena"), so such appends copy into preallocated memory instead of allocating a heap array.
 * <p>
 * A producer claims a record with one CAS on the arena's tail <i>before</i> it claims its ring slot: the
 * frame's length rounded up to 8, plus padding to the end of the buffer when the record would not fit before
 * it (a record is never split). A full arena is back-pressure like a full ring (the journal thread is behind).
 * Claiming the record first means a producer that holds a slot never waits for the arena, so the consumer,
 * which frees the arena only as it drains slots, never waits for a producer that waits for it. A producer
 * whose slot claim then fails (ring full under FAIL_FAST, timeout, closed) hands its record back with
 * {@link #abandon}; the consumer frees it in its next drain.
 * <p>
 * Records are claimed in arena order but drained in slot order, which can differ when producers race. The
 * consumer frees the arena from its head: a drained record at the head moves the head past it (and past any
 * records drained earlier that follow it, which it remembers in a small map), then publishes the head with an
 * ordered write. Only the consumer thread calls {@link #release}.
 */
final class FrameArena
{
    static final long FULL = -1;
    private static final long MISSING = -1;

    private final ByteBuffer memory;
    private final UnsafeBuffer buffer;
    private final UnsafeBuffer counters;
    private final int capacity;
    private final int mask;
    private final int maxFrameLength;
    private final Long2LongHashMap drainedAhead = new Long2LongHashMap(64, 0.65f, MISSING);
    private final java.util.concurrent.ConcurrentLinkedQueue<long[]> abandoned = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private long head;   // consumer's own copy of the published head

    /**
     * @param capacity bytes, a power of two >= {@link DeltaRingDescriptor#MIN_ARENA_LENGTH}.
     */
    FrameArena(final int capacity)
    {
        if (!BitUtil.isPowerOfTwo(capacity) || capacity < MIN_ARENA_LENGTH)
        {
            throw new IllegalArgumentException("ring arena length must be a power of two >= " + MIN_ARENA_LENGTH +
                ": arenaLength=" + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxFrameLength = capacity / ARENA_MAX_FRAME_FRACTION;
        this.memory = ByteBuffer.allocateDirect(capacity);   // zeroed, so every page is touched now
        this.buffer = new UnsafeBuffer(memory);
        // counters in their own block, never freed: a producer racing close reads them, then stays out
        this.counters = new UnsafeBuffer(BufferUtil.allocateDirectAligned(ARENA_COUNTERS_LENGTH, BitUtil.CACHE_LINE_LENGTH));
        counters.setMemory(0, ARENA_COUNTERS_LENGTH, (byte)0);
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return the longest frame the arena takes; longer ones go on the heap.
     */
    int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * Claim a record for a frame of {@code frameLength} bytes.
     *
     * @return the record's position (monotonic; pass it to {@link #frameOffset} and {@link #release}), or
     *         {@link #FULL} if there is no room now or the frame is longer than {@link #maxFrameLength()}.
     */
    long tryClaim(final int frameLength)
    {
        if (frameLength > maxFrameLength || frameLength < 1)
        {
            return FULL;
        }
        while (true)
        {
            final long tail = counters.getLongVolatile(ARENA_TAIL_OFFSET);
            final long end = tail + recordLength(tail, frameLength);
            if (end - counters.getLongVolatile(ARENA_HEAD_CACHE_OFFSET) > capacity)
            {
                final long published = counters.getLongVolatile(ARENA_HEAD_OFFSET);
                counters.putLongOrdered(ARENA_HEAD_CACHE_OFFSET, published);
                if (end - published > capacity)
                {
                    return FULL;
                }
            }
            if (counters.compareAndSetLong(ARENA_TAIL_OFFSET, tail, end))
            {
                return tail;
            }
        }
    }

    /**
     * @return where in {@link #buffer()} the frame of the record claimed at {@code position} starts: at the
     *         position, or at 0 when the record was padded to the end of the buffer.
     */
    int frameOffset(final long position, final int frameLength)
    {
        final int offset = (int)(position & mask);
        return offset + BitUtil.align(frameLength, ARENA_ALIGNMENT) > capacity ? 0 : offset;
    }

    /**
     * Consumer: the frame of the record claimed at {@code position} (for {@code frameLength}) is written out;
     * its space may be reused once every record before it is too.
     */
    void release(final long position, final int frameLength)
    {
        final long length = recordLength(position, frameLength);
        if (position != head)
        {
            drainedAhead.put(position, length);
            return;
        }
        long next = head + length;
        long ahead;
        while ((ahead = drainedAhead.remove(next)) != MISSING)
        {
            next += ahead;
        }
        head = next;
        counters.putLongOrdered(ARENA_HEAD_OFFSET, next);
    }

    /**
     * Producer: a record claimed for a frame that will never be published (its slot claim failed). Allocates:
     * only on a failing append.
     */
    void abandon(final long position, final int frameLength)
    {
        abandoned.add(new long[]{position, frameLength});
    }

    /**
     * Consumer: free the records producers abandoned.
     */
    void reclaimAbandoned()
    {
        if (abandoned.isEmpty())
        {
            return;
        }
        long[] record;
        while ((record = abandoned.poll()) != null)
        {
            release(record[0], (int)record[1]);
        }
    }

    /**
     * @return bytes claimed and not yet freed.
     */
    long occupancy()
    {
        return counters.getLongVolatile(ARENA_TAIL_OFFSET) - counters.getLongVolatile(ARENA_HEAD_OFFSET);
    }

    /**
     * Free the memory: only once no producer can claim again and the consumer drained every record.
     */
    void free()
    {
        BufferUtil.free(memory);
    }

    /**
     * @return the bytes a record claimed at {@code position} takes: the frame rounded up to 8, plus the
     *         padding to the end of the buffer if it would not fit before it.
     */
    private long recordLength(final long position, final int frameLength)
    {
        final int aligned = BitUtil.align(frameLength, ARENA_ALIGNMENT);
        final int offset = (int)(position & mask);
        return offset + aligned > capacity ? (capacity - offset) + aligned : aligned;
    }
}
