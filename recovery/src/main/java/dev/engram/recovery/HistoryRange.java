package dev.engram.recovery;

/**
 * The versions {@link StateStore#stateAt(long)} can rebuild right now: every version in
 * {@code [oldestVersion, newestVersion]}. The journal, which {@link StateStore#history} and
 * {@link StateStore#diff} read, holds the deltas from {@code firstJournalVersion} onwards; it always
 * covers {@code (oldestVersion, newestVersion]}.
 *
 * @param oldestVersion       the oldest version whose state can be rebuilt (0, the empty state, when the
 *                            journal still starts at version 1).
 * @param newestVersion       the journal's written version when the range was read.
 * @param firstJournalVersion the oldest delta still in the journal (newestVersion + 1 if it holds none).
 */
public record HistoryRange(long oldestVersion, long newestVersion, long firstJournalVersion)
{
    /**
     * @param version a version.
     * @return true if {@code stateAt(version)} can be answered.
     */
    public boolean contains(final long version)
    {
        return version >= oldestVersion && version <= newestVersion;
    }

    /**
     * @return e.g. {@code [120, 5000] (journal from version=121)}.
     */
    public String describe()
    {
        return "[" + oldestVersion + ", " + newestVersion + "] (journal from version=" + firstJournalVersion + ")";
    }
}
