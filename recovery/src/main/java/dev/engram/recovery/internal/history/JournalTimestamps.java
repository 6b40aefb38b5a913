package dev.engram.recovery.internal.history;

import dev.engram.journal.Journal;
import dev.engram.journal.JournalReader;

/**
 * Finds versions by time in the journal. Every frame carries the epoch-ns timestamp the journal thread
 * stamped when writing it, in version order, so the last version at or before an instant is found by a
 * binary search that reads one frame per step (each read seeks by version, see docs/journal.md).
 * <p>
 * The timestamps come from the wall clock: if it stepped back while the journal was written they are not
 * monotonic, and the search then returns a version whose timestamp is at or before the instant and whose
 * successor's is after it — not necessarily the last such version. Not thread-safe: one per call.
 */
final class JournalTimestamps implements AutoCloseable
{
    /** {@link #lastVersionAtOrBefore} when the journal's first frame is later than the instant. */
    static final long BEFORE_FIRST = -1;

    private final JournalReader reader;
    private long timestamp;

    JournalTimestamps(final Journal journal)
    {
        this.reader = journal.newReader();
    }

    /**
     * @return the first version the journal holds, or -1 if it holds none.
     */
    long firstVersion()
    {
        return reader.firstVersion();
    }

    /**
     * @param version a version the journal holds.
     * @return its frame's timestamp, epoch ns, or -1 if the journal does not hold it.
     */
    long timestampOf(final long version)
    {
        if (version < 1)
        {
            return -1;
        }
        timestamp = -1;
        reader.replay(version, version, frame -> timestamp = frame.timestampEpochNs());
        return timestamp;
    }

    /**
     * @param epochNs      an instant, epoch ns.
     * @param firstVersion the journal's first version (see {@link #firstVersion()}).
     * @param lastVersion  the newest version to consider (the written version).
     * @return the last version in [firstVersion, lastVersion] whose timestamp ≤ epochNs, or
     * {@link #BEFORE_FIRST} if the first one is already later (or the range is empty).
     */
    long lastVersionAtOrBefore(final long epochNs, final long firstVersion, final long lastVersion)
    {
        if (firstVersion < 1 || lastVersion < firstVersion)
        {
            return BEFORE_FIRST;
        }
        final long firstTimestamp = timestampOf(firstVersion);
        if (firstTimestamp < 0 || firstTimestamp > epochNs)
        {
            return BEFORE_FIRST;
        }
        final long lastTimestamp = timestampOf(lastVersion);
        if (lastTimestamp >= 0 && lastTimestamp <= epochNs)
        {
            return lastVersion;
        }
        long low = firstVersion;        // timestamp(low) ≤ epochNs
        long high = lastVersion;        // timestamp(high) > epochNs
        while (high - low > 1)
        {
            final long middle = low + (high - low) / 2;
            final long middleTimestamp = timestampOf(middle);
            if (middleTimestamp >= 0 && middleTimestamp <= epochNs)
            {
                low = middle;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }

    @Override
    public void close()
    {
        reader.close();
    }
}
