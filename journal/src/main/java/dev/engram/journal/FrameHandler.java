package dev.engram.journal;

/**
 * Receives verified frames during replay, in version order.
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * @param frame a verified frame, valid only during this call.
     */
    void onFrame(DeltaFrame frame);
}
