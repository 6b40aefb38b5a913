package dev.engram.recovery.internal.checkpoint;

import dev.engram.recovery.CheckpointInfo;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A checkpoint larger than 2 GiB (4 values of 600 MiB written from one reused buffer, plus small keys
 * after them), read back through a mapping that a {@code MappedByteBuffer} could not make. Writes about
 * 2.4 GiB (about 10 s on a 2-core machine) and deletes it afterwards; {@code -Dengram.test.large=false}
 * skips it.
 */
@DisabledIfSystemProperty(named = "engram.test.large", matches = "false")
class LargeCheckpointTest
{
    private static final int VALUE_LENGTH = 600 << 20;
    private static final int VALUES = 4;

    @TempDir
    Path dir;

    @Test
    void shouldReadValuesLocatedBeyondTwoGibWhenTheFileIsLargerThanAMappedByteBufferCanMap() throws Exception
    {
        final ByteBuffer source = ByteBuffer.allocateDirect(VALUE_LENGTH);
        final UnsafeBuffer value = new UnsafeBuffer(source);
        final long writeStart = System.nanoTime();
        final CheckpointInfo info;
        try (CheckpointWriter writer = CheckpointWriter.create(new CheckpointWriterContext().directory(dir).checkpointId(1).stateVersion(4)))
        {
            for (int i = 0; i < VALUES; i++)
            {
                stamp(value, i);
                writer.put("big/" + i, value, 0, VALUE_LENGTH);
            }
            for (int i = 0; i < 1000; i++)
            {
                writer.put("tail/" + i, new byte[] {(byte)i, (byte)(i >> 8)});
            }
            info = writer.publish();
        }
        final long writeNs = System.nanoTime() - writeStart;
        BufferUtil.free(source);
        try
        {
            assertTrue(info.fileLength() > (2L << 30) + (300L << 20), "fileLength=" + info.fileLength());
            final long openStart = System.nanoTime();
            try (MappedCheckpoint checkpoint = MappedCheckpoint.open(info.path()))
            {
                final long openNs = System.nanoTime() - openStart;
                final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
                final long lookupStart = System.nanoTime();
                assertEquals(LookupStatus.FOUND, checkpoint.lookup("big/3", view));
                final long firstLookupNs = System.nanoTime() - lookupStart;
                final long address = view.addressOffset();
                assertEquals(VALUE_LENGTH, view.capacity());
                // block i holds big/i alone: it starts at 128 + i * (entry length); the value of big/3 ends
                // past 2 GiB, and every tail key lies wholly beyond it
                final long entryLength = 8 + 5 + VALUE_LENGTH;
                final long big3ValueEnd = 128 + 3 * entryLength + entryLength;
                assertTrue(big3ValueEnd > (2L << 30) + (300L << 20), "big/3 ends at " + big3ValueEnd);
                assertEquals(3, view.getLong(0, LITTLE_ENDIAN));
                assertEquals(3 * 31L, view.getLong(VALUE_LENGTH / 2, LITTLE_ENDIAN));
                assertEquals(3 * 7L, view.getLong(VALUE_LENGTH - 8, LITTLE_ENDIAN));
                assertEquals(0, view.getLong(VALUE_LENGTH / 4, LITTLE_ENDIAN));
                for (int i = 0; i < 1000; i += 97)
                {
                    assertEquals(LookupStatus.FOUND, checkpoint.lookup("tail/" + i, view));
                    assertEquals((byte)i, view.getByte(0));
                }
                assertEquals(LookupStatus.FOUND, checkpoint.lookup("big/0", view));
                assertEquals(0, view.getLong(VALUE_LENGTH - 8, LITTLE_ENDIAN));
                assertEquals(LookupStatus.FOUND, checkpoint.lookup("big/3", view));
                assertEquals(address, view.addressOffset());
                final long verifyNs;
                try (MappedCheckpoint fresh = MappedCheckpoint.open(info.path()))
                {
                    final long verifyStart = System.nanoTime();
                    assertEquals(fresh.blockCount(), fresh.verifyAllBlocks());
                    verifyNs = System.nanoTime() - verifyStart;
                }
                System.out.printf("large checkpoint: file=%d bytes write+publish=%.1f s (%.0f MB/s) open=%.2f ms " +
                        "first lookup of big/3 (600 MiB CRC)=%.0f ms verifyAllBlocks=%.1f s%n",
                    info.fileLength(), writeNs / 1e9, info.fileLength() / 1e6 / (writeNs / 1e9), openNs / 1e6,
                    firstLookupNs / 1e6, verifyNs / 1e9);
            }
        }
        finally
        {
            Files.deleteIfExists(info.path());
        }
    }

    private static void stamp(final UnsafeBuffer value, final int i)
    {
        value.putLong(0, i, LITTLE_ENDIAN);
        value.putLong(VALUE_LENGTH / 2, i * 31L, LITTLE_ENDIAN);
        value.putLong(VALUE_LENGTH - 8, i * 7L, LITTLE_ENDIAN);
    }
}
