package dev.engram.recovery.internal.history;

import dev.engram.recovery.TagFileException;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import static dev.engram.recovery.internal.history.TagFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The version-tags file byte by byte, as {@link TagFileDescriptor}'s diagram and docs/history.md describe it,
 * and every kind of damage refused with the file and offset named.
 */
class TagFileDescriptorTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDeclareTheOffsetsOfTheDiagram()
    {
        assertEquals(0, MAGIC_OFFSET);
        assertEquals(8, MAGIC.length);
        assertEquals("ENGRMTAG", new String(MAGIC, StandardCharsets.US_ASCII));
        assertEquals(8, FORMAT_VERSION_OFFSET);
        assertEquals(12, TAG_COUNT_OFFSET);
        assertEquals(16, HEADER_LENGTH);
        assertEquals(16, FIRST_ENTRY_OFFSET);
        assertEquals(0, ENTRY_VERSION_OFFSET);
        assertEquals(8, ENTRY_NAME_LENGTH_OFFSET);
        assertEquals(10, ENTRY_NAME_OFFSET);
        assertEquals(4, CRC_LENGTH);
        assertEquals(20, MIN_FILE_LENGTH);
        assertEquals(13, entryLength(3));
        assertEquals(1, FORMAT_VERSION);
        assertEquals("version-tags", FILE_NAME);
    }

    @Test
    void shouldStoreEveryFieldAtItsDocumentedOffset() throws Exception
    {
        final VersionTags tags = new VersionTags(dir);
        tags.tag("b", 0x0102030405060708L);
        tags.tag("aé", 7);
        final byte[] bytes = Files.readAllBytes(dir.resolve(FILE_NAME));
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        assertEquals(16 + (10 + 3) + (10 + 1) + 4, bytes.length);
        assertArrayEquals(MAGIC, Arrays.copyOfRange(bytes, 0, 8));
        assertEquals(1, buffer.getInt(8, ByteOrder.LITTLE_ENDIAN));
        assertEquals(2, buffer.getInt(12, ByteOrder.LITTLE_ENDIAN));
        // entries sorted by name: "aé" (3 UTF-8 bytes) then "b"
        assertEquals(7, buffer.getLong(16, ByteOrder.LITTLE_ENDIAN));
        assertEquals(3, buffer.getShort(24, ByteOrder.LITTLE_ENDIAN));
        assertArrayEquals("aé".getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(bytes, 26, 29));
        assertEquals(0x0102030405060708L, buffer.getLong(29, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0x08, bytes[29], "little-endian");
        assertEquals(1, buffer.getShort(37, ByteOrder.LITTLE_ENDIAN));
        assertEquals('b', bytes[39]);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, 40);
        assertEquals((int)crc.getValue(), buffer.getInt(40, ByteOrder.LITTLE_ENDIAN));
        assertEquals(Map.of("aé", 7L, "b", 0x0102030405060708L), new VersionTags(dir).tags());
        assertArrayEquals(bytes, VersionTags.encode(new TreeMap<>(Map.of("b", 0x0102030405060708L, "aé", 7L))),
            "the same tags give the same bytes");
        assertArrayEquals(new byte[] {'E', 'N', 'G', 'R', 'M', 'T', 'A', 'G', 1, 0, 0, 0, 0, 0, 0, 0},
            Arrays.copyOf(VersionTags.encode(new TreeMap<>()), 16), "an empty list is a header and a CRC");
    }

    @Test
    void shouldRefuseEverySingleByteFlipTruncationAndANewerFormatNamingFileAndOffset() throws Exception
    {
        final VersionTags tags = new VersionTags(dir);
        tags.tag("release-1", 100);
        tags.tag("release-2", 2000);
        final Path file = dir.resolve(FILE_NAME);
        final byte[] good = Files.readAllBytes(file);
        for (int i = 0; i < good.length; i++)
        {
            for (final int bit : new int[] {0x01, 0x80})
            {
                final byte[] bad = good.clone();
                bad[i] ^= (byte)bit;
                final int at = i;
                final TagFileException ex = assertThrows(TagFileException.class, () -> VersionTags.decode(file, bad),
                    () -> "flip at " + at);
                assertTrue(ex.getMessage().contains(file.toString()) && ex.offset() >= 0, ex.getMessage());
            }
        }
        for (int length = 0; length < good.length; length++)
        {
            final byte[] cut = Arrays.copyOf(good, length);
            assertThrows(TagFileException.class, () -> VersionTags.decode(file, cut), "cut at " + length);
        }
        final byte[] newer = good.clone();
        new UnsafeBuffer(newer).putInt(FORMAT_VERSION_OFFSET, 2, ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        crc.update(newer, 0, newer.length - 4);
        new UnsafeBuffer(newer).putInt(newer.length - 4, (int)crc.getValue(), ByteOrder.LITTLE_ENDIAN);
        final TagFileException unsupported = assertThrows(TagFileException.class, () -> VersionTags.decode(file, newer));
        assertTrue(unsupported.getMessage().contains("unsupported version-tags format version=2"), unsupported.getMessage());
        assertEquals(FORMAT_VERSION_OFFSET, unsupported.offset());
        assertTrue(new VersionTags(dir.resolve("missing")).tags().isEmpty(), "no file: no tags");
    }
}
