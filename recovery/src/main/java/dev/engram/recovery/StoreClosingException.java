package dev.engram.recovery;

/**
 * Thrown by a call that was in progress when the store began to close and gave up at its next step (a
 * checkpoint build, a replay): the store is closing, nothing is damaged.
 */
final class StoreClosingException extends IllegalStateException
{
    private static final long serialVersionUID = 1L;

    StoreClosingException(final String message)
    {
        super(message);
    }
}
