package dev.engram.journal;

import dev.engram.journal.internal.ChronicleDocumentHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link ChronicleIndexCheck}: the layout it reads is the one Chronicle writes (the table in docs/journal.md), a
 * garbled index entry is zeroed and every frame stays readable, a garbled structure refuses the open naming the file
 * and changes nothing.
 */
class ChronicleIndexCheckTest
{
    private static final int FRAMES = 3_000;

    @TempDir
    Path dir;

    @Test
    void theHeaderFieldsAndIndexDocumentsAreWhereTheDocsSay() throws IOException
    {
        writeJournal();
        final byte[] bytes = Files.readAllBytes(newestCycle());
        final ByteBuffer file = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final int headerWord = file.getInt(0);
        assertEquals(ChronicleDocumentHeader.META_DATA, headerWord & ~ChronicleDocumentHeader.LENGTH_MASK, "a metadata document at 0");
        final ByteBuffer header = ByteBuffer.wrap(bytes, 4, headerWord & ChronicleDocumentHeader.LENGTH_MASK).slice()
            .order(ByteOrder.LITTLE_ENDIAN);
        final long indexCount = ChronicleIndexCheck.number(header, "indexCount");
        final long indexSpacing = ChronicleIndexCheck.number(header, "indexSpacing");
        final long index2Index = ChronicleIndexCheck.number(header, "index2Index");
        final JournalContext ctx = JournalTestSupport.smallContext(dir);
        assertEquals(ctx.rollCycle().defaultIndexCount(), indexCount);
        assertEquals(ctx.rollCycle().defaultIndexSpacing(), indexSpacing);
        assertEquals(ChronicleDocumentHeader.nextHeaderPosition(0, headerWord), index2Index,
            "the index2index document follows the header");
        final long writePosition = ChronicleIndexCheck.int64ArrayFirst(header, "writePosition");
        assertTrue(writePosition > index2Index && writePosition < bytes.length, "writePosition=" + writePosition);

        // index2index entry 0 names the first index document; its entry k names the header of excerpt k × spacing
        final long index2indexEntries = entries(file, index2Index, "index2index", indexCount);
        final long firstIndex = file.getLong((int)index2indexEntries);
        final long indexEntries = entries(file, firstIndex, "index", indexCount);
        final long[] dataDocuments = dataDocumentPositions(file);
        assertTrue(dataDocuments.length >= FRAMES);
        for (int k = 0; k * indexSpacing < dataDocuments.length; k++)
        {
            final long entry = file.getLong((int)(indexEntries + 8L * k));
            if (entry != 0)
            {
                assertEquals(dataDocuments[(int)(k * indexSpacing)], entry, "index entry " + k);
            }
        }
        assertNull(ChronicleIndexCheck.repairBeforeOpen(ctx), "a sound journal is left alone");
    }

    @Test
    void aGarbledIndexEntryIsZeroedAndEveryFrameIsStillRead() throws IOException
    {
        writeJournal();
        final Path cycle = newestCycle();
        final ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(cycle)).order(ByteOrder.LITTLE_ENDIAN);
        final long indexCount = JournalTestSupport.smallContext(dir).rollCycle().defaultIndexCount();
        final long index2Index = ChronicleDocumentHeader.nextHeaderPosition(0, file.getInt(0));
        final long firstIndex = file.getLong((int)entries(file, index2Index, "index2index", indexCount));
        final long indexEntries = entries(file, firstIndex, "index", indexCount);
        final long garbled = indexEntries + 8;   // entry 1: excerpt 1 × spacing
        assertNotEquals(0, file.getLong((int)garbled), "entry 1 is indexed");
        try (RandomAccessFile raf = new RandomAccessFile(cycle.toFile(), "rw"))
        {
            raf.seek(garbled);
            raf.write(new byte[] {(byte)0xB7, 0x1C, 0x44, 0x03, (byte)0x9A, 0x11, 0x70, 0x0E});
        }
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final String repaired = journal.openReport().indexRepaired();
            assertNotNull(repaired);
            assertTrue(repaired.contains(cycle.toString()) && repaired.contains("position=" + garbled), repaired);
            assertEquals(FRAMES, journal.openReport().lastVersion());
            final long[] seen = new long[1];
            try (JournalReader reader = journal.newReader())
            {
                final ReplayResult result = reader.replay(1, frame ->
                {
                    assertEquals(seen[0] + 1, frame.version());
                    seen[0] = frame.version();
                });
                assertEquals(FRAMES, result.lastVersion());
            }
            assertEquals(FRAMES, seen[0]);
            final long next = journal.append(journal.newDelta().put("after", new byte[] {1}));
            assertTrue(journal.awaitWritten(next, 60, TimeUnit.SECONDS));
        }
    }

    @Test
    void aGarbledIndex2indexDocumentRefusesTheOpenNamingTheFileAndChangesNothing() throws IOException
    {
        writeJournal();
        final Path cycle = newestCycle();
        final ByteBuffer file = ByteBuffer.wrap(Files.readAllBytes(cycle)).order(ByteOrder.LITTLE_ENDIAN);
        final long indexCount = JournalTestSupport.smallContext(dir).rollCycle().defaultIndexCount();
        final long index2Index = ChronicleDocumentHeader.nextHeaderPosition(0, file.getInt(0));
        final long capacity = entries(file, index2Index, "index2index", indexCount) - 16;
        try (RandomAccessFile raf = new RandomAccessFile(cycle.toFile(), "rw"))
        {
            raf.seek(capacity);
            raf.write(new byte[] {0x13, 0x77, 0x00, 0x41, 0x00, 0x00, 0x00, 0x20});   // the array's length
        }
        final String before = HexFormat.of().formatHex(Files.readAllBytes(cycle));
        final JournalCorruptionException refused = assertThrows(JournalCorruptionException.class,
            () -> Journal.open(JournalTestSupport.smallContext(dir)).close());
        assertTrue(refused.getMessage().contains(cycle.toString()) && refused.getMessage().contains("index2index") &&
            refused.getMessage().contains("from a backup"), refused.getMessage());
        assertEquals(cycle.toString(), refused.file());
        assertEquals(before, HexFormat.of().formatHex(Files.readAllBytes(cycle)), "the refused open changed the file");
    }

    private void writeJournal() throws IOException
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Delta delta = journal.newDelta();
            long version = 0;
            for (int i = 1; i <= FRAMES; i++)
            {
                version = journal.append(delta.clear().put("key-" + (i % 97), ("value-" + i).getBytes(StandardCharsets.UTF_8)));
            }
            assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
        }
    }

    private Path newestCycle() throws IOException
    {
        try (var files = Files.list(dir))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    /** The position of the first entry of the named int64-array metadata document at {@code position}. */
    private static long entries(final ByteBuffer file, final long position, final String name, final long count)
    {
        final int word = file.getInt((int)position);
        assertEquals(ChronicleDocumentHeader.META_DATA, word & ~ChronicleDocumentHeader.LENGTH_MASK, name + " is metadata");
        final ByteBuffer body = file.duplicate().position((int)position + 4).limit((int)position + 4 + (word & ChronicleDocumentHeader.LENGTH_MASK))
            .slice().order(ByteOrder.LITTLE_ENDIAN);
        final int at = ChronicleIndexCheck.valueAfterName(body, name, 0);
        assertTrue(at > 0, "named " + name);
        assertEquals(0x8D, body.get(at) & 0xFF, "an int64 array");
        assertEquals(count, body.getLong(at + 1), "of indexCount entries");
        return position + 4 + at + 17;
    }

    private static long[] dataDocumentPositions(final ByteBuffer file)
    {
        long[] positions = new long[1024];
        int count = 0;
        long position = 0;
        while (position + 4 <= file.limit())
        {
            final int word = file.getInt((int)position);
            if (word == 0 || (word & ChronicleDocumentHeader.NOT_COMPLETE) != 0)
            {
                break;
            }
            if ((word & ChronicleDocumentHeader.META_DATA) == 0)
            {
                if (count == positions.length)
                {
                    positions = java.util.Arrays.copyOf(positions, count * 2);
                }
                positions[count++] = position;
            }
            position = ChronicleDocumentHeader.nextHeaderPosition(position, word);
        }
        return java.util.Arrays.copyOf(positions, count);
    }
}
