package dev.engram.recovery;

/**
 * A checkpoint, catalog or key index could not be written, read or trusted. Subclasses say which.
 */
public class CheckpointException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public CheckpointException(final String message)
    {
        super(message);
    }

    public CheckpointException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
