package dev.engram.journal;

/**
 * When the journal forces written frames to disk (see {@link Journal#syncedVersion()}).
 * In every policy a caller may also ask for a sync with {@link Journal#awaitSynced(long, long)} or
 * {@link Journal#requestSync()}; concurrent requests share one force (group commit). The force always
 * runs on the journal's sync thread, never on a producer's.
 * <ul>
 *   <li>{@link #ASYNC}: no sync of its own; written frames survive the process dying, the OS writes
 *       them back when it likes (Redis {@code appendfsync no}).</li>
 *   <li>{@link #PERIODIC}: force every {@link JournalContext#syncIntervalMs()} when anything new was
 *       written (Redis {@code everysec}).</li>
 *   <li>{@link #ALWAYS}: force as soon as anything new is written, group-committing whatever was
 *       written meanwhile (Redis {@code always}, RocksDB {@code sync=true} with group commit).</li>
 * </ul>
 */
public enum SyncPolicy
{
    ASYNC, PERIODIC, ALWAYS
}
