package dev.engram.journal;

/**
 * The ring stayed full: the journal thread did not keep up within the back-pressure policy.
 * The delta was not appended and no version was used.
 */
public final class JournalBackPressureException extends JournalException
{
    private static final long serialVersionUID = 1L;

    public JournalBackPressureException(final String message)
    {
        super(message);
    }
}
