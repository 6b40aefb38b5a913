package dev.engram.recovery.internal.checkpoint;

import dev.engram.recovery.CheckpointCompression;
import dev.engram.recovery.CheckpointCorruptionException;
import dev.engram.recovery.CheckpointException;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.UnsupportedCheckpointFormatException;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import static dev.engram.recovery.internal.checkpoint.CheckpointTestSupport.*;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Damage anywhere in a checkpoint is detected at open or on first use of the damaged block, with an
 * exception naming the file and offset, and never turns into wrong data.
 */
class CheckpointCorruptionTest
{
    @TempDir
    Path dir;

    private TreeMap<String, byte[]> state;
    private CheckpointInfo info;
    private byte[] original;

    private void writeSmallCheckpoint(final CheckpointCompression compression, final long seed) throws IOException
    {
        final Random random = new Random(seed);
        state = randomState(random, 60, 1, 5000);
        info = writeFull(dir, 1, 7, state, compression, 4096);
        original = Files.readAllBytes(info.path());
    }

    private Path damagedCopy(final byte[] bytes) throws IOException
    {
        final Path damaged = dir.resolve("damaged").resolve(CheckpointFiles.checkpointFileName(1));
        Files.createDirectories(damaged.getParent());
        Files.write(damaged, bytes);
        return damaged;
    }

    private long footer(final int fieldOffset)
    {
        return new UnsafeBuffer(original).getLong(original.length - 128 + fieldOffset, LITTLE_ENDIAN);
    }

    @ParameterizedTest
    @EnumSource(CheckpointCompression.class)
    void shouldDetectEverySingleByteFlipAtOpenOrOnFirstUseAndNeverServeWrongData(final CheckpointCompression compression)
        throws IOException
    {
        writeSmallCheckpoint(compression, seed());
        assertTrue(original.length > 8 * 1024 && original.length < 64 * 1024, "length=" + original.length);
        int atOpen = 0;
        int onUse = 0;
        for (int i = 0; i < original.length; i++)
        {
            final byte[] bytes = original.clone();
            bytes[i] ^= (byte)(1 << (i % 8));
            final Path damaged = damagedCopy(bytes);
            final MappedCheckpoint checkpoint;
            try
            {
                checkpoint = MappedCheckpoint.open(damaged);
            }
            catch (final CheckpointException ex)
            {
                assertTrue(ex.getMessage().contains(damaged.toString()), ex.getMessage());
                atOpen++;
                continue;
            }
            try (checkpoint)
            {
                boolean detected = false;
                final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
                for (final Map.Entry<String, byte[]> e : state.entrySet())
                {
                    try
                    {
                        assertEquals(LookupStatus.FOUND, checkpoint.lookup(e.getKey(), view), "flip at " + i);
                        assertArrayEquals(e.getValue(), bytes(view), "wrong data served after a flip at " + i);
                    }
                    catch (final CheckpointCorruptionException ex)
                    {
                        assertTrue(ex.getMessage().contains("block"), ex.getMessage());
                        detected = true;
                    }
                }
                assertTrue(detected, "flip at byte " + i + " of " + original.length + " went unnoticed");
                assertThrows(CheckpointCorruptionException.class, checkpoint::verifyAllBlocks);
                onUse++;
            }
        }
        final long dataEnd = footer(CheckpointFooterDescriptor.BLOCK_TABLE_OFFSET_OFFSET);
        assertEquals(dataEnd - 128, onUse, "exactly the data-block bytes are found on first use");
        assertEquals(original.length - onUse, atOpen);
    }

    @Test
    void shouldNameTheHeaderWhenAHeaderByteIsFlipped() throws IOException
    {
        writeSmallCheckpoint(CheckpointCompression.NONE, seed());
        final byte[] bytes = original.clone();
        bytes[CheckpointHeaderDescriptor.STATE_VERSION_OFFSET] ^= 1;
        final Path damaged = damagedCopy(bytes);
        final CheckpointCorruptionException ex = assertThrows(CheckpointCorruptionException.class, () -> MappedCheckpoint.open(damaged));
        assertEquals(CheckpointHeaderDescriptor.HEADER_CRC_OFFSET, ex.offset());
        assertEquals(damaged.toString(), ex.file());
        assertTrue(ex.what().contains("header CRC32C"), ex.getMessage());
        assertThrows(CheckpointCorruptionException.class, () -> CheckpointFileChecks.readInfo(damaged));
    }

    @Test
    void shouldNameTheFooterBlockTableAndIndexWhenTheirBytesAreFlipped() throws IOException
    {
        writeSmallCheckpoint(CheckpointCompression.ZSTD, seed());
        final long footerOffset = original.length - 128;
        final long tableOffset = footer(CheckpointFooterDescriptor.BLOCK_TABLE_OFFSET_OFFSET);
        final long indexOffset = footer(CheckpointFooterDescriptor.INDEX_OFFSET_OFFSET);

        byte[] bytes = original.clone();
        bytes[(int)footerOffset + CheckpointFooterDescriptor.ENTRY_COUNT_OFFSET] ^= 1;
        Path damaged = damagedCopy(bytes);
        CheckpointCorruptionException ex = assertThrows(CheckpointCorruptionException.class, () -> MappedCheckpoint.open(dirFile()));
        assertEquals(footerOffset + CheckpointFooterDescriptor.FOOTER_CRC_OFFSET, ex.offset());

        bytes = original.clone();
        bytes[(int)tableOffset + 32 + BlockTableDescriptor.CRC_OFFSET] ^= 1;
        damaged = damagedCopy(bytes);
        ex = assertThrows(CheckpointCorruptionException.class, () -> MappedCheckpoint.open(dirFile()));
        assertEquals(tableOffset, ex.offset());
        assertTrue(ex.what().contains("block table CRC32C"), ex.getMessage());

        bytes = original.clone();
        bytes[(int)indexOffset + 5] ^= 1;
        damaged = damagedCopy(bytes);
        ex = assertThrows(CheckpointCorruptionException.class, () -> MappedCheckpoint.open(dirFile()));
        assertEquals(indexOffset, ex.offset());
        assertTrue(ex.what().contains("index CRC32C"), ex.getMessage());
        assertEquals(damaged.toString(), ex.file());
    }

    private Path dirFile()
    {
        return dir.resolve("damaged").resolve(CheckpointFiles.checkpointFileName(1));
    }

    @Test
    void shouldOpenButRefuseTheDamagedBlockWhenADataByteIsFlipped() throws IOException
    {
        writeSmallCheckpoint(CheckpointCompression.NONE, seed());
        final byte[] bytes = original.clone();
        final long secondBlockOffset;
        try (MappedCheckpoint checkpoint = MappedCheckpoint.open(info.path()))
        {
            assertTrue(checkpoint.blockCount() >= 3);
        }
        final UnsafeBuffer table = new UnsafeBuffer(original);
        final int tableOffset = (int)footer(CheckpointFooterDescriptor.BLOCK_TABLE_OFFSET_OFFSET);
        secondBlockOffset = table.getLong(tableOffset + 32, LITTLE_ENDIAN);
        bytes[(int)secondBlockOffset + 20] ^= 0x40;
        final Path damaged = damagedCopy(bytes);
        try (MappedCheckpoint checkpoint = MappedCheckpoint.open(damaged))
        {
            final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
            int good = 0;
            CheckpointCorruptionException failure = null;
            for (final Map.Entry<String, byte[]> e : state.entrySet())
            {
                try
                {
                    assertEquals(LookupStatus.FOUND, checkpoint.lookup(e.getKey(), view));
                    assertArrayEquals(e.getValue(), bytes(view));
                    good++;
                }
                catch (final CheckpointCorruptionException ex)
                {
                    failure = ex;
                }
            }
            assertNotNull(failure);
            assertEquals(secondBlockOffset, failure.offset());
            assertTrue(failure.what().startsWith("block 1 CRC32C mismatch"), failure.getMessage());
            assertTrue(good > 0, "keys in undamaged blocks are still served");
            final CheckpointCorruptionException ex = assertThrows(CheckpointCorruptionException.class, checkpoint::verifyAllBlocks);
            assertEquals(secondBlockOffset, ex.offset());
        }
    }

    @Test
    void shouldRefuseATruncatedFileAtOpenWhereverItIsCut() throws IOException
    {
        final long seed = seed();
        writeSmallCheckpoint(CheckpointCompression.ZSTD, seed);
        final Random random = new Random(seed);
        for (int i = 0; i < 200; i++)
        {
            final int length = i < 3 ? new int[] {0, 100, original.length - 1}[i] : random.nextInt(original.length);
            final Path damaged = damagedCopy(java.util.Arrays.copyOf(original, length));
            final CheckpointCorruptionException ex =
                assertThrows(CheckpointCorruptionException.class, () -> MappedCheckpoint.open(damaged), "cut at " + length);
            assertEquals(damaged.toString(), ex.file());
        }
        // a file extended with junk loses its footer too
        final byte[] longer = java.util.Arrays.copyOf(original, original.length + 16);
        final Path damaged = damagedCopy(longer);
        assertThrows(CheckpointCorruptionException.class, () -> MappedCheckpoint.open(damaged));
    }

    @Test
    void shouldRefuseANewerFormatVersionNamingTheFile() throws IOException
    {
        writeSmallCheckpoint(CheckpointCompression.NONE, seed());
        final byte[] bytes = original.clone();
        final UnsafeBuffer header = new UnsafeBuffer(bytes);
        header.putInt(CheckpointHeaderDescriptor.FORMAT_VERSION_OFFSET, 3, LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, CheckpointHeaderDescriptor.HEADER_CRC_OFFSET);
        header.putInt(CheckpointHeaderDescriptor.HEADER_CRC_OFFSET, (int)crc.getValue(), LITTLE_ENDIAN);
        final Path damaged = damagedCopy(bytes);
        final UnsupportedCheckpointFormatException ex =
            assertThrows(UnsupportedCheckpointFormatException.class, () -> MappedCheckpoint.open(damaged));
        assertEquals(3, ex.formatVersion());
        assertTrue(ex.getMessage().contains(damaged.toString()) && ex.getMessage().contains("reads up to 2"), ex.getMessage());
        assertThrows(UnsupportedCheckpointFormatException.class, () -> CheckpointFileChecks.readInfo(damaged));
    }

    @Test
    void shouldDetectABadBlockWhenTheFileChangesUnderAnOpenMapping() throws IOException
    {
        writeSmallCheckpoint(CheckpointCompression.ZSTD, seed());
        try (MappedCheckpoint checkpoint = MappedCheckpoint.open(info.path()))
        {
            try (FileChannel channel = FileChannel.open(info.path(), StandardOpenOption.WRITE))
            {
                channel.write(java.nio.ByteBuffer.wrap(new byte[] {(byte)(original[200] ^ 0xFF)}), 200);
            }
            final CheckpointCorruptionException ex = assertThrows(CheckpointCorruptionException.class, checkpoint::verifyAllBlocks);
            assertEquals(128, ex.offset());
        }
    }
}
