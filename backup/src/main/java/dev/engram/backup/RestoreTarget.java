package dev.engram.backup;

import java.time.Instant;

/**
 * What {@link Backups#restore} restores: the newest backup, one by id, or the state at a version or an instant
 * (point-in-time restore: a backup holding it, its journal ended right after that version; docs/backup.md).
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

    /** The state at exactly {@code version}, as {@code Engram.stateAt(version)} of the source saw it. */
    static RestoreTarget version(final long version)
    {
        return new AtVersion(version);
    }

    /** The state at the last version stamped at or before {@code instant}, as {@code Engram.stateAt(instant)}. */
    static RestoreTarget at(final Instant instant)
    {
        return new AtInstant(instant);
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

    /**
     * A state version.
     *
     * @param version the version (at least 1)
     */
    record AtVersion(long version) implements RestoreTarget
    {
        public AtVersion
        {
            if (version < 1)
            {
                throw new IllegalArgumentException("version=" + version + ": a restore version is at least 1");
            }
        }
    }

    /**
     * An instant.
     *
     * @param instant when
     */
    record AtInstant(Instant instant) implements RestoreTarget
    {
        public AtInstant
        {
            if (instant == null)
            {
                throw new IllegalArgumentException("instant must not be null");
            }
        }
    }
}
