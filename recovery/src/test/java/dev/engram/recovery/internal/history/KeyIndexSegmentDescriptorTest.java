package dev.engram.recovery.internal.history;

import dev.engram.journal.OpType;
import dev.engram.recovery.KeyHistory;
import dev.engram.recovery.internal.checkpoint.KeyHash;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static dev.engram.recovery.internal.history.KeyIndexSegmentDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A key-index segment byte by byte, as {@link KeyIndexSegmentDescriptor}'s diagram and docs/history.md describe it;
 * every single-bit flip and truncation of a segment is refused when it is opened (never a wrong answer).
 */
class KeyIndexSegmentDescriptorTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDeclareTheOffsetsOfTheDiagram()
    {
        assertEquals("ENGRMKHI", new String(MAGIC, StandardCharsets.US_ASCII));
        assertEquals(0, MAGIC_OFFSET);
        assertEquals(8, FORMAT_VERSION_OFFSET);
        assertEquals(12, KEY_COUNT_OFFSET);
        assertEquals(16, FIRST_VERSION_OFFSET);
        assertEquals(24, LAST_VERSION_OFFSET);
        assertEquals(32, FIRST_TIMESTAMP_OFFSET);
        assertEquals(40, LAST_TIMESTAMP_OFFSET);
        assertEquals(48, CHANGE_COUNT_OFFSET);
        assertEquals(56, RESERVED_OFFSET);
        assertEquals(64, HEADER_LENGTH);
        assertEquals(64, SLOT_TABLE_OFFSET);
        assertEquals(0, SLOT_HASH_OFFSET);
        assertEquals(8, SLOT_ENTRY_OFFSET_OFFSET);
        assertEquals(16, SLOT_LENGTH);
        assertEquals(0, ENTRY_KEY_LENGTH_OFFSET);
        assertEquals(2, ENTRY_CHANGE_COUNT_OFFSET);
        assertEquals(6, ENTRY_CRC_OFFSET);
        assertEquals(10, ENTRY_KEY_OFFSET);
        assertEquals(0, CHANGE_VERSION_OFFSET);
        assertEquals(8, CHANGE_TIMESTAMP_OFFSET);
        assertEquals(16, CHANGE_OP_OFFSET);
        assertEquals(17, CHANGE_LENGTH);
        assertEquals(4, CRC_LENGTH);
        assertEquals(68, MIN_FILE_LENGTH);
        assertEquals(10 + 3 + 2 * 17, entryLength(3, 2));
        assertEquals(1, FORMAT_VERSION);
        assertEquals("00000000000000000007-00000000000000000012.khi", fileName(7, 12));
        assertEquals("history-index", DIRECTORY_NAME);
    }

    private static KeyRun twoKeys()
    {
        final KeyRun changes = new KeyRun();
        final byte[] a = "aé".getBytes(StandardCharsets.UTF_8);
        final byte[] b = "b".getBytes(StandardCharsets.UTF_8);
        changes.add(a, 7, 700, OpType.PUT.code());
        changes.add(b, 8, 800, OpType.DELETE.code());
        changes.add(a, 9, 900, OpType.PATCH.code());
        return changes;
    }

    @Test
    void shouldStoreEveryFieldAtItsDocumentedOffset() throws Exception
    {
        final Path file = KeyIndexSegmentWriter.write(dir, 7, 12, 700, 1200, twoKeys());
        assertEquals(fileName(7, 12), file.getFileName().toString());
        final byte[] bytes = Files.readAllBytes(file);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final byte[] keyA = "aé".getBytes(StandardCharsets.UTF_8);
        final byte[] keyB = "b".getBytes(StandardCharsets.UTF_8);
        final long hashA = KeyHash.hash(keyA, 0, keyA.length);
        final long hashB = KeyHash.hash(keyB, 0, keyB.length);
        final int entries = 64 + 2 * 16;
        assertEquals(entries + (10 + 3 + 2 * 17) + (10 + 1 + 17) + 4, bytes.length);
        assertArrayEquals(MAGIC, Arrays.copyOfRange(bytes, 0, 8));
        assertEquals(1, buffer.getInt(8, ByteOrder.LITTLE_ENDIAN));
        assertEquals(2, buffer.getInt(12, ByteOrder.LITTLE_ENDIAN));
        assertEquals(7, buffer.getLong(16, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0x07, bytes[16], "little-endian");
        assertEquals(12, buffer.getLong(24, ByteOrder.LITTLE_ENDIAN));
        assertEquals(700, buffer.getLong(32, ByteOrder.LITTLE_ENDIAN));
        assertEquals(1200, buffer.getLong(40, ByteOrder.LITTLE_ENDIAN));
        assertEquals(3, buffer.getLong(48, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0, buffer.getLong(56, ByteOrder.LITTLE_ENDIAN));
        // slots sorted by hash (signed); entries in slot order
        final boolean aFirst = hashA < hashB;
        final long firstHash = aFirst ? hashA : hashB;
        final long secondHash = aFirst ? hashB : hashA;
        final int firstEntryLength = aFirst ? 10 + 3 + 34 : 10 + 1 + 17;
        assertEquals(firstHash, buffer.getLong(64, ByteOrder.LITTLE_ENDIAN));
        assertEquals(entries, buffer.getLong(72, ByteOrder.LITTLE_ENDIAN));
        assertEquals(secondHash, buffer.getLong(80, ByteOrder.LITTLE_ENDIAN));
        assertEquals(entries + firstEntryLength, buffer.getLong(88, ByteOrder.LITTLE_ENDIAN));
        final int entryA = aFirst ? entries : entries + 10 + 1 + 17;
        assertEquals(3, buffer.getShort(entryA, ByteOrder.LITTLE_ENDIAN));
        assertEquals(2, buffer.getInt(entryA + 2, ByteOrder.LITTLE_ENDIAN));
        assertArrayEquals(keyA, Arrays.copyOfRange(bytes, entryA + 10, entryA + 13));
        assertEquals(7, buffer.getLong(entryA + 13, ByteOrder.LITTLE_ENDIAN));
        assertEquals(700, buffer.getLong(entryA + 21, ByteOrder.LITTLE_ENDIAN));
        assertEquals(OpType.PUT.code(), bytes[entryA + 29]);
        assertEquals(9, buffer.getLong(entryA + 30, ByteOrder.LITTLE_ENDIAN));
        assertEquals(900, buffer.getLong(entryA + 38, ByteOrder.LITTLE_ENDIAN));
        assertEquals(OpType.PATCH.code(), bytes[entryA + 46]);
        final CRC32C entryCrc = new CRC32C();
        entryCrc.update(bytes, entryA + 10, 3 + 34);
        assertEquals((int)entryCrc.getValue(), buffer.getInt(entryA + 6, ByteOrder.LITTLE_ENDIAN));
        final int entryB = aFirst ? entries + 47 : entries;
        assertEquals(1, buffer.getShort(entryB, ByteOrder.LITTLE_ENDIAN));
        assertEquals(1, buffer.getInt(entryB + 2, ByteOrder.LITTLE_ENDIAN));
        assertEquals('b', bytes[entryB + 10]);
        assertEquals(8, buffer.getLong(entryB + 11, ByteOrder.LITTLE_ENDIAN));
        assertEquals(800, buffer.getLong(entryB + 19, ByteOrder.LITTLE_ENDIAN));
        assertEquals(OpType.DELETE.code(), bytes[entryB + 27]);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        assertEquals((int)crc.getValue(), buffer.getInt(bytes.length - 4, ByteOrder.LITTLE_ENDIAN));
        assertArrayEquals(bytes, KeyIndexSegmentWriter.encode(7, 12, 700, 1200, twoKeys()), "the same changes give the same bytes");

        final KeyIndexSegment segment = KeyIndexSegment.open(file);
        assertEquals(List.of(new KeyHistory.Change(7, 700, OpType.PUT), new KeyHistory.Change(9, 900, OpType.PATCH)),
            lookup(segment, "aé", 0, Long.MAX_VALUE));
        assertEquals(List.of(new KeyHistory.Change(9, 900, OpType.PATCH)), lookup(segment, "aé", 8, 12));
        assertEquals(List.of(new KeyHistory.Change(8, 800, OpType.DELETE)), lookup(segment, "b", 0, Long.MAX_VALUE));
        assertEquals(List.of(), lookup(segment, "c", 0, Long.MAX_VALUE));
    }

    private static List<KeyHistory.Change> lookup(final KeyIndexSegment segment, final String key, final long from, final long to)
    {
        final byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        final List<KeyHistory.Change> out = new ArrayList<>();
        segment.lookup(bytes, KeyHash.hash(bytes, 0, bytes.length), from, to, out);
        return out;
    }

    @Test
    void shouldRefuseEverySingleBitFlipAndEveryTruncation() throws Exception
    {
        final Path file = KeyIndexSegmentWriter.write(dir, 7, 12, 700, 1200, twoKeys());
        final byte[] good = Files.readAllBytes(file);
        final Path damaged = dir.resolve("damaged.khi");
        for (int i = 0; i < good.length; i++)
        {
            for (final int bit : new int[] {0, 7})
            {
                final byte[] bytes = good.clone();
                bytes[i] ^= (byte)(1 << bit);
                Files.write(damaged, bytes);
                final int at = i;
                final KeyIndexDamagedException ex = assertThrows(KeyIndexDamagedException.class,
                    () -> KeyIndexSegment.open(damaged), () -> "flip of bit " + bit + " at offset " + at);
                assertTrue(ex.getMessage().contains(damaged.toString()), ex.getMessage());
            }
        }
        for (int length = 0; length < good.length; length++)
        {
            Files.write(damaged, Arrays.copyOf(good, length));
            final int at = length;
            assertThrows(KeyIndexDamagedException.class, () -> KeyIndexSegment.open(damaged), () -> "truncated to " + at);
        }
    }
}
