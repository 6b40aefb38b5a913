package dev.engram.engine;

/**
 * What {@link Engram#migrate} did.
 *
 * @param scanned          keys looked at.
 * @param migrated         values rewritten at the current schema version (as ordinary deltas).
 * @param skippedRaw       values without a typed envelope (raw bytes), left alone.
 * @param lastVersion      the version of the last rewrite (0 if none).
 * @param elapsedNs        time taken.
 * @param deltas           deltas committed: each one atomic batch of at most
 *                         {@link EngramContext#migrationBatchKeys()} keys and about
 *                         {@link EngramContext#migrationBatchBytes()} bytes.
 * @param largestDeltaKeys the most keys one of those deltas held.
 */
public record MigrationReport(
    long scanned, long migrated, long skippedRaw, long lastVersion, long elapsedNs, long deltas, int largestDeltaKeys)
{
}
