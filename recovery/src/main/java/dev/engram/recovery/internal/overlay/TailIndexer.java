package dev.engram.recovery.internal.overlay;

import dev.engram.journal.DeltaFrame;
import dev.engram.journal.FrameHandler;
import dev.engram.recovery.CheckpointCorruptionException;
import dev.engram.recovery.internal.checkpoint.KeyHash;

/**
 * Applies replayed journal frames to an {@link Overlay} without copying PUT values: each PUT becomes a
 * reference to where its bytes already are in the mapped journal (a frame with no place in the queue yet, from the
 * journal's bridge file, is copied off-heap instead); PATCH materialises off-heap; DELETE
 * leaves a tombstone. Frames must arrive in version order (the reader guarantees it). A frame that cannot be
 * applied quarantines the keys it changes ({@link FrameQuarantine}) instead of failing.
 */
public final class TailIndexer implements FrameHandler
{
    private final Overlay overlay;
    private final Overlay.BaseValues base;
    private final org.agrona.concurrent.UnsafeBuffer baseValue = new org.agrona.concurrent.UnsafeBuffer(0, 0);
    private final org.agrona.concurrent.UnsafeBuffer reasonBuffer = new org.agrona.concurrent.UnsafeBuffer(0, 0);
    private FrameQuarantine.Listener quarantineListener = FrameQuarantine.NONE;
    private long lastVersion;

    public TailIndexer(final Overlay overlay, final Overlay.BaseValues base)
    {
        this.overlay = overlay;
        this.base = base;
    }

    /**
     * @param listener told about each key quarantined because a frame could not be applied.
     * @return this.
     */
    TailIndexer onQuarantine(final FrameQuarantine.Listener listener)
    {
        this.quarantineListener = listener;
        return this;
    }

    @Override
    public void onFrame(final DeltaFrame frame)
    {
        final long version = frame.version();
        final int cycle = frame.cycle();
        final long framePosition = frame.filePosition();
        if (frame.opCount() > 1)
        {
            // a delta is applied whole or not at all: find what cannot be applied before applying any op
            if (!precheck(frame))
            {
                quarantine(frame, FrameQuarantine.reason(version, cycle, framePosition, FrameQuarantine.problem(frame)));
                return;
            }
        }
        try
        {
            while (frame.nextOp())
            {
                switch (frame.opType())
                {
                    case PUT ->
                    {
                        if (framePosition >= 0)
                        {
                            overlay.putJournalRef(frame.buffer(), frame.keyOffset(), frame.keyLength(), version,
                                cycle, framePosition + frame.dataOffset(), frame.dataLength());
                        }
                        else
                        {
                            // not in the queue yet (the bridge file, while the queue opens): no place to refer to
                            overlay.putCopy(frame.buffer(), frame.keyOffset(), frame.keyLength(), version,
                                frame.buffer(), frame.dataOffset(), frame.dataLength());
                        }
                    }
                    case DELETE -> overlay.putTombstone(frame.buffer(), frame.keyOffset(), frame.keyLength(), version);
                    case PATCH -> overlay.patch(frame.buffer(), frame.keyOffset(), frame.keyLength(), version,
                        frame.patchOffset(), frame.buffer(), frame.dataOffset(), frame.dataLength(), base);
                    default -> throw new IllegalArgumentException("unknown op");
                }
            }
        }
        catch (final IllegalArgumentException | IndexOutOfBoundsException ex)
        {
            // a limit no check above knew of, or a single-op frame (not pre-checked): the overlay refuses before it
            // changes anything, and every key of the frame is quarantined, whatever ops were applied before
            frame.resetOps();
            quarantine(frame, FrameQuarantine.reason(version, cycle, framePosition, describe(frame, ex)));
            return;
        }
        lastVersion = version;
    }

    private static String describe(final DeltaFrame frame, final RuntimeException ex)
    {
        final String problem = FrameQuarantine.problem(frame);
        return problem != null ? problem : ex.toString();
    }

    /**
     * Quarantine every key of the frame (ops walked from the first) at its version.
     */
    private void quarantine(final DeltaFrame frame, final String reason)
    {
        final long version = frame.version();
        reasonBuffer.wrap(reason.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        while (frame.nextOp())
        {
            overlay.putQuarantined(frame.buffer(), frame.keyOffset(), frame.keyLength(),
                KeyHash.hash(frame.buffer(), frame.keyOffset(), frame.keyLength()), version, reasonBuffer, 0,
                reasonBuffer.capacity());
            quarantineListener.onQuarantined(frame.key(), version, reason);
        }
        frame.resetOps();
        lastVersion = version;
    }

    /**
     * One walk over a multi-op frame before any op is applied: every op within the engine's limits (else the frame is
     * quarantined), and every base value a PATCH of a key the overlay does not hold will read is readable — a damaged
     * base block ({@link CheckpointCorruptionException}) stops the frame before any of its ops is applied (a delta is
     * applied whole or not at all, also to readers).
     *
     * @return false if an op is out of limits (the ops walked so far changed nothing).
     */
    private boolean precheck(final DeltaFrame frame)
    {
        final boolean readBase = base != StateView.EMPTY;
        try
        {
            while (frame.nextOp())
            {
                final dev.engram.journal.OpType type = frame.opType();
                if (!FrameQuarantine.withinLimits(type, frame.patchOffset(), frame.dataLength()))
                {
                    return false;
                }
                if (readBase && type == dev.engram.journal.OpType.PATCH &&
                    overlay.find(frame.buffer(), frame.keyOffset(), frame.keyLength(),
                        KeyHash.hash(frame.buffer(), frame.keyOffset(), frame.keyLength())) == 0)
                {
                    base.get(frame.buffer(), frame.keyOffset(), frame.keyLength(), baseValue);
                }
            }
            return true;
        }
        finally
        {
            frame.resetOps();
            baseValue.wrap(0, 0);   // holds no view of the base past the check
        }
    }

    long lastVersion()
    {
        return lastVersion;
    }
}
