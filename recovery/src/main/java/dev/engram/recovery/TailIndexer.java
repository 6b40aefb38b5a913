package dev.engram.recovery;

import dev.engram.journal.DeltaFrame;
import dev.engram.journal.FrameHandler;

/**
 * Applies replayed journal frames to an {@link Overlay} without copying PUT values: each PUT becomes a
 * reference to where its bytes already are in the mapped journal; PATCH materialises off-heap; DELETE
 * leaves a tombstone. Frames must arrive in version order (the reader guarantees it).
 */
final class TailIndexer implements FrameHandler
{
    private final Overlay overlay;
    private final Overlay.BaseValues base;
    private final org.agrona.concurrent.UnsafeBuffer baseValue = new org.agrona.concurrent.UnsafeBuffer(0, 0);
    private long lastVersion;

    TailIndexer(final Overlay overlay, final Overlay.BaseValues base)
    {
        this.overlay = overlay;
        this.base = base;
    }

    @Override
    public void onFrame(final DeltaFrame frame)
    {
        final long version = frame.version();
        final int cycle = frame.cycle();
        final long framePosition = frame.filePosition();
        if (frame.opCount() > 1 && base != StateView.EMPTY)
        {
            checkBaseReadable(frame);
        }
        while (frame.nextOp())
        {
            switch (frame.opType())
            {
                case PUT -> overlay.putJournalRef(frame.buffer(), frame.keyOffset(), frame.keyLength(), version,
                    cycle, framePosition + frame.dataOffset(), frame.dataLength());
                case DELETE -> overlay.putTombstone(frame.buffer(), frame.keyOffset(), frame.keyLength(), version);
                case PATCH -> overlay.patch(frame.buffer(), frame.keyOffset(), frame.keyLength(), version,
                    frame.patchOffset(), frame.buffer(), frame.dataOffset(), frame.dataLength(), base);
                default -> throw new IllegalStateException("unknown op in verified frame: version=" + version);
            }
        }
        lastVersion = version;
    }

    /**
     * A PATCH of a key the overlay does not hold reads its value from the base: read those first, so that a
     * damaged base block ({@link CheckpointCorruptionException}) stops the frame before any of its ops is
     * applied (a delta is applied whole or not at all, also to readers).
     */
    private void checkBaseReadable(final DeltaFrame frame)
    {
        while (frame.nextOp())
        {
            if (frame.opType() == dev.engram.journal.OpType.PATCH &&
                overlay.find(frame.buffer(), frame.keyOffset(), frame.keyLength(),
                    KeyHash.hash(frame.buffer(), frame.keyOffset(), frame.keyLength())) == 0)
            {
                base.get(frame.buffer(), frame.keyOffset(), frame.keyLength(), baseValue);
            }
        }
        frame.resetOps();
        baseValue.wrap(0, 0);   // holds no view of the base past the check
    }

    long lastVersion()
    {
        return lastVersion;
    }
}
