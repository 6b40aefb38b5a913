package dev.engram.backup;

/**
 * Told how far a backup, restore or verify has come ({@link Progress}): at most every
 * {@link #INTERVAL_MS} milliseconds while it runs, and once at the end when it succeeds ({@link Progress#finished()}).
 * Calls come one at a time (never two at once) but from the operation's threads, not necessarily the caller's; a
 * listener should return quickly. An exception it throws reaches the caller: a running operation stops there (as on
 * any failure), while one from the last call comes after the work is done (a restore's directory is in place).
 */
@FunctionalInterface
public interface ProgressListener
{
    /** The least time between two calls while the operation runs. */
    long INTERVAL_MS = 250;

    /** A listener that ignores everything. */
    ProgressListener NONE = progress -> { };

    void progress(Progress progress);
}
