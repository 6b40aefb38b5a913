package dev.engram.journal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static dev.engram.journal.DeltaFrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every offset the frame diagram names, checked on a frame the journal really stored.
 */
class DeltaFrameDescriptorTest
{
    @TempDir
    Path dir;

    @Test
    void shouldDeclareTheOffsetsOfTheDiagram()
    {
        assertEquals(0, FRAME_LENGTH_OFFSET);
        assertEquals(4, FORMAT_VERSION_OFFSET);
        assertEquals(5, FLAGS_OFFSET);
        assertEquals(6, OP_COUNT_OFFSET);
        assertEquals(8, VERSION_OFFSET);
        assertEquals(16, TIMESTAMP_OFFSET);
        assertEquals(24, HEADER_LENGTH);
        assertEquals(28, MIN_FRAME_LENGTH);
        assertEquals(0, OP_TYPE_OFFSET);
        assertEquals(1, OP_RESERVED_OFFSET);
        assertEquals(2, OP_KEY_LENGTH_OFFSET);
        assertEquals(4, OP_DATA_LENGTH_OFFSET);
        assertEquals(8, OP_PATCH_OFFSET_OFFSET);
        assertEquals(8, OP_HEADER_LENGTH);
        assertEquals(16, PATCH_OP_HEADER_LENGTH);
        assertEquals(1, OpType.PUT.code());
        assertEquals(2, OpType.DELETE.code());
        assertEquals(3, OpType.PATCH.code());
        assertEquals(44, TRIM_FRAME_LENGTH);
    }

    @Test
    void shouldStoreEveryFieldAtItsDocumentedOffset()
    {
        final byte[] stored;
        final long before = System.currentTimeMillis();
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final Delta delta = journal.newDelta()
                .put("ab", new byte[] {10, 11, 12})
                .delete("cde")
                .patch("f", 0x05060708L, new byte[] {7, 8});
            final long version = journal.append(delta);
            assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
            final byte[][] holder = new byte[1][];
            try (JournalReader reader = journal.newReader())
            {
                reader.replay(1, f ->
                {
                    holder[0] = new byte[f.frameLength()];
                    f.buffer().getBytes(0, holder[0]);
                });
            }
            stored = holder[0];
        }
        final UnsafeBuffer b = new UnsafeBuffer(stored);
        final int put = 8 + 2 + 3;
        final int delete = 8 + 3;
        final int patch = 16 + 1 + 2;
        final int length = HEADER_LENGTH + put + delete + patch + CRC_LENGTH;
        assertEquals(length, stored.length);
        assertEquals(length, b.getInt(0, ByteOrder.LITTLE_ENDIAN));
        assertEquals(1, b.getByte(4));
        assertEquals(0, b.getByte(5));
        assertEquals(3, b.getShort(6, ByteOrder.LITTLE_ENDIAN));
        assertEquals(1L, b.getLong(8, ByteOrder.LITTLE_ENDIAN));
        final long timestampMs = b.getLong(16, ByteOrder.LITTLE_ENDIAN) / 1_000_000L;
        assertTrue(timestampMs >= before - 1000 && timestampMs <= System.currentTimeMillis() + 1000, "timestamp=" + timestampMs);

        int p = 24;
        assertEquals(1, b.getByte(p));              // PUT
        assertEquals(0, b.getByte(p + 1));
        assertEquals(2, b.getShort(p + 2, ByteOrder.LITTLE_ENDIAN));
        assertEquals(3, b.getInt(p + 4, ByteOrder.LITTLE_ENDIAN));
        assertEquals("ab", new String(stored, p + 8, 2, StandardCharsets.UTF_8));
        assertArrayEquals(new byte[] {10, 11, 12}, java.util.Arrays.copyOfRange(stored, p + 10, p + 13));
        p += put;
        assertEquals(2, b.getByte(p));              // DELETE
        assertEquals(3, b.getShort(p + 2, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0, b.getInt(p + 4, ByteOrder.LITTLE_ENDIAN));
        assertEquals("cde", new String(stored, p + 8, 3, StandardCharsets.UTF_8));
        p += delete;
        assertEquals(3, b.getByte(p));              // PATCH
        assertEquals(1, b.getShort(p + 2, ByteOrder.LITTLE_ENDIAN));
        assertEquals(2, b.getInt(p + 4, ByteOrder.LITTLE_ENDIAN));
        assertEquals(0x05060708L, b.getLong(p + 8, ByteOrder.LITTLE_ENDIAN));
        assertEquals("f", new String(stored, p + 16, 1, StandardCharsets.UTF_8));
        assertArrayEquals(new byte[] {7, 8}, java.util.Arrays.copyOfRange(stored, p + 17, p + 19));
        p += patch;
        assertEquals(length - 4, p);
        final CRC32C crc = new CRC32C();
        crc.update(stored, 0, length - 4);
        assertEquals((int)crc.getValue(), b.getInt(p, ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void shouldRejectAFrameWhoseAnyByteIsFlipped()
    {
        final Delta delta = new Delta().put("key", new byte[] {1, 2, 3}).patch("p", 5, new byte[] {9});
        final int length = delta.frameLength();
        final UnsafeBuffer frameBuffer = new UnsafeBuffer(new byte[length]);
        frameBuffer.putInt(FRAME_LENGTH_OFFSET, length);
        frameBuffer.putByte(FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        frameBuffer.putShort(OP_COUNT_OFFSET, (short)delta.opCount());
        frameBuffer.putLong(VERSION_OFFSET, 42);
        delta.copyOpsTo(frameBuffer, HEADER_LENGTH);
        final CRC32C crc = new CRC32C();
        crc.update(frameBuffer.byteArray(), 0, length - 4);
        frameBuffer.putInt(crcOffset(length), (int)crc.getValue());

        final DeltaFrame frame = new DeltaFrame();
        assertEquals(DeltaFrame.Check.OK, frame.wrap(frameBuffer, 0, length).verify());
        for (int i = 0; i < length; i++)
        {
            final byte original = frameBuffer.getByte(i);
            frameBuffer.putByte(i, (byte)(original ^ 0x20));
            assertNotEquals(DeltaFrame.Check.OK, frame.wrap(frameBuffer, 0, length).verify(), "flip at byte " + i);
            frameBuffer.putByte(i, original);
        }
        assertEquals(DeltaFrame.Check.TOO_SHORT, frame.wrap(frameBuffer, 0, 10).verify());
        assertEquals(DeltaFrame.Check.BAD_LENGTH, frame.wrap(frameBuffer, 0, length - 1).verify());
    }
}
