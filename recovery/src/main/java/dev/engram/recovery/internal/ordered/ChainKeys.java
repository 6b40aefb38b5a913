package dev.engram.recovery.internal.ordered;

import dev.engram.recovery.internal.checkpoint.MappedCheckpoint;

import java.util.List;

/**
 * Builds the {@link SortedKeys} of a checkpoint chain's state: its live keys (a newer file's entry decides over
 * an older one's; tombstones and quarantined keys are not live).
 */
public final class ChainKeys
{
    private ChainKeys()
    {
    }

    /**
     * Read every entry of every file (decompressing every block once) and sort: O(entries · log entries).
     *
     * @param baseFirst the chain's files, the full checkpoint first.
     */
    public static SortedKeys build(final List<MappedCheckpoint> baseFirst)
    {
        final KeyCollector collector = new KeyCollector();
        for (int rank = 0; rank < baseFirst.size(); rank++)
        {
            final int fileRank = rank;
            baseFirst.get(rank).forEachEntry(entry ->
                collector.add(entry.key(), 0, entry.keyLength(), fileRank, entry.isLive()));
        }
        return collector.sortedLive();
    }

    /**
     * The keys of a chain one delta longer than the chain of {@code parent}: the delta's entries sorted, then one
     * linear merge: O(parent keys + delta entries · log delta entries).
     */
    public static SortedKeys extend(final SortedKeys parent, final MappedCheckpoint delta)
    {
        final KeyCollector live = new KeyCollector();
        final KeyCollector gone = new KeyCollector();
        delta.forEachEntry(entry -> (entry.isLive() ? live : gone).add(entry.key(), 0, entry.keyLength(), 0, true));
        final SortedKeys added = live.sortedLive();
        final SortedKeys removed = gone.sortedLive();
        final SortedKeys withoutRemoved = removed.size() == 0 ? parent : parent.apply(removed, new boolean[removed.size()]);
        return added.size() == 0 ? withoutRemoved : withoutRemoved.apply(added, allTrue(added.size()));
    }

    private static boolean[] allTrue(final int n)
    {
        final boolean[] all = new boolean[n];
        java.util.Arrays.fill(all, true);
        return all;
    }
}
