package dev.engram.journal;

import dev.engram.journal.internal.FileSpace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Cycle files end by size ({@link JournalContext#rollBytes()}) on a clock that never moves, so retention can free the
 * journal in steps of that size during a burst; a reopen with the clock behind the names the size rolls gave goes on
 * in the newest cycle, never an older one; replay crosses every roll; the manifest lists every cycle.
 */
class JournalRollBySizeTest
{
    private static final long ROLL_BYTES = 64 * 1024;
    private static final int FRAMES = 2_000;
    private static final int VALUE = 1024;

    @TempDir
    Path dir;

    private final long fixedClockMs = 1_700_000_000_000L;

    private JournalContext ctx(final long rollBytes)
    {
        return JournalTestSupport.smallContext(dir).epochMsClock(() -> fixedClockMs).rollBytes(rollBytes);
    }

    private long append(final Journal journal, final int frames)
    {
        final Delta delta = journal.newDelta();
        final byte[] value = new byte[VALUE];
        long version = 0;
        for (int i = 0; i < frames; i++)
        {
            value[0] = (byte)i;
            version = journal.append(delta.clear().put("k" + (i % 50), value));
        }
        assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
        return version;
    }

    private List<Path> cycleFiles() throws IOException
    {
        try (var files = Files.list(dir))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private String listing() throws IOException
    {
        final StringBuilder out = new StringBuilder();
        try (var files = Files.list(dir))
        {
            for (final Path file : files.sorted().toList())
            {
                out.append(file.getFileName()).append('=').append(FileSpace.dataBytes(file)).append('/')
                    .append(Files.size(file)).append(' ');
            }
        }
        return out.toString();
    }

    private static void assertDense(final Journal journal, final long from, final long last)
    {
        try (JournalReader reader = journal.newReader())
        {
            final long[] expected = {from};
            final ReplayResult result = reader.replay(from, frame -> assertEquals(expected[0]++, frame.version()));
            assertEquals(last, result.lastVersion());
            assertEquals(last - from + 1, result.framesDelivered());
        }
    }

    @Test
    void shouldRollByTimeOnlyWhenRollBytesIsOff() throws IOException
    {
        try (Journal journal = Journal.open(ctx(0)))
        {
            append(journal, FRAMES);
            assertEquals(0, journal.sizeRolls());
        }
        assertEquals(1, cycleFiles().size(), "the clock never moves: one cycle file holds everything (the old behaviour)");
    }

    @Test
    void shouldEndCycleFilesBySizeAndLetRetentionFreeThemDuringABurst() throws IOException
    {
        final long last;
        try (Journal journal = Journal.open(ctx(ROLL_BYTES)))
        {
            last = append(journal, FRAMES);
            final List<Path> files = cycleFiles();
            final long frameBytes = VALUE + 64;
            assertTrue(files.size() >= FRAMES * frameBytes / ROLL_BYTES - 2, files.size() + " cycle files");
            assertEquals(files.size() - 1, journal.sizeRolls());
            for (final Path file : files.subList(0, files.size() - 1))
            {
                // a finished cycle: its frames up to the one that passed rollBytes, Chronicle's header and index pages
                assertTrue(FileSpace.dataBytes(file) <= ROLL_BYTES + 256 * 1024, file + " holds " + FileSpace.dataBytes(file));
            }
            assertDense(journal, 1, last);
            // the finished cycle files' data (the newest file's blocks reserved ahead of the writer grow meanwhile:
            // not counted)
            final java.util.Map<Path, Long> finished = new java.util.HashMap<>();
            for (final Path file : files.subList(0, files.size() - 1))
            {
                finished.put(file, FileSpace.dataBytes(file));
            }
            final int removed = journal.truncateBefore(last - 100);
            assertTrue(removed >= files.size() - 3, removed + " of " + files.size() + " cycle files removed");
            long freed = 0;
            for (final java.util.Map.Entry<Path, Long> entry : finished.entrySet())
            {
                if (!Files.exists(entry.getKey()))
                {
                    freed += entry.getValue();
                }
            }
            // each removed cycle file gave back its data (~64 KiB of frames)
            assertTrue(freed >= removed * (ROLL_BYTES - VALUE), "retention freed the journal: " + freed + " bytes in " +
                removed + " files; " + listing());
            assertTrue(cycleFiles().size() <= 4, listing());
            try (JournalReader reader = journal.newReader())
            {
                assertTrue(reader.firstVersion() <= last - 100 && reader.firstVersion() > 1, "first " + reader.firstVersion());
                assertDense(journal, reader.firstVersion(), last);
            }
        }
        // the names now run ahead of the (unmoved) clock: a reopen goes on in the newest cycle, never an older one
        final List<Path> before = cycleFiles();
        final String newestBefore = before.get(before.size() - 1).getFileName().toString();
        final long more;
        try (Journal journal = Journal.open(ctx(ROLL_BYTES)))
        {
            assertEquals(last, journal.openReport().lastVersion());
            assertTrue(journal.openReport().losses().isEmpty(), journal.openReport().toString());
            more = append(journal, FRAMES / 4);
            assertEquals(last + FRAMES / 4, more);
            assertTrue(journal.sizeRolls() > 0);
            for (final Path file : cycleFiles())
            {
                final String name = file.getFileName().toString();
                assertTrue(before.contains(file) || name.compareTo(newestBefore) > 0,
                    "no cycle before " + newestBefore + " was started: " + name);
            }
            try (JournalReader reader = journal.newReader())
            {
                assertDense(journal, reader.firstVersion(), more);
            }
        }
        try (Journal journal = Journal.open(ctx(ROLL_BYTES)))
        {
            assertEquals(more, journal.openReport().lastVersion(), "the manifest lists every cycle: nothing lost");
            assertTrue(journal.openReport().losses().isEmpty(), journal.openReport().toString());
        }
    }

    /**
     * A roll writes Chronicle's end-of-file mark into the full cycle file, then creates the next one: a process killed
     * between the two leaves the newest cycle file ended. Its name may be ahead of the clock (a roll by size), so the
     * reopen must go on in the next cycle: Chronicle refuses to write after the mark ({@code WriteAfterEOFException}),
     * which failed the open (StateCrashTest, in CI).
     */
    @Test
    void shouldGoOnInTheNextCycleWhenTheNewestCycleFileWasEndedByAKilledRoll() throws IOException
    {
        final long last;
        try (Journal journal = Journal.open(ctx(ROLL_BYTES)))
        {
            last = append(journal, FRAMES / 4);
            assertTrue(journal.sizeRolls() > 0);
        }
        final List<Path> before = cycleFiles();
        final Path newest = before.get(before.size() - 1);
        markEndOfFile(newest);
        final long more;
        try (Journal journal = Journal.open(ctx(ROLL_BYTES)))
        {
            assertEquals(last, journal.openReport().lastVersion());
            more = append(journal, 10);
            assertEquals(last + 10, more);
            final List<Path> after = cycleFiles();
            assertTrue(after.get(after.size() - 1).getFileName().toString().compareTo(newest.getFileName().toString()) > 0,
                "the frames went into a cycle after the ended " + newest.getFileName() + ": " + listing());
            assertDense(journal, 1, more);
        }
        try (Journal journal = Journal.open(ctx(ROLL_BYTES)))
        {
            assertEquals(more, journal.openReport().lastVersion());
            assertTrue(journal.openReport().losses().isEmpty(), journal.openReport().toString());
        }
    }

    /** Write Chronicle's end-of-file header after the last document of {@code file}, as a roll does. */
    private static void markEndOfFile(final Path file) throws IOException
    {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
            java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer word = java.nio.ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long position = 0;
            while (true)
            {
                word.clear();
                channel.read(word, position);
                final int header = word.getInt(0);
                if (header == dev.engram.journal.internal.ChronicleDocumentHeader.NOT_INITIALIZED)
                {
                    break;
                }
                position = dev.engram.journal.internal.ChronicleDocumentHeader.nextHeaderPosition(position, header);
            }
            word.clear();
            word.putInt(0, dev.engram.journal.internal.ChronicleDocumentHeader.END_OF_DATA);
            channel.write(word, position);
            channel.force(false);
        }
    }
}
