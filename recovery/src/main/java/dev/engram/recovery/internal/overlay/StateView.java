package dev.engram.recovery.internal.overlay;

/**
 * One consistent generation of the readable state: a checkpoint chain (or none) and the overlay of what
 * changed after it. Replaced as a whole when a new checkpoint is published; readers re-bind on change.
 *
 * @param base              the checkpoint chain, or {@link Overlay.BaseValues} that knows nothing (no checkpoint yet).
 * @param baseVersion       the state version the base holds.
 * @param overlay           keys changed after {@code baseVersion}.
 */
public record StateView(Overlay.BaseValues base, long baseVersion, Overlay overlay)
{
    public static final Overlay.BaseValues EMPTY = (key, offset, length, out) -> false;
}
