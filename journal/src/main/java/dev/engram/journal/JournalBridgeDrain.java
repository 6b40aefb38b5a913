package dev.engram.journal;

import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import static dev.engram.journal.DeltaFrameDescriptor.FRAME_LENGTH_OFFSET;
import static dev.engram.journal.DeltaFrameDescriptor.VERSION_OFFSET;
import static dev.engram.journal.DeltaRingDescriptor.SLOT_FLAG_ARENA;
import static dev.engram.journal.DeltaRingDescriptor.SLOT_FLAG_OVERSIZE;

/**
 * The journal thread while the queue of a background open is still opening: drains the ring in sequence order into
 * the bridge file ({@link JournalBridgeFile}, created with the first frame), sealing each frame as the writer agent
 * would (its time and CRC32C), then publishes the written version and frees the slots, so a commit is written at once
 * instead of waiting for the queue. Forces the bridge as the sync policy says (and when asked: a pending
 * {@link Journal#requestSync()}). Stops taking frames once the bridge reaches
 * {@link JournalBridgeDescriptor#MAX_FILE_LENGTH}, or would leave the disk too little room for the queue
 * ({@link #roomOnDisk}): later ones wait in the ring for the queue.
 */
final class JournalBridgeDrain
{
    private static final int DRAIN_LIMIT = 256;

    private final JournalContext ctx;
    private final ManyToOneDeltaRing ring;
    private final long baseVersion;
    private final JournalProgress progress;
    private final EpochNanoClock clock = new OffsetEpochNanoClock();
    private long lastTimestampNs;
    private final FrameChecksum checksum = new FrameChecksum();
    private final UnsafeBuffer heapFrame = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer staging = new UnsafeBuffer(0, 0);
    private final long intervalNs;
    private ByteBuffer stagingBytes = ByteBuffer.allocateDirect(64 * 1024);
    private volatile JournalBridgeFile bridge;
    private long nextSequence;
    private long bytesWritten;
    private long nextPeriodicNs;
    private boolean full;
    /** When each run of frames was written, by the journal's clock: first version of the run, epoch ms (pairs). */
    private final org.agrona.collections.LongArrayList writtenAt = new org.agrona.collections.LongArrayList();

    JournalBridgeDrain(final JournalContext ctx, final ManyToOneDeltaRing ring, final long baseVersion,
        final JournalProgress progress)
    {
        this.ctx = ctx;
        this.ring = ring;
        this.baseVersion = baseVersion;
        this.progress = progress;
        this.intervalNs = TimeUnit.MILLISECONDS.toNanos(Math.max(1, ctx.syncIntervalMs()));
        this.nextPeriodicNs = System.nanoTime() + intervalNs;
        staging.wrap(stagingBytes);
    }

    /**
     * @return the bridge written so far, or null if no frame came while the queue opened.
     */
    JournalBridgeFile bridge()
    {
        return bridge;
    }

    /**
     * @return ring sequences written to the bridge (the writer agent continues from here).
     */
    long drainedSequences()
    {
        return nextSequence;
    }

    long bytesWritten()
    {
        return bytesWritten;
    }

    /**
     * @return the stamp of the last frame written to the bridge (0 if none): the writer continues from it.
     */
    long lastTimestampNs()
    {
        return lastTimestampNs;
    }

    /**
     * Journal thread, once the ring is closed: true if every claimed sequence is in the bridge (none waits in the
     * ring because the bridge is full).
     */
    boolean holdsEverythingClaimed()
    {
        return !full && ring.isClosed() && nextSequence >= ring.claimedSequence();
    }

    /**
     * Journal thread: force every frame in the bridge (and its mark and the directory), as a close does.
     */
    void forceAll() throws IOException
    {
        final JournalBridgeFile written = bridge;
        if (written != null)
        {
            written.forceUpTo(baseVersion + nextSequence);
        }
    }

    /**
     * @return the time, by the journal's clock ({@link JournalContext#epochMsClock()}), at which {@code version} was
     *         written to the bridge: the copy puts each frame into the cycle current then, as the writer would have.
     */
    long epochMsWritten(final long version)
    {
        long epochMs = Long.MIN_VALUE;
        for (int i = 0; i < writtenAt.size() && writtenAt.getLong(i) <= version; i += 2)
        {
            epochMs = writtenAt.getLong(i + 1);
        }
        return epochMs;
    }

    /**
     * Write what the ring holds to the bridge (up to a batch), then force it if the sync policy or a request says so.
     *
     * @param requestedSync the highest version a caller asked to sync ({@link Journal#requestSync()}), or 0.
     * @return frames written.
     */
    int drain(final long requestedSync) throws IOException
    {
        final FrameArena arena = ring.arena();
        if (arena != null)
        {
            arena.reclaimAbandoned();
        }
        final long start = nextSequence;
        if (full || !ring.isPublished(start))
        {
            syncPerPolicy(requestedSync);
            return 0;
        }
        final long used = bridge == null ? JournalBridgeDescriptor.FIRST_FRAME_OFFSET : bridge.length();
        final long room = Math.min(ctx.bridgeMaxLength() - used, roomOnDisk(used));
        if (room < ring.frameLength(start))
        {
            full = true;   // for good: the rest waits in the ring for the queue, in order
            syncPerPolicy(requestedSync);
            return 0;
        }
        long sequence = start;
        int staged = 0;
        while (room > 0 && sequence < start + DRAIN_LIMIT && ring.isPublished(sequence))
        {
            final int length = ring.frameLength(sequence);
            if (staged + (long)length > room)
            {
                full = true;   // the rest waits in the ring for the queue
                break;
            }
            stage(sequence, arena, staged, length);
            staged += length;
            sequence++;
        }
        final int drained = (int)(sequence - start);
        if (drained > 0)
        {
            if (bridge == null)
            {
                bridge = JournalBridgeFile.create(ctx.directory(), baseVersion);
            }
            stagingBytes.clear().limit(staged);
            bridge.append(stagingBytes, baseVersion + sequence);
            final long epochMs = ctx.epochMsClock().getAsLong();
            if (writtenAt.isEmpty() || writtenAt.getLong(writtenAt.size() - 1) != epochMs)
            {
                writtenAt.addLong(baseVersion + start + 1);
                writtenAt.addLong(epochMs);
            }
            nextSequence = sequence;
            bytesWritten += staged;
            ring.release(sequence);   // before publishing: a caller woken by "written" finds the slots free
            progress.written(progress.writtenCycle(), baseVersion + sequence, bytesWritten);
        }
        syncPerPolicy(requestedSync);
        return drained;
    }

    /**
     * @return bytes the bridge may still take without crowding out the queue: the copy needs the bridge's bytes again in
     *         a cycle file, and the writer reserves two Chronicle blocks ahead ({@link DiskReservation}); what is left
     *         beyond that (one {@code statfs} per batch, during the bridge phase only). On a nearly full disk frames
     *         wait in the ring for the queue, whose writer reports the full disk as ever.
     */
    private long roomOnDisk(final long length)
    {
        final long usable = ctx.directory().toFile().getUsableSpace();
        if (usable == 0)
        {
            return 0;   // unknown or full
        }
        return (usable - 2 * ctx.chronicleBlockSize() - length) / 2;
    }

    private void syncPerPolicy(final long requestedSync) throws IOException
    {
        final JournalBridgeFile current = bridge;
        if (current == null)
        {
            return;
        }
        final long written = baseVersion + nextSequence;
        if (written <= current.syncedVersion())
        {
            return;
        }
        final long now = System.nanoTime();
        final SyncPolicy policy = ctx.syncPolicy();
        final boolean periodicDue = policy == SyncPolicy.PERIODIC && now - nextPeriodicNs >= 0;
        if (policy == SyncPolicy.ALWAYS || periodicDue || requestedSync > current.syncedVersion())
        {
            current.forceUpTo(written);
            if (periodicDue)
            {
                nextPeriodicNs = now + intervalNs;
            }
        }
    }

    /**
     * Copy the frame of {@code sequence} into the staging buffer at {@code at}, sealed, and give its arena space back.
     */
    private void stage(final long sequence, final FrameArena arena, final int at, final int length)
    {
        final long version = baseVersion + sequence + 1;
        final int flags = ring.slotFlags(sequence);
        final UnsafeBuffer frame;
        final int offset;
        long arenaPosition = 0;
        int arenaClaimed = 0;
        if (flags == SLOT_FLAG_ARENA)
        {
            arenaPosition = ring.arenaPosition(sequence);
            arenaClaimed = ring.arenaClaimedLength(sequence);
            frame = arena.buffer();
            offset = arena.frameOffset(arenaPosition, arenaClaimed);
        }
        else if (flags == SLOT_FLAG_OVERSIZE)
        {
            heapFrame.wrap(ring.takeOversize(sequence));
            frame = heapFrame;
            offset = 0;
        }
        else
        {
            frame = ring.buffer();
            offset = ring.frameOffset(sequence);
        }
        final long storedVersion = frame.getLong(offset + VERSION_OFFSET);
        if (storedVersion != version || frame.getInt(offset + FRAME_LENGTH_OFFSET) != length)
        {
            throw new IllegalStateException("ring slot out of order: expected version=" + version +
                " found version=" + storedVersion + " frameLength=" + length);
        }
        lastTimestampNs = Math.max(clock.nanoTime(), lastTimestampNs);   // stamps never go backwards
        DeltaFrameEncoder.seal(frame, offset, length, lastTimestampNs, checksum);
        ensureStaging(at + length);
        staging.putBytes(at, frame, offset, length);
        if (flags == SLOT_FLAG_ARENA)
        {
            arena.release(arenaPosition, arenaClaimed);   // copied: the space may be reused
        }
    }

    private void ensureStaging(final int needed)
    {
        if (needed <= stagingBytes.capacity())
        {
            return;
        }
        final ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(needed, stagingBytes.capacity() * 2));
        stagingBytes.clear();
        bigger.put(stagingBytes);
        stagingBytes = bigger;
        staging.wrap(bigger);
    }
}
