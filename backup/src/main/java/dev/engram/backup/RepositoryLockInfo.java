package dev.engram.backup;

import java.time.Instant;

/**
 * One lock object of a repository ({@link Backups#locks()}, {@link Backups#unlock(boolean)}); docs/backup.md,
 * "Repository lock".
 *
 * @param key        the object's key ({@code locks/shared-<id>} or {@code locks/exclusive-<id>})
 * @param operation  what the holder does ("backup", "prune"); "unknown" if the object does not read
 * @param exclusive  an exclusive (prune) lock, else a shared (backup) one
 * @param pid        the holder's process id (0 if the object does not read)
 * @param host       the holder's host name ("" if the object does not read)
 * @param taken      when the holder took the lock (null if the object does not read)
 * @param leaseEnd   when the lock is stale unless its holder refreshes it (null if the object does not read)
 * @param stale      its lease has ended, or its holder ran on this host and no longer runs (a backup or prune
 *                   removes it by itself)
 * @param unreadable why the object does not read (it refuses prune and backups: its holder is unknown); null if it
 *                   reads
 */
public record RepositoryLockInfo(String key, String operation, boolean exclusive, long pid, String host,
    Instant taken, Instant leaseEnd, boolean stale, String unreadable)
{
    /** "backup (shared lock) by pid 42 on host h, taken …, lease until …", or why the object does not read. */
    public String describeHolder()
    {
        if (unreadable != null)
        {
            return "unreadable (" + unreadable + ")";
        }
        return operation + " (" + (exclusive ? "exclusive" : "shared") + " lock) by pid " + pid + " on host " + host +
            ", taken " + taken + ", lease until " + leaseEnd;
    }
}
