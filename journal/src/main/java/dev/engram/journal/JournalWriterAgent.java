package dev.engram.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.OffsetEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

import static dev.engram.journal.DeltaFrameDescriptor.FRAME_LENGTH_OFFSET;
import static dev.engram.journal.DeltaFrameDescriptor.VERSION_OFFSET;
import static dev.engram.journal.DeltaRingDescriptor.SLOT_FLAG_ARENA;
import static dev.engram.journal.DeltaRingDescriptor.SLOT_FLAG_OVERSIZE;

/**
 * The journal thread: the only owner of the Chronicle appender. Drains the ring in sequence order,
 * seals each frame (its time and CRC32C: {@link DeltaFrameEncoder#seal}), appends it as one excerpt, then
 * publishes the written version and frees the slots. A frame that cannot be written stops the writer with the
 * failure recorded; nothing is skipped.
 */
final class JournalWriterAgent implements Runnable
{
    private static final int DRAIN_LIMIT = 256;
    private static final int CLOCK_MAX_MEASUREMENT_RETRIES = 100;
    private static final long CLOCK_MEASUREMENT_THRESHOLD_NS = 250;
    private static final long CLOCK_RESAMPLE_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final ChronicleJournalStore store;
    private final ManyToOneDeltaRing ring;
    private final UnsafeBuffer ringBuffer;
    private final BytesStore<?, ?> ringBytes;
    private FrameArena arena;   // the ring's, allocated on this thread before run()
    private UnsafeBuffer arenaBuffer;
    private BytesStore<?, ?> arenaBytes;
    private final IdleStrategy idleStrategy;
    /**
     * Frame timestamps: System.nanoTime() plus an epoch offset re-sampled once a second, so stamping a frame
     * allocates nothing (SystemEpochNanoClock goes through Instant.now(), which escape analysis did not remove
     * here: 24 B of garbage per frame on this thread).
     */
    private final EpochNanoClock clock = new OffsetEpochNanoClock(
        CLOCK_MAX_MEASUREMENT_RETRIES, CLOCK_MEASUREMENT_THRESHOLD_NS, CLOCK_RESAMPLE_INTERVAL_NS);
    /** The stamp of the last batch written: stamps never go backwards. */
    private long lastTimestampNs;
    private final FrameChecksum checksum = new FrameChecksum();
    private final UnsafeBuffer heapFrame = new UnsafeBuffer(new byte[0]);
    private final DiskReservation reservation;
    private final NoReadAheadChunks noReadAhead;
    private final long baseVersion;
    private final JournalSyncer syncer;
    private final JournalProgress progress;
    private final JournalManifestKeeper manifest;
    private int cycle;   // the cycle the last frame went into
    private Bytes<?> checkedBytes;   // the appender's bytes whose thread check is off

    private volatile boolean running = true;
    private ExcerptAppender appender;
    private long nextSequence;
    private long bytesWritten;

    JournalWriterAgent(
        final ChronicleJournalStore store,
        final ManyToOneDeltaRing ring,
        final IdleStrategy idleStrategy,
        final long baseVersion,
        final JournalSyncer syncer,
        final JournalProgress progress,
        final JournalManifestKeeper manifest)
    {
        this.store = store;
        this.reservation = new DiskReservation(store.cycleFiles(), store.maxFrameLength());
        this.noReadAhead = new NoReadAheadChunks(reservation);
        this.ring = ring;
        this.ringBuffer = ring.buffer();
        this.ringBytes = BytesStore.wrap(ringBuffer.addressOffset(), ringBuffer.capacity());
        this.idleStrategy = idleStrategy;
        this.baseVersion = baseVersion;
        this.syncer = syncer;
        this.progress = progress;
        this.manifest = manifest;
        this.cycle = manifest.newestCycle();
    }

    @Override
    public void run()
    {
        try
        {
            arena = ring.arena();
            if (arena != null)
            {
                arenaBuffer = arena.buffer();
                arenaBytes = BytesStore.wrap(arenaBuffer.addressOffset(), arenaBuffer.capacity());
            }
            appender = store.queue().createAppender();
            // this thread is the appender's only user: Chronicle's per-call check of the calling thread (a
            // ThreadLocal look-up and compare, several times per excerpt) is pure cost here
            appender.singleThreadedCheckDisabled(true);
            while (true)
            {
                final int drained = drain();
                if (drained == 0)
                {
                    if (!running && nextSequence >= ring.claimedSequence())
                    {
                        break;
                    }
                    if (progress.callerWaitedRecently())
                    {
                        // a caller is waiting on each write (append, await, append...): its next frame is
                        // microseconds away, so look again rather than park and make it pay the wake-up
                        Thread.onSpinWait();
                        continue;
                    }
                }
                idleStrategy.idle(drained);
            }
        }
        catch (final JournalDiskFullException ex)
        {
            progress.fail(ex);
        }
        catch (final Throwable ex)
        {
            progress.fail(new JournalException("journal writer stopped at version=" + (baseVersion + nextSequence + 1) +
                " in " + store.metadataFile().getParent() + ": " + ex + " (Chronicle failed: a cycle file's header or " +
                "metadata.cq4t may be damaged)", ex));
        }
        finally
        {
            reservation.close();
            if (appender != null)
            {
                appender.close();
            }
            progress.writerStopped();
        }
    }

    /**
     * Before {@link #run()}: the ring's first {@code sequence} sequences ({@code bytes} of frames) are in the queue
     * already, the last frame in {@code lastCycle} stamped {@code lastStampNs} (copied from the bridge:
     * {@link JournalBridgeCopy}).
     */
    void continueAfter(final long sequence, final long bytes, final int lastCycle, final long lastStampNs)
    {
        lastTimestampNs = lastStampNs;
        nextSequence = sequence;
        bytesWritten = bytes;
        cycle = lastCycle;
    }

    /**
     * Ask the writer to stop once every claimed sequence is written.
     */
    void stop()
    {
        running = false;
    }

    /**
     * @return bytes reserved on disk past the data of the cycle file being written ({@link DiskReservation}); any thread.
     */
    long reservedAheadBytes()
    {
        return reservation.reservedAheadBytes();
    }

    private int drain()
    {
        if (arena != null)
        {
            arena.reclaimAbandoned();
        }
        final long start = nextSequence;
        long sequence = start;
        final long end = start + DRAIN_LIMIT;
        if (!ring.isPublished(sequence))
        {
            return 0;
        }
        // one clock read per batch, not per frame: the frames of a batch are written within microseconds
        // never before the previous batch's: the offset clock re-reads the wall clock now and then and can step back,
        // and stateAt(Instant) looks versions up by their frames' stamps, which must not go backwards
        final long timestampNs = Math.max(clock.nanoTime(), lastTimestampNs);
        lastTimestampNs = timestampNs;
        do
        {
            write(sequence, timestampNs);
            sequence++;
        }
        while (sequence < end && ring.isPublished(sequence));
        final int drained = (int)(sequence - start);
        if (drained > 0)
        {
            nextSequence = sequence;
            ring.release(sequence);   // before publishing: a caller woken by "written" finds the slots free
            progress.written(appender.cycle(), baseVersion + sequence, bytesWritten);
            syncer.onWritten();
        }
        return drained;
    }

    private void write(final long sequence, final long timestampNs)
    {
        final long version = baseVersion + sequence + 1;
        final int flags = ring.slotFlags(sequence);
        final UnsafeBuffer frame;
        final BytesStore<?, ?> source;   // the same memory as frame, for Chronicle's write (null: heap array)
        final int offset;
        final int length = ring.frameLength(sequence);
        byte[] oversize = null;
        long arenaPosition = 0;
        int arenaClaimed = 0;
        if (flags == SLOT_FLAG_ARENA)
        {
            arenaPosition = ring.arenaPosition(sequence);
            arenaClaimed = ring.arenaClaimedLength(sequence);
            frame = arenaBuffer;
            source = arenaBytes;
            offset = arena.frameOffset(arenaPosition, arenaClaimed);
        }
        else if (flags == SLOT_FLAG_OVERSIZE)
        {
            oversize = ring.takeOversize(sequence);
            heapFrame.wrap(oversize);
            frame = heapFrame;
            source = null;
            offset = 0;
        }
        else
        {
            frame = ringBuffer;
            source = ringBytes;
            offset = ring.frameOffset(sequence);
        }
        final long storedVersion = frame.getLong(offset + VERSION_OFFSET);
        if (storedVersion != version || frame.getInt(offset + FRAME_LENGTH_OFFSET) != length)
        {
            throw new IllegalStateException("ring slot out of order: expected version=" + version +
                " found version=" + storedVersion + " frameLength=" + length);
        }
        DeltaFrameEncoder.seal(frame, offset, length, timestampNs, checksum);
        bytesWritten += length;
        final int frameCycle;
        final long frameEnd;
        try (DocumentContext dc = appender.writingDocument())
        {
            final Bytes<?> bytes = dc.wire().bytes();
            if (bytes != checkedBytes)
            {
                checkedBytes = bytes;   // a new cycle's mapping: only this thread writes through it
                bytes.singleThreadedCheckDisabled(true);
            }
            if (source == null)
            {
                bytes.write(oversize, 0, length);
            }
            else
            {
                bytes.write(source, (long)offset, (long)length);
            }
            frameCycle = appender.cycle();
            frameEnd = bytes.writePosition();
            noReadAhead.onWrite(bytes, frameCycle);
        }
        store.rollIfFull(frameCycle, frameEnd, length);
        if (frameCycle != cycle)
        {
            // the queue rolled: this frame is the new cycle's first (by time, or after rollBytes of the cycle before)
            cycle = frameCycle;
            manifest.cycleStarted(cycle, version);
            syncer.onCycleStarted();
        }
        if (flags == SLOT_FLAG_ARENA)
        {
            arena.release(arenaPosition, arenaClaimed);   // copied into the journal: the space may be reused
        }
    }
}
