package dev.engram.journal.internal;

import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The arithmetic cycle-name format agrees with {@code DateTimeFormatter} on every Chronicle roll cycle.
 */
class CycleNameFormatTest
{
    @Test
    void shouldNameEveryRollCycleLikeDateTimeFormatter()
    {
        final Random random = new Random(7);
        int compiled = 0;
        for (final RollCycles rollCycle : RollCycles.values())
        {
            final CycleNameFormat fast = CycleNameFormat.compile(rollCycle.format());
            if (fast == null)
            {
                continue;
            }
            compiled++;
            final DateTimeFormatter reference = CycleFiles.newFormatter(rollCycle.format());
            final long length = rollCycle.lengthInMillis();
            for (int i = 0; i < 3000; i++)
            {
                final long cycle = i < 1000 ? i : random.nextInt((int)Math.min(Integer.MAX_VALUE, 4_102_444_800_000L / length));
                final long epochMs = cycle * length;
                final String expected = reference.format(Instant.ofEpochMilli(epochMs));
                assertEquals(expected, fast.format(epochMs), rollCycle + " cycle=" + cycle);
                assertEquals(epochMs, fast.parse(expected), rollCycle + " name=" + expected);
            }
        }
        assertTrue(compiled >= RollCycles.values().length - 2, "most roll cycles use the simple format: " + compiled);
        assertNotNull(CycleNameFormat.compile(RollCycles.FAST_HOURLY.format()), "the journal's default roll cycle");
    }

    @Test
    void shouldRefuseNamesThatAreNotCycles()
    {
        final CycleNameFormat format = CycleNameFormat.compile("yyyyMMdd-HH'F'");
        assertEquals(0, format.parse("19700101-00F"));
        assertEquals(-1, format.parse("19701301-00F"), "month 13");
        assertEquals(-1, format.parse("19700230-00F"), "30 February");
        assertEquals(-1, format.parse("19700101-24F"), "hour 24");
        assertEquals(-1, format.parse("19700101-00G"), "literal");
        assertEquals(-1, format.parse("1970010a-00F"), "digit");
        assertEquals(-1, format.parse("19700101-00"), "length");
        assertEquals(java.time.LocalDate.of(2024, 2, 29).toEpochDay() * 86_400_000L, format.parse("20240229-00F"), "leap day");
        assertEquals(-1, format.parse("21000229-00F"), "2100 is not a leap year");
    }

    @Test
    void shouldLeaveOtherPatternsToDateTimeFormatter()
    {
        assertNull(CycleNameFormat.compile("yyyyMMdd-HHmmss.SSS"));
        assertNull(CycleNameFormat.compile("yy-MM"));
        assertNull(CycleNameFormat.compile("yyyy[MM]"));
    }

    @Test
    void shouldListCycleFilesByName(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir) throws Exception
    {
        final CycleFiles files = new CycleFiles(dir, RollCycles.FAST_HOURLY);
        final String name = files.nameOf(493_000);
        java.nio.file.Files.createFile(dir.resolve(name));
        java.nio.file.Files.createFile(dir.resolve(name + ".discard"));
        java.nio.file.Files.createFile(dir.resolve("metadata.cq4t"));
        assertEquals(java.util.List.of(493_000), java.util.List.copyOf(files.list().keySet()));
        assertEquals(493_000, files.cycleOf(name));
    }
}
