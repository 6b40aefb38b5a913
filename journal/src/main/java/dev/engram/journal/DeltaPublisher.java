package dev.engram.journal;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.atomic.AtomicLong;

import static dev.engram.journal.DeltaFrameDescriptor.MIN_FRAME_LENGTH;

/**
 * The journal's producer path, on the callers' threads: claims the next version in the ring, encodes the delta's
 * frame ({@link DeltaFrameEncoder}) into its slot, the ring's arena (longer than a slot) or, failing both, a heap
 * array, and publishes it for the journal thread. Lock-free and, but for the heap path, allocation-free; a full
 * ring goes to {@link JournalBackPressure}.
 */
final class DeltaPublisher
{
    private final JournalContext ctx;
    private final ManyToOneDeltaRing ring;
    private final UnsafeBuffer ringBuffer;
    private final long baseVersion;
    private final int maxFrameLength;
    private final JournalProgress progress;
    private final JournalBackPressure backPressure;
    private final AtomicLong heapFrames = new AtomicLong();

    DeltaPublisher(final JournalContext ctx, final ManyToOneDeltaRing ring, final long baseVersion,
        final JournalProgress progress, final JournalBackPressure backPressure)
    {
        this.ctx = ctx;
        this.ring = ring;
        this.ringBuffer = ring.buffer();
        this.baseVersion = baseVersion;
        this.maxFrameLength = ctx.maxDeltaLength();
        this.progress = progress;
        this.backPressure = backPressure;
    }

    /**
     * @see Journal#append(Delta)
     */
    long append(final Delta delta)
    {
        final int frameLength = checkDelta(delta);
        final FrameArena arena = arenaFor(frameLength);
        if (arena != null)
        {
            // the arena record first, then the slot: a producer holding a slot never waits for the arena, so
            // the journal thread, which frees the arena as it drains slots, is never waiting on a waiter
            long position = arena.tryClaim(frameLength);
            if (position == FrameArena.FULL)
            {
                position = claimArenaSlowPath(arena, frameLength);
            }
            final long sequence;
            try
            {
                sequence = claimSlot();
            }
            catch (final RuntimeException ex)
            {
                arena.abandon(position, frameLength);
                throw ex;
            }
            return publishToArena(arena, sequence, delta, frameLength, position);
        }
        return publish(claimSlot(), delta, frameLength);
    }

    /**
     * @see Journal#tryAppend(Delta)
     */
    long tryAppend(final Delta delta)
    {
        final int frameLength = checkDelta(delta);
        final FrameArena arena = arenaFor(frameLength);
        final long position = arena == null ? FrameArena.FULL : arena.tryClaim(frameLength);
        if (arena != null && position == FrameArena.FULL)
        {
            if (ring.isClosed())
            {
                throw closedException();
            }
            backPressure.countEvent();
            return Journal.BACK_PRESSURED;
        }
        final long sequence = ring.tryClaim();
        if (sequence < 0 && arena != null)
        {
            arena.abandon(position, frameLength);
        }
        if (sequence == ManyToOneDeltaRing.INSUFFICIENT_CAPACITY)
        {
            backPressure.countEvent();
            return Journal.BACK_PRESSURED;
        }
        if (sequence == ManyToOneDeltaRing.CLOSED)
        {
            throw closedException();
        }
        return arena != null ? publishToArena(arena, sequence, delta, frameLength, position) : publish(sequence, delta, frameLength);
    }

    /**
     * @see Journal#heapFrameCount()
     */
    long heapFrameCount()
    {
        return heapFrames.get();
    }

    /**
     * @return the ring's arena if a frame of this length travels through it, else null (it fits a slot; it is
     *         longer than the arena takes; or the journal thread has not allocated the arena yet).
     */
    private FrameArena arenaFor(final int frameLength)
    {
        if (frameLength <= ring.maxInlineFrameLength())
        {
            return null;
        }
        final FrameArena arena = ring.arena();
        return arena != null && frameLength <= arena.maxFrameLength() ? arena : null;
    }

    private int checkDelta(final Delta delta)
    {
        if (delta == null)
        {
            throw new IllegalArgumentException("delta must not be null");
        }
        if (delta.opCount() == 0)
        {
            throw new IllegalArgumentException("delta has no ops");
        }
        final int frameLength = delta.frameLength();
        if (frameLength > maxFrameLength)
        {
            throw new IllegalArgumentException("delta too large: frameLength=" + frameLength + " maxDeltaLength=" + maxFrameLength);
        }
        return frameLength;
    }

    private long claimSlot()
    {
        final long sequence = ring.tryClaim();
        if (sequence >= 0)
        {
            return sequence;
        }
        if (sequence == ManyToOneDeltaRing.CLOSED)
        {
            throw closedException();
        }
        final long deadline = backPressure.start();
        for (int attempts = 0; ; attempts++)
        {
            final long next = ring.tryClaim();
            if (next >= 0)
            {
                return next;
            }
            if (next == ManyToOneDeltaRing.CLOSED)
            {
                throw closedException();
            }
            backPressure.backOff(attempts, deadline);
        }
    }

    private long claimArenaSlowPath(final FrameArena arena, final int frameLength)
    {
        if (ring.isClosed())
        {
            throw closedException();
        }
        final long deadline = backPressure.start();
        for (int attempts = 0; ; attempts++)
        {
            final long position = arena.tryClaim(frameLength);
            if (position != FrameArena.FULL)
            {
                return position;
            }
            if (ring.isClosed())
            {
                throw closedException();
            }
            backPressure.backOff(attempts, deadline);
        }
    }

    private long publish(final long sequence, final Delta delta, final int frameLength)
    {
        final long version = baseVersion + sequence + 1;
        if (frameLength > ring.maxInlineFrameLength())
        {
            heapFrames.incrementAndGet();
            publishOversize(sequence, version, delta, frameLength);
            return version;
        }
        final int offset = ring.frameOffset(sequence);
        int published = MIN_FRAME_LENGTH;
        try
        {
            published = DeltaFrameEncoder.encodeDelta(ringBuffer, offset, delta, frameLength, version);
        }
        finally
        {
            ring.publish(sequence, published);   // even after a failed copy (an aborted frame): the ring never wedges
        }
        return version;
    }

    private long publishToArena(final FrameArena arena, final long sequence, final Delta delta, final int frameLength,
        final long position)
    {
        final long version = baseVersion + sequence + 1;
        int published = MIN_FRAME_LENGTH;
        try
        {
            published = DeltaFrameEncoder.encodeDelta(
                arena.buffer(), arena.frameOffset(position, frameLength), delta, frameLength, version);
        }
        finally
        {
            ring.publishArena(sequence, published, position, frameLength);
        }
        return version;
    }

    private void publishOversize(final long sequence, final long version, final Delta delta, final int frameLength)
    {
        byte[] frame = null;
        try
        {
            final byte[] encoded = new byte[frameLength];
            DeltaFrameEncoder.encodeDelta(new UnsafeBuffer(encoded), 0, delta, frameLength, version);
            frame = encoded;
        }
        finally
        {
            if (frame == null)
            {
                frame = DeltaFrameEncoder.abortedFrame(version);   // the array failed or the copy did
            }
            ring.publishOversize(sequence, frame);
        }
    }

    private RuntimeException closedException()
    {
        final JournalException failure = progress.failure();
        if (failure != null)
        {
            return new JournalException("journal failed: " + failure.getMessage(), failure);
        }
        return new IllegalStateException("journal is closed: directory=" + ctx.directory());
    }
}
