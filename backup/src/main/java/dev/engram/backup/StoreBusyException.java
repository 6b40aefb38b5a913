package dev.engram.backup;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The state directory to back up by its path is open in a process (its {@code engram.lock} is held): a backup by path
 * reads a closed directory only. An open store is backed up by the process that has it open, with
 * {@link Backups#backup(dev.engram.engine.Engram)} (docs/backup.md).
 */
public final class StoreBusyException extends IOException
{
    private static final long serialVersionUID = 1L;

    public StoreBusyException(final Path directory, final Throwable cause)
    {
        super("the store " + directory + " is open in a process (engram.lock is held): close it before backing it " +
            "up by its directory, or back it up from the process that has it open (Backups.backup(engram))", cause);
    }
}
