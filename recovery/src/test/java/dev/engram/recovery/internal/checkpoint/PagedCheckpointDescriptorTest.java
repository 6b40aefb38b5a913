package dev.engram.recovery.internal.checkpoint;

import dev.engram.recovery.CheckpointCompression;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.internal.chain.CheckpointChain;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Format 2 (docs/checkpoint-format.md, "Paged values"): every offset of a page map, page block rows and the format
 * version, as constants and in files the writer really produced; a delta's map names the base's unchanged pages.
 */
class PagedCheckpointDescriptorTest
{
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    @Test
    void shouldDeclareThePageMapOffsetsOfTheDiagram()
    {
        assertEquals(2, CheckpointHeaderDescriptor.FORMAT_VERSION_PAGED);
        assertEquals(4, CheckpointEntryDescriptor.FLAG_PAGED);
        assertEquals(2, BlockTableDescriptor.FLAG_PAGE);
        assertEquals(0, PageMapDescriptor.VALUE_LENGTH_OFFSET);
        assertEquals(8, PageMapDescriptor.PAGE_LENGTH_OFFSET);
        assertEquals(12, PageMapDescriptor.PAGE_COUNT_OFFSET);
        assertEquals(16, PageMapDescriptor.PAGES_OFFSET);
        assertEquals(8, PageMapDescriptor.PAGE_REF_LENGTH);
        assertEquals(0, PageMapDescriptor.REF_ORDINAL_OFFSET);
        assertEquals(4, PageMapDescriptor.REF_BLOCK_OFFSET);
        assertEquals(1024, PageMapDescriptor.MIN_PAGE_LENGTH);
        assertEquals(3, PageMapDescriptor.pageCount(2 * PAGE + 1, PAGE));
        assertEquals(1, PageMapDescriptor.pageLength(2 * PAGE + 1, PAGE, 2));
        assertEquals(16 + 3 * 8, PageMapDescriptor.mapLength(3));
        assertEquals(0x0000_0002_0000_0007L, PageMapDescriptor.ref(2, 7));
    }

    private static byte[] value(final int length, final int seed)
    {
        final byte[] bytes = new byte[length];
        final java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);
        }
        return bytes;
    }

    @Test
    void shouldStorePagesAndPageMapsAtTheirDocumentedOffsets() throws Exception
    {
        final byte[] big = value(2 * PAGE + 100, 1);   // 3 pages, the last one 100 bytes
        final UnsafeBuffer key = new UnsafeBuffer("w".getBytes());
        final CheckpointInfo full;
        try (CheckpointWriter writer = CheckpointWriter.create(new CheckpointWriterContext().directory(dir).checkpointId(1)
            .stateVersion(10).targetBlockLength(PAGE).compression(CheckpointCompression.NONE)))
        {
            writer.putPaged(key, 0, 1, new UnsafeBuffer(big), 0, big.length, PAGE, CheckpointWriter.PageReuse.NONE);
            full = writer.publish();
        }
        byte[] file = Files.readAllBytes(full.path());
        UnsafeBuffer b = new UnsafeBuffer(file);
        assertEquals(2, b.getInt(CheckpointHeaderDescriptor.FORMAT_VERSION_OFFSET, LITTLE_ENDIAN));
        int f = file.length - CheckpointFooterDescriptor.FOOTER_LENGTH;
        assertEquals(4, b.getLong(f + CheckpointFooterDescriptor.BLOCK_COUNT_OFFSET, LITTLE_ENDIAN));   // 3 pages + 1
        long table = b.getLong(f + CheckpointFooterDescriptor.BLOCK_TABLE_OFFSET_OFFSET, LITTLE_ENDIAN);
        long expectedOffset = CheckpointHeaderDescriptor.HEADER_LENGTH;
        for (int page = 0; page < 3; page++)
        {
            final int row = (int)table + page * BlockTableDescriptor.ROW_LENGTH;
            final int length = page < 2 ? PAGE : 100;
            assertEquals(expectedOffset, b.getLong(row, LITTLE_ENDIAN), "page " + page + " file offset");
            assertEquals(length, b.getInt(row + 8, LITTLE_ENDIAN), "stored length (raw file)");
            assertEquals(length, b.getInt(row + 12, LITTLE_ENDIAN), "raw length");
            assertEquals(crc(file, (int)expectedOffset, length), b.getInt(row + 16, LITTLE_ENDIAN), "CRC32C of the page");
            assertEquals(0, b.getInt(row + 20, LITTLE_ENDIAN), "a page block holds no entries");
            assertEquals(BlockTableDescriptor.FLAG_PAGE, b.getByte(row + 24));
            assertArrayEquals(Arrays.copyOfRange(big, page * PAGE, page * PAGE + length),
                Arrays.copyOfRange(file, (int)expectedOffset, (int)expectedOffset + length));
            expectedOffset += length;
        }
        // block 3: the entry, flag PAGED, its value the page map
        final int entry = (int)expectedOffset;
        assertEquals(1, b.getShort(entry, LITTLE_ENDIAN));
        assertEquals(CheckpointEntryDescriptor.FLAG_PAGED, b.getByte(entry + 2));
        assertEquals(16 + 3 * 8, b.getInt(entry + 4, LITTLE_ENDIAN));
        final int map = entry + 8 + 1;
        assertEquals(big.length, b.getLong(map, LITTLE_ENDIAN));
        assertEquals(PAGE, b.getInt(map + 8, LITTLE_ENDIAN));
        assertEquals(3, b.getInt(map + 12, LITTLE_ENDIAN));
        for (int page = 0; page < 3; page++)
        {
            assertEquals(0, b.getInt(map + 16 + page * 8, LITTLE_ENDIAN), "ordinal of page " + page);
            assertEquals(page, b.getInt(map + 20 + page * 8, LITTLE_ENDIAN), "block of page " + page);
        }
        assertEquals(1, b.getInt((int)table + 3 * 32 + 20, LITTLE_ENDIAN), "the entry block holds one entry");

        // a delta changing page 1 only: one page block, the map names the base's pages 0 and 2
        final byte[] changed = big.clone();
        changed[PAGE + 5] ^= 1;
        final CheckpointInfo delta;
        try (CheckpointWriter writer = CheckpointWriter.create(new CheckpointWriterContext().directory(dir).checkpointId(2)
            .stateVersion(11).targetBlockLength(PAGE).compression(CheckpointCompression.NONE).deltaOf(full)))
        {
            writer.putPaged(key, 0, 1, new UnsafeBuffer(changed), 0, changed.length, PAGE,
                page -> page == 1 ? -1 : PageMapDescriptor.ref(0, page));
            delta = writer.publish();
        }
        file = Files.readAllBytes(delta.path());
        b = new UnsafeBuffer(file);
        f = file.length - CheckpointFooterDescriptor.FOOTER_LENGTH;
        assertEquals(2, b.getLong(f + CheckpointFooterDescriptor.BLOCK_COUNT_OFFSET, LITTLE_ENDIAN));
        table = b.getLong(f + CheckpointFooterDescriptor.BLOCK_TABLE_OFFSET_OFFSET, LITTLE_ENDIAN);
        assertEquals(BlockTableDescriptor.FLAG_PAGE, b.getByte((int)table + 24));
        final int deltaMap = CheckpointHeaderDescriptor.HEADER_LENGTH + PAGE + 8 + 1;
        assertEquals(0, b.getInt(deltaMap + 16, LITTLE_ENDIAN));
        assertEquals(0, b.getInt(deltaMap + 20, LITTLE_ENDIAN));
        assertEquals(1, b.getInt(deltaMap + 24, LITTLE_ENDIAN), "page 1 is in the delta (ordinal 1)");
        assertEquals(0, b.getInt(deltaMap + 28, LITTLE_ENDIAN), "its block 0");
        assertEquals(0, b.getInt(deltaMap + 32, LITTLE_ENDIAN));
        assertEquals(2, b.getInt(deltaMap + 36, LITTLE_ENDIAN));

        try (CheckpointChain chain = CheckpointChain.open(dir, 2))
        {
            final UnsafeBuffer view = new UnsafeBuffer(0, 0);
            assertEquals(LookupStatus.FOUND, chain.get("w", view));
            final byte[] read = new byte[view.capacity()];
            view.getBytes(0, read);
            assertArrayEquals(changed, read);
            // the base alone still reads the old value; one file read on its own serves a map naming only itself
            assertEquals(LookupStatus.FOUND, chain.checkpoint(0).lookup("w", view));
            final byte[] old = new byte[view.capacity()];
            view.getBytes(0, old);
            assertArrayEquals(big, old);
        }
    }

    private static int crc(final byte[] bytes, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int)crc.getValue();
    }
}
