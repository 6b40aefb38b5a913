package dev.engram.journal;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Torn tails are trimmed and reported; damage anywhere else is an error naming file and position.
 */
class JournalDamageTest
{
    @TempDir
    Path dir;

    private long writeJournal(final int count)
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Delta delta = journal.newDelta();
            long version = 0;
            for (int i = 1; i <= count; i++)
            {
                version = journal.append(delta.clear().put(String.format("needle-%05d", i), ("value-" + i).getBytes(StandardCharsets.UTF_8)));
            }
            assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
            return version;
        }
    }

    private void appendRawExcerpt(final byte[] bytes)
    {
        EngramSystemProperties.apply();
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir).rollCycle(JournalRollCycles.adopt(dir))
            .blockSize(new JournalContext().directory(dir).chronicleBlockSize()).build();
             ExcerptAppender appender = queue.createAppender())
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().write(bytes);
            }
        }
    }

    /**
     * The data after frame 50 gone (zeros) while Chronicle's store header still names frame 100 as the last document:
     * a crash whose header page reached the disk but not the data pages after it, and the shape of a copy of a live
     * journal ended after a frame (docs/backup.md). Chronicle's appender failed with an AssertionError at that
     * writePosition; the open moves it back to the last document and appends continue after frame 50.
     */
    @Test
    void shouldRewindAWritePositionLyingInTheZerosAfterTheLastDocument() throws IOException
    {
        writeJournal(100);
        final long[] end = {-1};
        final java.io.File[] file = {null};
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir));
             JournalReader reader = journal.newReader())
        {
            reader.replay(50, 50, frame ->
            {
                end[0] = (frame.filePosition() + frame.frameLength() + 3) & ~3L;
                file[0] = new dev.engram.journal.internal.CycleFiles(dir, JournalRollCycles.adopt(dir)).fileFor(frame.cycle());
            });
        }
        try (RandomAccessFile raf = new RandomAccessFile(file[0], "rw"))
        {
            final long length = raf.length();
            raf.setLength(end[0]);
            raf.setLength(length);
        }
        Files.delete(dir.resolve("engram-journal.manifest"));   // it recorded version 100: that would be a loss

        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            assertEquals(50, journal.openReport().lastVersion());
            assertTrue(String.valueOf(journal.openReport().tailCleared()).contains("writePosition"),
                String.valueOf(journal.openReport().tailCleared()));
            final long next = journal.append(journal.newDelta().put("after", new byte[] {1}));
            assertEquals(51, next);
            assertTrue(journal.awaitWritten(next, 60, TimeUnit.SECONDS));
        }
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final java.util.List<JournalTestSupport.Frame> frames = JournalTestSupport.readAll(journal);
            assertEquals(51, frames.size());
            assertEquals(51, frames.get(50).version());
            assertEquals("after", frames.get(50).ops().get(0).key());
        }
    }

    @Test
    void shouldTrimATornTailAndContinueAfterTheLastCompleteFrame()
    {
        writeJournal(100);
        // a frame whose header says 60 bytes but whose body never made it to disk (zeros)
        final byte[] torn = new byte[60];
        torn[0] = 60;
        torn[4] = DeltaFrameDescriptor.FORMAT_VERSION;
        torn[8] = 101;
        appendRawExcerpt(torn);
        appendRawExcerpt(new byte[40]);

        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final JournalOpenReport report = journal.openReport();
            assertEquals(100, report.lastVersion());
            assertEquals(2, report.tornFrames());
            assertEquals(100, report.tornBytes());
            assertNotNull(report.tornFile());
            assertTrue(report.tornPosition() > 0);

            final long next = journal.append(journal.newDelta().put("after", new byte[] {1}));
            assertEquals(101, next);
            assertTrue(journal.awaitWritten(next, 60, TimeUnit.SECONDS));
            final long[] count = {0};
            final ReplayResult result;
            try (JournalReader reader = journal.newReader())
            {
                result = reader.replay(1, f -> assertEquals(++count[0], f.version()));
            }
            assertEquals(101, result.lastVersion());
            assertEquals(2, result.trimmedTornFrames());
            assertFalse(result.tornTail());
        }
    }

    @Test
    void shouldReportATornTailDuringReplayWithoutFailing()
    {
        writeJournal(10);
        final byte[] torn = new byte[60];
        torn[0] = 60;
        appendRawExcerpt(torn);
        // read without reopening through Journal (which would trim): a fresh store and reader
        final JournalContext ctx = JournalTestSupport.smallContext(dir).conclude();
        EngramSystemProperties.apply();
        try (ChronicleJournalStore store = new ChronicleJournalStore(ctx); JournalReader reader = new JournalReader(store))
        {
            final ReplayResult result = reader.replay(1, f -> { });
            assertEquals(10, result.lastVersion());
            assertTrue(result.tornTail());
            assertEquals(1, result.tornFrames());
            assertEquals(60, result.tornBytes());
            assertEquals(DeltaFrame.Check.BAD_FORMAT_VERSION, result.tornCheck());
        }
    }

    @Test
    void shouldNameFileAndPositionOfAFlippedByteInTheMiddle() throws IOException
    {
        writeJournal(1000);
        final Path cycleFile = onlyCycleFile();
        final long needle = indexOf(cycleFile, "needle-00500".getBytes(StandardCharsets.UTF_8));
        assertTrue(needle > 0);
        flip(cycleFile, needle + 14);   // inside the value "value-500"

        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            assertEquals(1000, journal.openReport().lastVersion(), "the tail is intact");
            final long[] seen = {0};
            final JournalCorruptionException ex;
            try (JournalReader reader = journal.newReader())
            {
                ex = assertThrows(JournalCorruptionException.class, () -> reader.replay(1, f -> seen[0] = f.version()));
            }
            assertEquals(499, seen[0], "frames before the damage are delivered");
            assertEquals(cycleFile.toFile().getAbsoluteFile().toString(), Path.of(ex.file()).toFile().getAbsoluteFile().toString());
            assertTrue(ex.position() < needle && ex.position() > needle - 64, "position=" + ex.position() + " needle=" + needle);
            assertTrue(ex.getMessage().contains("BAD_CHECKSUM"), ex.getMessage());
        }
    }

    @Test
    void shouldFailWhenChronicleStopsEarlyAtADamagedHeader() throws IOException
    {
        writeJournal(1000);
        final Path cycleFile = onlyCycleFile();
        final long needle = indexOf(cycleFile, "needle-00300".getBytes(StandardCharsets.UTF_8));
        // Chronicle's 4-byte excerpt header sits right before our frame: frame start = needle - 24 - 8
        final long header = needle - DeltaFrameDescriptor.HEADER_LENGTH - DeltaFrameDescriptor.OP_HEADER_LENGTH - 4;
        try (RandomAccessFile file = new RandomAccessFile(cycleFile.toFile(), "rw"))
        {
            file.seek(header + 3);
            file.write(0x80);    // set "not complete": Chronicle treats it as the end of the queue
        }
        final JournalContext ctx = JournalTestSupport.smallContext(dir).conclude();
        try (ChronicleJournalStore store = new ChronicleJournalStore(ctx); JournalReader reader = new JournalReader(store))
        {
            final long[] seen = {0};
            final JournalCorruptionException ex = assertThrows(JournalCorruptionException.class,
                () -> reader.replay(1, f -> seen[0] = f.version()));
            assertEquals(299, seen[0]);
            assertTrue(ex.getMessage().contains("stopped early"), ex.getMessage());
        }
    }

    @Test
    void shouldDetectAVersionGap()
    {
        writeJournal(5);
        // a valid frame with version 9 after version 5
        final Delta delta = new Delta().put("x", new byte[] {1});
        final byte[] frame = new byte[delta.frameLength()];
        final org.agrona.concurrent.UnsafeBuffer b = new org.agrona.concurrent.UnsafeBuffer(frame);
        b.putInt(0, frame.length);
        b.putByte(4, DeltaFrameDescriptor.FORMAT_VERSION);
        b.putShort(6, (short)1);
        b.putLong(8, 9);
        delta.copyOpsTo(b, DeltaFrameDescriptor.HEADER_LENGTH);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(frame, 0, frame.length - 4);
        b.putInt(frame.length - 4, (int)crc.getValue());
        appendRawExcerpt(frame);
        final JournalContext ctx = JournalTestSupport.smallContext(dir).conclude();
        try (ChronicleJournalStore store = new ChronicleJournalStore(ctx); JournalReader reader = new JournalReader(store))
        {
            final JournalCorruptionException ex = assertThrows(JournalCorruptionException.class, () -> reader.replay(1, f -> { }));
            assertTrue(ex.getMessage().contains("expected version=6 found version=9"), ex.getMessage());
        }
    }

    private Path onlyCycleFile() throws IOException
    {
        try (var files = Files.list(dir))
        {
            final var cycles = files.filter(p -> p.toString().endsWith(".cq4")).toList();
            assertEquals(1, cycles.size());
            return cycles.get(0);
        }
    }

    private static long indexOf(final Path file, final byte[] pattern) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        outer:
        for (int i = 0; i <= bytes.length - pattern.length; i++)
        {
            for (int j = 0; j < pattern.length; j++)
            {
                if (bytes[i + j] != pattern[j])
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void flip(final Path file, final long position) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(position);
            final int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x01);
        }
    }
}
