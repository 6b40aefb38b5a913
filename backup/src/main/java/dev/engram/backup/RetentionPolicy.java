package dev.engram.backup;

/**
 * Which backups {@link Backups#prune} keeps. Now: the newest N ({@link #keepLast}); keep-within and keep-daily are
 * future work (docs/backup.md).
 *
 * @param keepLast how many of the newest backups to keep (≥ 1)
 */
public record RetentionPolicy(int keepLast)
{
    public RetentionPolicy
    {
        if (keepLast < 1)
        {
            throw new IllegalArgumentException("keepLast must be >= 1: " + keepLast);
        }
    }

    /** Keep the newest {@code n} backups. */
    public static RetentionPolicy keepLast(final int n)
    {
        return new RetentionPolicy(n);
    }
}
