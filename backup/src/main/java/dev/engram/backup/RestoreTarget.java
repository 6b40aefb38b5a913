package dev.engram.backup;

/**
 * Which backup {@link Backups#restore} restores: the newest, or one by id. (A state version or an instant, replaying
 * the journal up to it, is future work: docs/backup.md.)
 */
public sealed interface RestoreTarget
{
    /** The newest backup. */
    static RestoreTarget latest()
    {
        return Latest.INSTANCE;
    }

    /** The backup with that id. */
    static RestoreTarget backup(final long id)
    {
        return new ById(id);
    }

    /** The newest backup. */
    enum Latest implements RestoreTarget
    {
        INSTANCE
    }

    /**
     * A backup by id.
     *
     * @param id the backup id
     */
    record ById(long id) implements RestoreTarget
    {
    }
}
