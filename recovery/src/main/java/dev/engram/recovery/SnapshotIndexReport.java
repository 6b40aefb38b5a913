package dev.engram.recovery;

/**
 * What the check of the snapshot index after open found (see {@link StateStore#snapshotIndexCheck()}).
 *
 * @param rebuilt          whether the catalog or the key index was missing, stale or damaged and rebuilt from
 *                         the checkpoint files.
 * @param keyIndexAttached whether point reads now go through the key index.
 * @param description      what was found and done, for a log or a report.
 * @param elapsedNs        how long the check took.
 */
public record SnapshotIndexReport(boolean rebuilt, boolean keyIndexAttached, String description, long elapsedNs)
{
}
