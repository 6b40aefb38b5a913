package dev.engram.backup;

/**
 * An operation was refused because another holds the repository's lock (prune beside a backup or another prune, a
 * backup beside a prune): the message names the holder (operation, pid, host, since when, lease) and the way out
 * (wait; if the holder is gone, {@link Backups#unlock()}). docs/backup.md, "Repository lock".
 */
public final class RepositoryLockedException extends BackupException
{
    private static final long serialVersionUID = 1L;

    private final String holder;

    public RepositoryLockedException(final String message, final String holder)
    {
        super(message);
        this.holder = holder;
    }

    /** The holder: operation, lock mode, pid, host, when taken and the lease's end. */
    public String holder()
    {
        return holder;
    }
}
