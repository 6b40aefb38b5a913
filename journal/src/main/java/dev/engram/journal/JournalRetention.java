package dev.engram.journal;

import net.openhft.chronicle.queue.ExcerptTailer;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;

/**
 * Retention: removes whole cycle files that hold only versions before a given one ({@link Journal#truncateBefore}).
 * The newest cycle is never removed, so it runs while producers append (the writer only touches the newest). A
 * cycle leaves the manifest before its file is deleted: a crash between the two leaves a file the next open lists
 * again, never a loss.
 */
final class JournalRetention
{
    private JournalRetention()
    {
    }

    /**
     * @param store    the open queue.
     * @param manifest the journal's manifest.
     * @param version  versions before it may go.
     * @return the number of cycle files removed.
     */
    static int truncateBefore(final ChronicleJournalStore store, final JournalManifestKeeper manifest, final long version)
    {
        final NavigableSet<Long> cycles = store.cycles();
        if (cycles.size() < 2)
        {
            return 0;
        }
        int removed = 0;
        try (JournalReader reader = new JournalReader(store))
        {
            final ExcerptTailer tailer = store.queue().createTailer();
            try
            {
                final Long[] ordered = cycles.toArray(new Long[0]);
                // the first version of each cycle (-1: no frame, e.g. a cycle file a kill -9 left empty)
                final long[] firstVersions = new long[ordered.length];
                for (int i = 0; i < ordered.length; i++)
                {
                    firstVersions[i] = reader.firstVersionOf(tailer, ordered[i].intValue());
                }
                final List<Integer> removable = new ArrayList<>();
                for (int i = 0; i < ordered.length - 1; i++)
                {
                    // a cycle can go once the next cycle that holds frames starts at or before the version:
                    // frameless cycles in between hold nothing and do not stop retention
                    long nextFirst = -1;
                    for (int j = i + 1; j < ordered.length && nextFirst < 0; j++)
                    {
                        nextFirst = firstVersions[j];
                    }
                    if (nextFirst < 0 || nextFirst > version)
                    {
                        break;
                    }
                    removable.add(ordered[i].intValue());
                }
                if (!removable.isEmpty())
                {
                    // unlisted first: a crash before the deletes leaves files the next open lists again, not a loss
                    manifest.removeCycles(removable);
                }
                for (final int cycle : removable)
                {
                    final File file = store.fileForCycle(cycle);
                    if (file != null && file.exists())
                    {
                        tailer.toEnd();
                        store.deleteCycleFile(file);
                        removed++;
                    }
                }
                removed += store.deleteDiscardedCycleFiles();
            }
            finally
            {
                tailer.close();
            }
        }
        store.queue().refreshDirectoryListing();
        return removed;
    }
}
