package dev.engram.journal.internal;

import dev.engram.journal.JournalException;
import net.openhft.chronicle.queue.RollCycle;

import java.io.File;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.TreeMap;

/**
 * The journal's cycle files by name, without opening the Chronicle queue: Chronicle names the file of
 * cycle {@code c} by formatting the UTC instant {@code c × cycle length} with the roll cycle's pattern, plus
 * {@code .cq4}. Recovery uses this to read the journal while the queue is still being opened.
 * A name that does not round-trip through the pattern is not a cycle file (e.g. {@code .discard} files).
 */
public final class CycleFiles
{
    /** The name ending of a Chronicle cycle file. */
    public static final String CYCLE_FILE_SUFFIX = ".cq4";

    private final Path directory;
    private final long cycleLengthMs;
    private final String pattern;
    private final CycleNameFormat fast;     // null: the pattern needs DateTimeFormatter
    private DateTimeFormatter formatter;    // built on first use, only for such patterns

    /**
     * @param directory the journal directory.
     * @param rollCycle the journal's roll cycle (the queue's epoch is 0, as the journal builds it).
     */
    public CycleFiles(final Path directory, final RollCycle rollCycle)
    {
        this.directory = directory;
        this.cycleLengthMs = rollCycle.lengthInMillis();
        this.pattern = rollCycle.format();
        this.fast = CycleNameFormat.compile(pattern);
    }

    private DateTimeFormatter formatter()
    {
        if (formatter == null)
        {
            formatter = newFormatter(pattern);
        }
        return formatter;
    }

    static DateTimeFormatter newFormatter(final String pattern)
    {
        return new DateTimeFormatterBuilder()
            .appendPattern(pattern)
            .parseDefaulting(ChronoField.MONTH_OF_YEAR, 1)
            .parseDefaulting(ChronoField.DAY_OF_MONTH, 1)
            .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
            .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
            .parseDefaulting(ChronoField.SECOND_OF_MINUTE, 0)
            .toFormatter()
            .withZone(ZoneOffset.UTC);
    }

    /**
     * @return the journal directory.
     */
    public Path directory()
    {
        return directory;
    }

    /**
     * @return the file that holds (or would hold) a cycle.
     */
    public File fileFor(final int cycle)
    {
        return directory.resolve(nameOf(cycle)).toFile();
    }

    public String nameOf(final int cycle)
    {
        final long epochMs = cycle * cycleLengthMs;
        return (fast != null ? fast.format(epochMs) : formatter().format(Instant.ofEpochMilli(epochMs))) +
            CYCLE_FILE_SUFFIX;
    }

    /**
     * @return the cycle a file name stands for, or -1 if it is not a cycle file of this roll cycle.
     */
    public int cycleOf(final String fileName)
    {
        if (!fileName.endsWith(CYCLE_FILE_SUFFIX))
        {
            return -1;
        }
        final String stem = fileName.substring(0, fileName.length() - CYCLE_FILE_SUFFIX.length());
        try
        {
            final long epochMs = fast != null ? fast.parse(stem) :
                LocalDateTime.from(formatter().parse(stem)).toInstant(ZoneOffset.UTC).toEpochMilli();
            if (epochMs < 0 || epochMs % cycleLengthMs != 0 || epochMs / cycleLengthMs > Integer.MAX_VALUE)
            {
                return -1;
            }
            final int cycle = (int)(epochMs / cycleLengthMs);
            return nameOf(cycle).equals(fileName) ? cycle : -1;
        }
        catch (final RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * @return names in the directory that end in {@code .cq4} but are not cycle files of this roll cycle, sorted.
     */
    public java.util.List<String> foreignNames()
    {
        final String[] names = directory.toFile().list();
        final java.util.List<String> foreign = new java.util.ArrayList<>();
        if (names != null)
        {
            for (final String name : names)
            {
                if (name.endsWith(CYCLE_FILE_SUFFIX) && cycleOf(name) < 0)
                {
                    foreign.add(name);
                }
            }
        }
        foreign.sort(null);
        return foreign;
    }

    /**
     * @return the cycle files in the directory now, by cycle, ascending.
     */
    public TreeMap<Integer, File> list()
    {
        final TreeMap<Integer, File> cycles = new TreeMap<>();
        final File dir = directory.toFile();
        final String[] names = dir.list();
        if (names == null)
        {
            throw new JournalException("cannot list the journal directory=" + directory);
        }
        for (final String name : names)
        {
            final int cycle = cycleOf(name);
            if (cycle >= 0)
            {
                cycles.put(cycle, new File(dir, name));
            }
        }
        return cycles;
    }
}
