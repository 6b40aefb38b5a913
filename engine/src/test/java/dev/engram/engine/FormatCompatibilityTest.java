package dev.engram.engine;

import dev.engram.journal.JournalFormatException;
import dev.engram.recovery.internal.checkpoint.CheckpointHeaderDescriptor;
import dev.engram.recovery.RecoveryReport;
import dev.engram.recovery.UnsupportedCheckpointFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeSet;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Files of every previous format version open (fixtures kept in test resources); a newer format is refused
 * with a clear message, never trimmed, skipped or overwritten.
 */
class FormatCompatibilityTest
{
    @TempDir
    Path work;

    private Path fixture(final String name) throws IOException, URISyntaxException
    {
        final Path source = Path.of(FormatCompatibilityTest.class.getResource("/fixtures/" + name).toURI());
        final Path target = work.resolve(name);
        try (var paths = Files.walk(source))
        {
            for (final Path path : paths.toList())
            {
                final Path dest = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path))
                {
                    Files.createDirectories(dest);
                }
                else
                {
                    Files.copy(path, dest);
                }
            }
        }
        return target;
    }

    @Test
    void shouldOpenFilesOfFormatVersion1() throws Exception
    {
        final Path dir = fixture("format-v1");
        final Map<String, byte[]> expected = FormatFixtures.expected(FormatFixtures.VERSIONS);
        try (Engram engram = Engram.open(dir, FormatFixtures.context()))
        {
            final RecoveryReport report = engram.recoveryReport();
            assertTrue(report.cleanShutdown(), report.describe());
            assertEquals(FormatFixtures.VERSIONS, report.recoveredVersion(), report.describe());
            assertEquals(150, report.checkpointVersion(), report.describe());
            assertEquals(2, report.chainLength(), "a full and a delta checkpoint");
            assertEquals(50, report.framesReplayed());
            assertEquals(new TreeSet<>(expected.keySet()), new TreeSet<>(engram.keys("")));
            for (final Map.Entry<String, byte[]> entry : expected.entrySet())
            {
                assertArrayEquals(entry.getValue(), engram.get(entry.getKey()), entry.getKey());
            }
            assertEquals(TypedValuesTestSupport.header(), engram.get("population/1", PopulationHeader.class));
            assertEquals(FormatFixtures.VERSIONS + 1, engram.delta().put("after", new byte[] {1}).commit());
        }
    }

    @Test
    void shouldRefuseACheckpointOfANewerFormat() throws Exception
    {
        final Path dir = fixture("format-v1");
        final Path newest = dir.resolve("checkpoints").resolve("ckpt-0000000000000002.ckp");
        try (RandomAccessFile raf = new RandomAccessFile(newest.toFile(), "rw"))
        {
            final byte[] header = new byte[CheckpointHeaderDescriptor.HEADER_LENGTH];
            raf.readFully(header);
            final ByteBuffer buffer = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putInt(CheckpointHeaderDescriptor.FORMAT_VERSION_OFFSET, CheckpointHeaderDescriptor.FORMAT_VERSION_PAGED + 1);
            final CRC32C crc = new CRC32C();
            crc.update(header, 0, CheckpointHeaderDescriptor.HEADER_CRC_OFFSET);
            buffer.putInt(CheckpointHeaderDescriptor.HEADER_CRC_OFFSET, (int)crc.getValue());
            raf.seek(0);
            raf.write(header);
        }
        final UnsupportedCheckpointFormatException ex = assertThrows(UnsupportedCheckpointFormatException.class,
            () -> Engram.open(dir, FormatFixtures.context()));
        assertTrue(ex.getMessage().contains("format version 3"), ex.getMessage());
        assertTrue(ex.getMessage().contains(newest.getFileName().toString()), ex.getMessage());
        assertTrue(Files.exists(newest), "never deleted");
    }

    @Test
    void shouldRefuseAJournalFrameOfANewerFormatEvenAtTheTail() throws Exception
    {
        final Path dir = fixture("format-v1");
        final Path cycle;
        try (var files = Files.list(dir.resolve("journal")))
        {
            cycle = files.filter(f -> f.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        final byte[] bytes = Files.readAllBytes(cycle);
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int frame = -1;
        for (int i = 4; i + 16 <= bytes.length; i++)
        {
            if (bytes[i + 4] == 1 && buffer.getLong(i + 8) == FormatFixtures.VERSIONS && buffer.getInt(i) > 24 && buffer.getInt(i) < 4096)
            {
                frame = i;
            }
        }
        assertTrue(frame > 0, "last frame not found");
        try (RandomAccessFile raf = new RandomAccessFile(cycle.toFile(), "rw"))
        {
            raf.seek(frame + 4);
            raf.write(2);
        }
        final JournalFormatException ex = assertThrows(JournalFormatException.class,
            () -> Engram.open(dir, FormatFixtures.context()));
        assertTrue(ex.getMessage().contains("format version 2"), ex.getMessage());
        assertTrue(ex.getMessage().contains(cycle.getFileName().toString()), ex.getMessage());
    }
}
