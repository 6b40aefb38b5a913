package dev.engram.recovery.internal.chain;

/**
 * Thrown inside a check that runs after open (a key index rebuild) when its store closed: the check gave up at its
 * next entry, removed what it had half built and frees what it holds; nothing is damaged.
 */
public final class CheckStoppedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public CheckStoppedException(final String message)
    {
        super(message);
    }
}
