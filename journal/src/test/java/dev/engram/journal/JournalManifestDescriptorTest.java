package dev.engram.journal;

import dev.engram.journal.internal.CycleFiles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;

import static dev.engram.journal.JournalManifestDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The journal manifest byte by byte, as {@link JournalManifestDescriptor}'s diagram and docs/journal.md describe it,
 * checked against a manifest a journal really wrote, and every kind of damage refused with the file and offset named.
 */
class JournalManifestDescriptorTest
{
    @TempDir
    Path dir;

    private final AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);

    @Test
    void shouldDeclareTheOffsetsOfTheDiagram()
    {
        assertEquals("ENGRMJMF", new String(MAGIC, StandardCharsets.US_ASCII));
        assertEquals(0, MAGIC_OFFSET);
        assertEquals(8, FORMAT_VERSION_OFFSET);
        assertEquals(12, ENTRY_COUNT_OFFSET);
        assertEquals(16, ROLL_CYCLE_LENGTH_OFFSET);
        assertEquals(24, HEADER_LENGTH);
        assertEquals(24, FIRST_ENTRY_OFFSET);
        assertEquals(0, ENTRY_CYCLE_OFFSET);
        assertEquals(4, ENTRY_RESERVED_OFFSET);
        assertEquals(8, ENTRY_FIRST_VERSION_OFFSET);
        assertEquals(16, ENTRY_LAST_VERSION_OFFSET);
        assertEquals(24, ENTRY_LENGTH);
        assertEquals(4, CRC_LENGTH);
        assertEquals(28, MIN_FILE_LENGTH);
        assertEquals(24 + 3 * 24 + 4, fileLength(3));
        assertEquals(24 + 2 * 24, entryOffset(2));
        assertEquals(1, FORMAT_VERSION);
        assertEquals("engram-journal.manifest", FILE_NAME);
    }

    /** Three cycles of 100 versions on a secondly roll cycle, closed cleanly. */
    private void writeThreeCycles()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).rollCycle(TestRollCycles.TEST_SECONDLY)
            .epochMsClock(clockMs::get)))
        {
            final Delta delta = journal.newDelta();
            long version = 0;
            for (int c = 0; c < 3; c++)
            {
                for (int i = 0; i < 100; i++)
                {
                    version = journal.append(delta.clear().put("k" + i, new byte[] {(byte)c}));
                }
                assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
                clockMs.addAndGet(1000);
            }
        }
    }

    @Test
    void shouldStoreEveryFieldAtItsDocumentedOffset() throws Exception
    {
        writeThreeCycles();
        final byte[] bytes = Files.readAllBytes(dir.resolve(FILE_NAME));
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        assertEquals(24 + 3 * 24 + 4, bytes.length);
        assertArrayEquals(MAGIC, Arrays.copyOfRange(bytes, 0, 8));
        assertEquals(1, buffer.getInt(8, ByteOrder.LITTLE_ENDIAN));
        assertEquals(3, buffer.getInt(12, ByteOrder.LITTLE_ENDIAN));
        assertEquals(1000, buffer.getLong(16, ByteOrder.LITTLE_ENDIAN), "TEST_SECONDLY: 1000 ms per cycle");
        final List<Integer> cycles = List.copyOf(new CycleFiles(dir, TestRollCycles.TEST_SECONDLY).list().keySet());
        assertEquals(3, cycles.size());
        final long[][] versions = {{1, 100}, {101, 200}, {201, 300}};
        for (int i = 0; i < 3; i++)
        {
            final int entry = 24 + i * 24;
            assertEquals(cycles.get(i), buffer.getInt(entry, ByteOrder.LITTLE_ENDIAN), "cycle of entry " + i);
            assertEquals(0, buffer.getInt(entry + 4, ByteOrder.LITTLE_ENDIAN), "reserved");
            assertEquals(versions[i][0], buffer.getLong(entry + 8, ByteOrder.LITTLE_ENDIAN), "first version of entry " + i);
            assertEquals(versions[i][1], buffer.getLong(entry + 16, ByteOrder.LITTLE_ENDIAN),
                "last version of entry " + i + " (recorded at the roll, and at the clean close for the newest)");
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        assertEquals((int)crc.getValue(), buffer.getInt(bytes.length - 4, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0x2C, bytes[24 + 2 * 24 + 16], "little-endian: the newest entry's last version 300 = 0x12C");
        final JournalManifest manifest = JournalManifest.read(dir);
        assertEquals(new JournalManifest(1000, List.of(new JournalManifest.Entry(cycles.get(0), 1, 100),
            new JournalManifest.Entry(cycles.get(1), 101, 200), new JournalManifest.Entry(cycles.get(2), 201, 300))), manifest);
        assertArrayEquals(bytes, manifest.encode(), "the same manifest gives the same bytes");
    }

    @Test
    void shouldRefuseEverySingleByteFlipTruncationAndANewerFormatNamingFileAndOffset() throws Exception
    {
        writeThreeCycles();
        final Path file = dir.resolve(FILE_NAME);
        final byte[] good = Files.readAllBytes(file);
        for (int i = 0; i < good.length; i++)
        {
            for (final int bit : new int[] {0x01, 0x80})
            {
                final byte[] bad = good.clone();
                bad[i] ^= (byte)bit;
                final int at = i;
                final JournalManifestException ex = assertThrows(JournalManifestException.class,
                    () -> JournalManifest.decode(file, bad), () -> "flip at " + at);
                assertTrue(ex.getMessage().contains(file.toString()) && ex.offset() >= 0, ex.getMessage());
            }
        }
        for (int length = 0; length < good.length; length++)
        {
            final byte[] cut = Arrays.copyOf(good, length);
            assertThrows(JournalManifestException.class, () -> JournalManifest.decode(file, cut), "cut at " + length);
        }
        final byte[] newer = good.clone();
        new UnsafeBuffer(newer).putInt(FORMAT_VERSION_OFFSET, 2, ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        crc.update(newer, 0, newer.length - 4);
        new UnsafeBuffer(newer).putInt(newer.length - 4, (int)crc.getValue(), ByteOrder.LITTLE_ENDIAN);
        final JournalManifestException unsupported = assertThrows(JournalManifestException.class,
            () -> JournalManifest.decode(file, newer));
        assertTrue(unsupported.getMessage().contains("unsupported journal manifest format version=2"), unsupported.getMessage());
        assertEquals(FORMAT_VERSION_OFFSET, unsupported.offset());
        assertNull(JournalManifest.read(dir.resolve("missing")), "no file: no manifest");
    }
}
