package dev.engram.journal;

/**
 * A wait for a background open's queue ({@link Journal#newReader()} and the like) given up because the journal's
 * owner is closing it ({@link Journal#stopWaitingForQueue()}): not a failure, the thread that waited should stop.
 */
public final class JournalClosingException extends JournalException
{
    private static final long serialVersionUID = 1L;

    public JournalClosingException(final String message)
    {
        super(message);
    }
}
