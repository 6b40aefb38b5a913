package dev.engram.recovery.internal.checkpoint;

import dev.engram.recovery.CheckpointCompression;
import dev.engram.recovery.CheckpointInfo;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every offset the format diagrams name, as constants and in a file the writer really produced.
 */
class CheckpointDescriptorTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDeclareTheHeaderOffsetsOfTheDiagram()
    {
        assertEquals("ENGRMCKP", new String(CheckpointHeaderDescriptor.MAGIC, StandardCharsets.US_ASCII));
        assertEquals(0, CheckpointHeaderDescriptor.MAGIC_OFFSET);
        assertEquals(8, CheckpointHeaderDescriptor.FORMAT_VERSION_OFFSET);
        assertEquals(12, CheckpointHeaderDescriptor.FLAGS_OFFSET);
        assertEquals(16, CheckpointHeaderDescriptor.CHECKPOINT_ID_OFFSET);
        assertEquals(24, CheckpointHeaderDescriptor.PARENT_ID_OFFSET);
        assertEquals(32, CheckpointHeaderDescriptor.BASE_ID_OFFSET);
        assertEquals(40, CheckpointHeaderDescriptor.CHAIN_ORDINAL_OFFSET);
        assertEquals(48, CheckpointHeaderDescriptor.STATE_VERSION_OFFSET);
        assertEquals(56, CheckpointHeaderDescriptor.PARENT_STATE_VERSION_OFFSET);
        assertEquals(64, CheckpointHeaderDescriptor.JOURNAL_RESUME_VERSION_OFFSET);
        assertEquals(72, CheckpointHeaderDescriptor.KEY_COUNT_OFFSET);
        assertEquals(80, CheckpointHeaderDescriptor.CREATED_EPOCH_MS_OFFSET);
        assertEquals(88, CheckpointHeaderDescriptor.COMPRESSION_OFFSET);
        assertEquals(89, CheckpointHeaderDescriptor.ZSTD_LEVEL_OFFSET);
        assertEquals(92, CheckpointHeaderDescriptor.TARGET_BLOCK_LENGTH_OFFSET);
        assertEquals(96, CheckpointHeaderDescriptor.JOURNAL_HINT_CYCLE_OFFSET);
        assertEquals(104, CheckpointHeaderDescriptor.JOURNAL_HINT_POSITION_OFFSET);
        assertEquals(112, CheckpointHeaderDescriptor.TAG_COUNT_OFFSET);
        assertEquals(116, CheckpointHeaderDescriptor.RESERVED_OFFSET);
        assertEquals(124, CheckpointHeaderDescriptor.HEADER_CRC_OFFSET);
        assertEquals(128, CheckpointHeaderDescriptor.HEADER_LENGTH);
        assertEquals(1, CheckpointHeaderDescriptor.FLAG_DELTA);
        assertEquals(2, CheckpointHeaderDescriptor.FLAG_COMPRESSED);
    }

    @Test
    void shouldDeclareTheBlockEntryIndexAndFooterOffsetsOfTheDiagrams()
    {
        assertEquals(0, CheckpointEntryDescriptor.KEY_LENGTH_OFFSET);
        assertEquals(2, CheckpointEntryDescriptor.FLAGS_OFFSET);
        assertEquals(3, CheckpointEntryDescriptor.RESERVED_OFFSET);
        assertEquals(4, CheckpointEntryDescriptor.VALUE_LENGTH_OFFSET);
        assertEquals(8, CheckpointEntryDescriptor.KEY_OFFSET);
        assertEquals(8, CheckpointEntryDescriptor.ENTRY_HEADER_LENGTH);
        assertEquals(1, CheckpointEntryDescriptor.FLAG_TOMBSTONE);

        assertEquals(0, BlockTableDescriptor.FILE_OFFSET_OFFSET);
        assertEquals(8, BlockTableDescriptor.STORED_LENGTH_OFFSET);
        assertEquals(12, BlockTableDescriptor.RAW_LENGTH_OFFSET);
        assertEquals(16, BlockTableDescriptor.CRC_OFFSET);
        assertEquals(20, BlockTableDescriptor.ENTRY_COUNT_OFFSET);
        assertEquals(24, BlockTableDescriptor.FLAGS_OFFSET);
        assertEquals(25, BlockTableDescriptor.RESERVED_OFFSET);
        assertEquals(32, BlockTableDescriptor.ROW_LENGTH);
        assertEquals(1, BlockTableDescriptor.FLAG_ZSTD);

        assertEquals(0, InFileIndexDescriptor.KEY_HASH_OFFSET);
        assertEquals(8, InFileIndexDescriptor.LOCATION_OFFSET);
        assertEquals(16, InFileIndexDescriptor.SLOT_LENGTH);
        assertEquals(2, InFileIndexDescriptor.slotCountFor(0));
        assertEquals(2, InFileIndexDescriptor.slotCountFor(1));
        assertEquals(4, InFileIndexDescriptor.slotCountFor(2));
        assertEquals(8, InFileIndexDescriptor.slotCountFor(3));
        assertEquals(2048, InFileIndexDescriptor.slotCountFor(1000));
        assertEquals(2048, InFileIndexDescriptor.slotCountFor(1024));
        assertEquals(0x0000_0007_0000_0010L, InFileIndexDescriptor.location(7, 16));

        assertEquals("ENGRMFTR", new String(CheckpointFooterDescriptor.MAGIC, StandardCharsets.US_ASCII));
        assertEquals(0, CheckpointFooterDescriptor.MAGIC_OFFSET);
        assertEquals(8, CheckpointFooterDescriptor.BLOCK_COUNT_OFFSET);
        assertEquals(16, CheckpointFooterDescriptor.BLOCK_TABLE_OFFSET_OFFSET);
        assertEquals(24, CheckpointFooterDescriptor.INDEX_OFFSET_OFFSET);
        assertEquals(32, CheckpointFooterDescriptor.INDEX_SLOT_COUNT_OFFSET);
        assertEquals(40, CheckpointFooterDescriptor.ENTRY_COUNT_OFFSET);
        assertEquals(48, CheckpointFooterDescriptor.TOMBSTONE_COUNT_OFFSET);
        assertEquals(56, CheckpointFooterDescriptor.RAW_VALUE_BYTES_OFFSET);
        assertEquals(64, CheckpointFooterDescriptor.MERKLE_ROOT_OFFSET);
        assertEquals(32, CheckpointFooterDescriptor.MERKLE_ROOT_LENGTH);
        assertEquals(96, CheckpointFooterDescriptor.CHECKPOINT_ID_OFFSET);
        assertEquals(104, CheckpointFooterDescriptor.RAW_KEY_BYTES_OFFSET);
        assertEquals(112, CheckpointFooterDescriptor.BLOCK_TABLE_CRC_OFFSET);
        assertEquals(116, CheckpointFooterDescriptor.INDEX_CRC_OFFSET);
        assertEquals(120, CheckpointFooterDescriptor.RESERVED_OFFSET);
        assertEquals(124, CheckpointFooterDescriptor.FOOTER_CRC_OFFSET);
        assertEquals(128, CheckpointFooterDescriptor.FOOTER_LENGTH);

        assertEquals(0x0100_0002_0000_0003L, KeyLocation.pack(1, 2, 3));
        assertEquals(1, KeyLocation.chainOrdinal(0x0100_0002_0000_0003L));
        assertEquals(2, KeyLocation.blockIndex(0x0100_0002_0000_0003L));
        assertEquals(3, KeyLocation.offsetInBlock(0x0100_0002_0000_0003L));
        assertEquals(0xFF_FFFF_FFFF_FFFFL | (0xFFL << 56), KeyLocation.pack(255, 0xFF_FFFF, 0xFFFF_FFFFL));
    }

    @Test
    void shouldHashKeysExactlyAsDocumented()
    {
        assertEquals(KeyHash.HASH_OF_A, hash("a"));
        assertEquals(0x82a2a958a9bece5bL, hash("a"));
        assertEquals(0x3abdd5cde8f1a53fL, hash("ключ/42"));
        final byte[] bytes = "ключ/42".getBytes(StandardCharsets.UTF_8);
        assertEquals(hash("ключ/42"), KeyHash.hash(new UnsafeBuffer(bytes), 0, bytes.length));
        // the reference: FNV-1a 64 then fmix64, by hand
        long h = 0xcbf29ce484222325L;
        for (final byte b : "state/x".getBytes(StandardCharsets.UTF_8))
        {
            h = (h ^ (b & 0xFF)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        assertEquals(h, hash("state/x"));
    }

    private static long hash(final String key)
    {
        final byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        return KeyHash.hash(bytes, 0, bytes.length);
    }

    @Test
    void shouldStoreTheJournalHintAtItsDocumentedOffsets() throws Exception
    {
        final CheckpointInfo info;
        try (CheckpointWriter writer = CheckpointWriter.create(new CheckpointWriterContext()
            .directory(dir).checkpointId(3).stateVersion(77).journalHint(471_234, 0x1_2345_6788L)))
        {
            writer.put("k", new byte[] {1});
            info = writer.publish();
        }
        final byte[] file = Files.readAllBytes(info.path());
        final UnsafeBuffer b = new UnsafeBuffer(file);
        assertEquals(471_234, b.getInt(96, LITTLE_ENDIAN));
        assertEquals(0, b.getInt(100, LITTLE_ENDIAN));
        assertEquals(0x1_2345_6788L, b.getLong(104, LITTLE_ENDIAN));
        for (int i = 112; i < 124; i++)
        {
            assertEquals(0, file[i], "reserved header byte " + i);
        }
        assertEquals(crc(file, 0, 124), b.getInt(124, LITTLE_ENDIAN));
        final CheckpointInfo read = CheckpointFileChecks.readInfo(info.path());
        assertEquals(471_234, read.journalHintCycle());
        assertEquals(0x1_2345_6788L, read.journalHintPosition());
        assertThrows(IllegalArgumentException.class, () -> new CheckpointWriterContext().journalHint(1, -4));
    }

    @Test
    void shouldStoreEveryFieldAtItsDocumentedOffset() throws Exception
    {
        final Path full = CheckpointTestSupport.writeFull(dir, 5, 99, Map.of("x", new byte[] {1}), CheckpointCompression.NONE, 4096).path();
        final CheckpointInfo parent = CheckpointFileChecks.readInfo(full);
        final Map<String, byte[]> changes = new LinkedHashMap<>();
        changes.put("ab", new byte[] {10, 11, 12});
        changes.put("cde", null);
        final long before = System.currentTimeMillis();
        final CheckpointInfo info = CheckpointTestSupport.writeDelta(dir, parent, 9, 123, changes, CheckpointCompression.ZSTD, 8192);
        final byte[] file = Files.readAllBytes(info.path());
        final UnsafeBuffer b = new UnsafeBuffer(file);

        assertEquals("ENGRMCKP", new String(file, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(1, b.getInt(8, LITTLE_ENDIAN));
        assertEquals(3, b.getInt(12, LITTLE_ENDIAN));                 // delta | compressed
        assertEquals(9, b.getLong(16, LITTLE_ENDIAN));
        assertEquals(5, b.getLong(24, LITTLE_ENDIAN));
        assertEquals(5, b.getLong(32, LITTLE_ENDIAN));
        assertEquals(1, b.getInt(40, LITTLE_ENDIAN));
        assertEquals(0, b.getInt(44, LITTLE_ENDIAN));
        assertEquals(123, b.getLong(48, LITTLE_ENDIAN));
        assertEquals(99, b.getLong(56, LITTLE_ENDIAN));
        assertEquals(124, b.getLong(64, LITTLE_ENDIAN));
        assertEquals(2, b.getLong(72, LITTLE_ENDIAN));
        final long created = b.getLong(80, LITTLE_ENDIAN);
        assertTrue(created >= before - 1000 && created <= System.currentTimeMillis() + 1000, "created=" + created);
        assertEquals(1, b.getByte(88));
        assertEquals(CheckpointWriterContext.ZSTD_LEVEL_DEFAULT, b.getByte(89));
        assertEquals(8192, b.getInt(92, LITTLE_ENDIAN));
        for (int i = 96; i < 124; i++)
        {
            assertEquals(0, file[i], "no journal hint given: header byte " + i);
        }
        assertEquals(crc(file, 0, 124), b.getInt(124, LITTLE_ENDIAN));

        // one tiny block: zstd cannot shrink it, so it is stored raw
        final int f = file.length - 128;
        assertEquals("ENGRMFTR", new String(file, f, 8, StandardCharsets.US_ASCII));
        assertEquals(1, b.getLong(f + 8, LITTLE_ENDIAN));
        final long tableOffset = b.getLong(f + 16, LITTLE_ENDIAN);
        final long indexOffset = b.getLong(f + 24, LITTLE_ENDIAN);
        assertEquals(4, b.getLong(f + 32, LITTLE_ENDIAN));
        assertEquals(2, b.getLong(f + 40, LITTLE_ENDIAN));
        assertEquals(1, b.getLong(f + 48, LITTLE_ENDIAN));
        assertEquals(3, b.getLong(f + 56, LITTLE_ENDIAN));
        assertArrayEquals(info.merkleRoot(), Arrays.copyOfRange(file, f + 64, f + 96));
        assertEquals(9, b.getLong(f + 96, LITTLE_ENDIAN));
        assertEquals(5, b.getLong(f + 104, LITTLE_ENDIAN));
        assertEquals(crc(file, (int)tableOffset, 32), b.getInt(f + 112, LITTLE_ENDIAN));
        assertEquals(crc(file, (int)indexOffset, 4 * 16), b.getInt(f + 116, LITTLE_ENDIAN));
        assertEquals(0, b.getInt(f + 120, LITTLE_ENDIAN));
        assertEquals(crc(file, f, 124), b.getInt(f + 124, LITTLE_ENDIAN));

        // data block 0 at 128: "ab" then the tombstone "cde"
        final int entry1 = 8 + 2 + 3;
        final int entry2 = 8 + 3;
        assertEquals(128 + entry1 + entry2, tableOffset);
        assertEquals(2, b.getShort(128, LITTLE_ENDIAN));
        assertEquals(0, b.getByte(130));
        assertEquals(0, b.getByte(131));
        assertEquals(3, b.getInt(132, LITTLE_ENDIAN));
        assertEquals("ab", new String(file, 136, 2, StandardCharsets.UTF_8));
        assertArrayEquals(new byte[] {10, 11, 12}, Arrays.copyOfRange(file, 138, 141));
        assertEquals(3, b.getShort(141, LITTLE_ENDIAN));
        assertEquals(1, b.getByte(143));
        assertEquals(0, b.getInt(145, LITTLE_ENDIAN));
        assertEquals("cde", new String(file, 149, 3, StandardCharsets.UTF_8));

        // block table row 0
        final int t = (int)tableOffset;
        assertEquals(128, b.getLong(t, LITTLE_ENDIAN));
        assertEquals(entry1 + entry2, b.getInt(t + 8, LITTLE_ENDIAN));
        assertEquals(entry1 + entry2, b.getInt(t + 12, LITTLE_ENDIAN));
        assertEquals(crc(file, 128, entry1 + entry2), b.getInt(t + 16, LITTLE_ENDIAN));
        assertEquals(2, b.getInt(t + 20, LITTLE_ENDIAN));
        assertEquals(0, b.getByte(t + 24));
        assertEquals(t + 32, indexOffset);

        // index: each key at its hash's home slot (or the next one), pointing at its entry
        assertSlot(b, (int)indexOffset, 4, "ab", InFileIndexDescriptor.location(0, 0));
        assertSlot(b, (int)indexOffset, 4, "cde", InFileIndexDescriptor.location(0, entry1));
        assertEquals(indexOffset + 64, f);
    }

    private static void assertSlot(final UnsafeBuffer b, final int indexOffset, final int slots, final String key, final long location)
    {
        final byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        final long hash = KeyHash.hash(bytes, 0, bytes.length);
        long slot = hash & (slots - 1);
        while (b.getLong(indexOffset + (int)slot * 16, LITTLE_ENDIAN) != hash)
        {
            assertNotEquals(0, b.getLong(indexOffset + (int)slot * 16, LITTLE_ENDIAN), "reached an empty slot looking for " + key);
            slot = (slot + 1) & (slots - 1);
        }
        assertEquals(location, b.getLong(indexOffset + (int)slot * 16 + 8, LITTLE_ENDIAN));
    }

    private static int crc(final byte[] bytes, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int)crc.getValue();
    }
}
