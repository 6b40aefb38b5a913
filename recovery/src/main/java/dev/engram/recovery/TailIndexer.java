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

    long lastVersion()
    {
        return lastVersion;
    }
}
