package dev.engram.journal;

import dev.engram.journal.internal.CycleFiles;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which roll cycle a journal directory is opened with when {@link JournalContext#rollCycle(RollCycle)} was not set:
 * the one its cycle files were written with (a journal must be opened with the roll cycle that named its files), and
 * {@link #FOR_NEW_JOURNALS} for a directory that has none yet.
 * <p>
 * Why new journals get a finer roll cycle than the hourly one of earlier releases: a roll by size
 * ({@link JournalContext#rollBytes()}, on by default) moves the names of cycle files one roll cycle ahead of the wall
 * clock. With five-minute cycles the names advance 12 times slower per roll than with hourly ones, so a journal
 * written flat out for years does not reach the end of the names' date range (docs/journal.md, "Roll and retention").
 * Chronicle's {@code FIVE_MINUTELY} holds up to 2^30 frames a cycle.
 */
public final class JournalRollCycles
{
    /** The roll cycle of a journal created with the default settings. */
    public static final RollCycle FOR_NEW_JOURNALS = RollCycles.FIVE_MINUTELY;
    /** The default roll cycle before new journals got {@link #FOR_NEW_JOURNALS}: preferred where names fit both. */
    public static final RollCycle EARLIER_DEFAULT = RollCycles.FAST_HOURLY;

    private JournalRollCycles()
    {
    }

    /**
     * @param journalDirectory a journal directory (need not exist).
     * @return the roll cycle naming most of its cycle files ({@code *.cq4}), among those whose length its manifest
     *         records where it has a readable one; with no cycle files, the manifest's length decides, else
     *         {@link #FOR_NEW_JOURNALS}.
     */
    public static RollCycle adopt(final Path journalDirectory)
    {
        final String[] names = journalDirectory.toFile().list();
        long manifestLength = -1;
        try
        {
            final JournalManifest manifest = names == null ? null : JournalManifest.read(journalDirectory);
            manifestLength = manifest == null ? -1 : manifest.rollCycleLengthMs();
        }
        catch (final RuntimeException ex)
        {
            // a damaged manifest is the journal's open to report; the names still tell the roll cycle
        }
        int cq4 = 0;
        if (names != null)
        {
            for (final String name : names)
            {
                if (name.endsWith(ChronicleJournalStore.CYCLE_FILE_SUFFIX))
                {
                    cq4++;
                }
            }
        }
        RollCycle best = null;
        int bestCount = 0;
        for (final RollCycle candidate : candidates())
        {
            if (manifestLength > 0 && candidate.lengthInMillis() != manifestLength)
            {
                continue;
            }
            if (cq4 == 0)
            {
                return manifestLength > 0 ? candidate : FOR_NEW_JOURNALS;
            }
            final int count = new CycleFiles(journalDirectory, candidate).list().size();
            if (count > bestCount)
            {
                best = candidate;
                bestCount = count;
            }
        }
        return best == null ? FOR_NEW_JOURNALS : best;
    }

    /**
     * @return every roll cycle Chronicle knows, the earlier default and the one for new journals first.
     */
    static List<RollCycle> candidates()
    {
        final List<RollCycle> all = new ArrayList<>();
        all.add(EARLIER_DEFAULT);
        all.add(FOR_NEW_JOURNALS);
        for (final RollCycle candidate : RollCycles.all())
        {
            if (!all.contains(candidate))
            {
                all.add(candidate);
            }
        }
        return all;
    }
}
