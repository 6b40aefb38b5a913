package dev.engram.journal;

import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A journal opened without a roll cycle set takes the one its files were written with, and a new journal the finer
 * {@link JournalRollCycles#FOR_NEW_JOURNALS}; rolls by size are on by default.
 */
class JournalRollCyclesTest
{
    @TempDir
    Path dir;

    @Test
    void aNewJournalGetsFiveMinuteCyclesAndRollsBySizeByDefault()
    {
        final JournalContext ctx = JournalTestSupport.smallContext(dir);
        assertEquals(RollCycles.FIVE_MINUTELY, ctx.rollCycle());
        assertEquals(16L * 1024 * 1024, ctx.rollBytes());
        try (Journal journal = Journal.open(ctx))
        {
            append(journal, 10);
        }
        final List<String> names = cq4Names();
        assertEquals(1, names.size(), names.toString());
        assertTrue(names.get(0).endsWith("V.cq4"), names.toString());   // FIVE_MINUTELY's pattern yyyyMMdd-HHmm'V'
    }

    @Test
    void aJournalWrittenWithTheEarlierHourlyDefaultIsOpenedWithIt()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).rollCycle(RollCycles.FAST_HOURLY)))
        {
            append(journal, 10);
        }
        final JournalContext ctx = JournalTestSupport.smallContext(dir);
        assertEquals(RollCycles.FAST_HOURLY, ctx.rollCycle());
        try (Journal journal = Journal.open(ctx))
        {
            assertEquals(10, journal.openReport().lastVersion());
            append(journal, 5);
            assertTrue(journal.awaitWritten(15, 60, java.util.concurrent.TimeUnit.SECONDS));
        }
        assertTrue(cq4Names().stream().allMatch(n -> n.endsWith("F.cq4")), cq4Names().toString());
    }

    @Test
    void anyRollCycleChronicleKnowsIsAdoptedFromTheNamesOrTheManifest() throws IOException
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).rollCycle(RollCycles.TEN_MINUTELY)))
        {
            append(journal, 3);
        }
        assertEquals(RollCycles.TEN_MINUTELY, JournalRollCycles.adopt(dir));
        // the manifest's cycle length decides between roll cycles whose names would fit
        for (final String name : cq4Names())
        {
            Files.delete(dir.resolve(name));
        }
        assertEquals(RollCycles.TEN_MINUTELY.lengthInMillis(), JournalRollCycles.adopt(dir).lengthInMillis());
        assertEquals(JournalRollCycles.FOR_NEW_JOURNALS, JournalRollCycles.adopt(dir.resolve("absent")));
    }

    @Test
    void aSetRollCycleIsKeptAndAnotherRollCyclesFilesAreStillRefused()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).rollCycle(TestRollCycles.TEST_SECONDLY)))
        {
            append(journal, 3);
        }
        // adopted: opens
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            assertEquals(3, journal.openReport().lastVersion());
        }
        // set to another: refused, naming both
        final JournalException refused = assertThrows(JournalException.class,
            () -> Journal.open(JournalTestSupport.smallContext(dir).rollCycle(RollCycles.FIVE_MINUTELY)).close());
        assertTrue(refused.getMessage().contains("FIVE_MINUTELY"), refused.getMessage());
    }

    private static void append(final Journal journal, final int count)
    {
        final Delta delta = journal.newDelta();
        for (int i = 0; i < count; i++)
        {
            delta.clear();
            delta.put("k" + i, new byte[] {(byte)i});
            journal.append(delta);
        }
    }

    private List<String> cq4Names()
    {
        final String[] names = dir.toFile().list();
        return names == null ? List.of() : java.util.Arrays.stream(names).filter(n -> n.endsWith(".cq4")).sorted().toList();
    }
}
