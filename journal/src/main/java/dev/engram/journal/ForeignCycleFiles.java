package dev.engram.journal;

import dev.engram.journal.internal.CycleFiles;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.LargeRollCycles;
import net.openhft.chronicle.queue.rollcycles.LegacyRollCycles;
import net.openhft.chronicle.queue.rollcycles.SparseRollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Files named {@code *.cq4} in the journal directory that are not cycle files of the journal's roll cycle. Chronicle
 * reads every {@code *.cq4} name as a cycle and fails on one it cannot parse ({@code Unable to parse garbage}, no path)
 * or looks for files of its own roll cycle and finds none ({@code cycle file missing}). So before anything is opened
 * or changed, such names refuse the open with a message that names the file and what to do: files of another
 * roll cycle (a journal written with a different {@code rollCycle}) say which roll cycle names them; anything else is
 * a foreign file to move out of the directory. Never moved, renamed or deleted by the journal: it is not ours.
 */
final class ForeignCycleFiles
{
    private ForeignCycleFiles()
    {
    }

    /**
     * @param ctx the journal's context.
     * @throws JournalException naming the first foreign file if there is any.
     */
    static void refuse(final JournalContext ctx)
    {
        final CycleFiles files = new CycleFiles(ctx.directory(), ctx.rollCycle());
        final List<String> foreign = files.foreignNames();
        if (foreign.isEmpty())
        {
            return;
        }
        final Path directory = ctx.directory();
        final String first = foreign.get(0);
        final String more = foreign.size() == 1 ? "" : " (and " + (foreign.size() - 1) + " more: " +
            foreign.subList(1, Math.min(foreign.size(), 6)) + ")";
        final RollCycle other = rollCycleNaming(foreign, ctx.rollCycle());
        if (other != null)
        {
            throw new JournalException("the journal in " + directory + " was written with another roll cycle: its cycle " +
                "file=" + directory.resolve(first) + more + " is named for rollCycle=" + other + " (" + other.lengthInMillis() +
                " ms per cycle, pattern " + other.format() + "), but it is opened with rollCycle=" + ctx.rollCycle() + " (" +
                ctx.rollCycle().lengthInMillis() + " ms, pattern " + ctx.rollCycle().format() + "); nothing was changed: " +
                "open it with the roll cycle it was written with (JournalContext.rollCycle)");
        }
        throw new JournalException("journal directory=" + directory + " holds file=" + directory.resolve(first) + more +
            ", which is named like a Chronicle cycle file (*" + ChronicleJournalStore.CYCLE_FILE_SUFFIX + ") but is not one " +
            "of rollCycle=" + ctx.rollCycle() + " (names like " + files.nameOf(0) + "); Chronicle would fail on it and " +
            "the journal does not move or delete files it did not write; nothing was changed: move it out of the journal " +
            "directory (or rename it so it does not end in " + ChronicleJournalStore.CYCLE_FILE_SUFFIX + ") and reopen");
    }

    /**
     * @return a known roll cycle other than {@code current} whose names all of {@code names} are, or null.
     */
    static RollCycle rollCycleNaming(final List<String> names, final RollCycle current)
    {
        final List<RollCycle> known = new ArrayList<>();
        known.addAll(List.of(RollCycles.values()));
        known.addAll(List.of(LegacyRollCycles.values()));
        known.addAll(List.of(LargeRollCycles.values()));
        known.addAll(List.of(SparseRollCycles.values()));
        known.addAll(List.of(TestRollCycles.values()));
        for (final RollCycle candidate : known)
        {
            if (candidate.format().equals(current.format()) && candidate.lengthInMillis() == current.lengthInMillis())
            {
                continue;
            }
            final CycleFiles files = new CycleFiles(Path.of("."), candidate);
            boolean all = true;
            for (final String name : names)
            {
                if (files.cycleOf(name) < 0)
                {
                    all = false;
                    break;
                }
            }
            if (all)
            {
                return candidate;
            }
        }
        return null;
    }
}
