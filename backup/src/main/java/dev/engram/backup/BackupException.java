package dev.engram.backup;

import java.io.IOException;

/**
 * A backup operation was refused or could not be done: the message says what and what to do.
 */
public class BackupException extends IOException
{
    private static final long serialVersionUID = 1L;

    public BackupException(final String message)
    {
        super(message);
    }

    public BackupException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
