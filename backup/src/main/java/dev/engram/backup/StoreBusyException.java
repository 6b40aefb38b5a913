package dev.engram.backup;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The state directory to back up is open in a process (its {@code engram.lock} is held). This version backs up a
 * closed directory only: close the store first (a backup of a live store is future work, docs/backup.md).
 */
public final class StoreBusyException extends IOException
{
    private static final long serialVersionUID = 1L;

    public StoreBusyException(final Path directory, final Throwable cause)
    {
        super("the store " + directory + " is open in a process (engram.lock is held): close it before backing it " +
            "up (backups of a live store are not supported yet)", cause);
    }
}
