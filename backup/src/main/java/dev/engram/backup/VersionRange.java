package dev.engram.backup;

/**
 * The state versions one backup restores exactly ({@link RestoreTarget#version}).
 *
 * @param backupId     the backup
 * @param firstVersion its newest checkpoint's state version (the journal it holds starts right after it); 0 without
 *                     a checkpoint
 * @param lastVersion  its state version
 */
public record VersionRange(long backupId, long firstVersion, long lastVersion)
{
    /** Whether the backup restores {@code version}. */
    public boolean contains(final long version)
    {
        return version >= firstVersion && version <= lastVersion;
    }

    @Override
    public String toString()
    {
        return firstVersion + ".." + lastVersion + " (backup " + backupId + ")";
    }
}
