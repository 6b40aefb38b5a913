package dev.engram.recovery;

/**
 * The files on disk cannot be turned back into a consistent state. The message names the files and what
 * was wrong with each; nothing was deleted.
 */
public class RecoveryException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public RecoveryException(final String message)
    {
        super(message);
    }

    public RecoveryException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
