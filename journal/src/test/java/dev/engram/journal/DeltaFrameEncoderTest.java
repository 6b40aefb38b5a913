package dev.engram.journal;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static dev.engram.journal.DeltaFrameDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Frames written by {@link DeltaFrameEncoder} read back by {@link DeltaFrame} (verify, fields, ops) and found at the
 * offsets {@link DeltaFrameDescriptor} names, on the heap and in native memory at an offset (as in a ring slot).
 */
class DeltaFrameEncoderTest
{
    private static final long TIMESTAMP_NS = 1_765_000_000_123_456_789L;

    @TempDir
    Path dir;

    private final FrameChecksum checksum = new FrameChecksum();
    private final DeltaFrame frame = new DeltaFrame();

    private static Delta sampleDelta()
    {
        return new Delta()
            .put("ab", new byte[] {10, 11, 12})
            .delete("cde")
            .patch("f", 0x05060708L, new byte[] {7, 8});
    }

    @Test
    void shouldEncodeADeltaFrameThatDeltaFrameReadsBackOnTheHeap()
    {
        final Delta delta = sampleDelta();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[delta.frameLength()]);
        assertDeltaFrame(buffer, 0, delta, 42);
    }

    @Test
    void shouldEncodeADeltaFrameThatDeltaFrameReadsBackInNativeMemoryAtAnOffset()
    {
        final Delta delta = sampleDelta();
        final int offset = 64;
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(offset + delta.frameLength() + 64));
        assertDeltaFrame(buffer, offset, delta, 7);
    }

    private void assertDeltaFrame(final UnsafeBuffer buffer, final int offset, final Delta delta, final long version)
    {
        final int length = delta.frameLength();
        assertEquals(length, DeltaFrameEncoder.encodeDelta(buffer, offset, delta, length, version));
        assertEquals(0L, buffer.getLong(offset + TIMESTAMP_OFFSET), "the producer leaves the timestamp to the seal");
        assertEquals(DeltaFrame.Check.BAD_CHECKSUM, frame.wrap(buffer, offset, length).verify(), "not sealed yet");

        DeltaFrameEncoder.seal(buffer, offset, length, TIMESTAMP_NS, checksum);

        assertEquals(DeltaFrame.Check.OK, frame.wrap(buffer, offset, length).verify());
        assertEquals(length, frame.frameLength());
        assertEquals(FORMAT_VERSION, frame.formatVersion());
        assertEquals(0, frame.flags());
        assertFalse(frame.isTrim());
        assertEquals(version, frame.version());
        assertEquals(TIMESTAMP_NS, frame.timestampEpochNs());
        assertEquals(3, frame.opCount());
        final List<JournalTestSupport.Op> ops = JournalTestSupport.decode(frame).ops();
        assertEquals(3, ops.size());
        assertOp(ops.get(0), OpType.PUT, "ab", 0, new byte[] {10, 11, 12});
        assertOp(ops.get(1), OpType.DELETE, "cde", 0, new byte[0]);
        assertOp(ops.get(2), OpType.PATCH, "f", 0x05060708L, new byte[] {7, 8});

        // the descriptor's offsets, little-endian, as a reader in another language would find them
        assertEquals(length, buffer.getInt(offset + FRAME_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(FORMAT_VERSION, buffer.getByte(offset + FORMAT_VERSION_OFFSET));
        assertEquals(0, buffer.getByte(offset + FLAGS_OFFSET));
        assertEquals(3, buffer.getShort(offset + OP_COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(version, buffer.getLong(offset + VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(TIMESTAMP_NS, buffer.getLong(offset + TIMESTAMP_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertArrayEquals(bytes(delta.opsBuffer(), 0, delta.opsLength()), bytes(buffer, offset + HEADER_LENGTH, delta.opsLength()),
            "the ops follow the header as the delta encoded them");
        assertEquals(crc32c(buffer, offset, length - CRC_LENGTH),
            buffer.getInt(offset + crcOffset(length), ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void shouldEncodeATrimFrameThatDeltaFrameReadsBack()
    {
        final int offset = 8;
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[offset + TRIM_FRAME_LENGTH]);
        final long firstIndex = 0x0004_0000_0000_0011L;
        final long lastIndex = 0x0004_0000_0000_0019L;

        DeltaFrameEncoder.encodeTrim(buffer, offset, 1234, firstIndex, lastIndex, TIMESTAMP_NS, checksum);

        assertEquals(DeltaFrame.Check.OK, frame.wrap(buffer, offset, TRIM_FRAME_LENGTH).verify());
        assertTrue(frame.isTrim());
        assertEquals(FLAG_TRIM, frame.flags());
        assertEquals(TRIM_FRAME_LENGTH, frame.frameLength());
        assertEquals(FORMAT_VERSION, frame.formatVersion());
        assertEquals(1234, frame.version());
        assertEquals(0, frame.opCount());
        assertEquals(TIMESTAMP_NS, frame.timestampEpochNs());
        assertEquals(firstIndex, frame.trimFirstIndex());
        assertEquals(lastIndex, frame.trimLastIndex());
        assertFalse(frame.nextOp());

        assertEquals(TRIM_FRAME_LENGTH, buffer.getInt(offset + FRAME_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(FLAG_TRIM, buffer.getByte(offset + FLAGS_OFFSET));
        assertEquals(1234, buffer.getLong(offset + VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(firstIndex, buffer.getLong(offset + TRIM_FIRST_INDEX_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(lastIndex, buffer.getLong(offset + TRIM_LAST_INDEX_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(crc32c(buffer, offset, TRIM_FRAME_LENGTH - CRC_LENGTH),
            buffer.getInt(offset + crcOffset(TRIM_FRAME_LENGTH), ByteOrder.LITTLE_ENDIAN));
    }

    @Test
    void shouldLeaveAnAbortedFrameWhenTheDeltaDoesNotFit()
    {
        assumeTrue(UnsafeBuffer.SHOULD_BOUNDS_CHECK, "the failed copy is Agrona's bounds check");
        final Delta delta = sampleDelta();
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MIN_FRAME_LENGTH + 1]);   // the ops do not fit

        assertThrows(IndexOutOfBoundsException.class,
            () -> DeltaFrameEncoder.encodeDelta(buffer, 0, delta, delta.frameLength(), 99));
        DeltaFrameEncoder.seal(buffer, 0, MIN_FRAME_LENGTH, TIMESTAMP_NS, checksum);

        assertAborted(frame.wrap(buffer, 0, MIN_FRAME_LENGTH), 99);
    }

    @Test
    void shouldEncodeAnAbortedFrameOnTheHeap()
    {
        final byte[] aborted = DeltaFrameEncoder.abortedFrame(5);
        assertEquals(MIN_FRAME_LENGTH, aborted.length);
        final UnsafeBuffer buffer = new UnsafeBuffer(aborted);
        DeltaFrameEncoder.seal(buffer, 0, MIN_FRAME_LENGTH, TIMESTAMP_NS, checksum);

        assertAborted(frame.wrap(buffer, 0, MIN_FRAME_LENGTH), 5);
        assertEquals(FLAG_ABORTED, buffer.getByte(FLAGS_OFFSET));
        assertEquals(0, buffer.getShort(OP_COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN));
    }

    private static void assertAborted(final DeltaFrame aborted, final long version)
    {
        assertEquals(DeltaFrame.Check.OK, aborted.verify());
        assertEquals(FLAG_ABORTED, aborted.flags());
        assertFalse(aborted.isTrim());
        assertEquals(MIN_FRAME_LENGTH, aborted.frameLength());
        assertEquals(version, aborted.version());
        assertEquals(0, aborted.opCount());
        assertFalse(aborted.nextOp());
    }

    @Test
    void shouldEncodeTheBytesTheJournalStores()
    {
        final Delta delta = sampleDelta();
        final byte[] stored;
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final long version = journal.append(delta);
            assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
            final byte[][] holder = new byte[1][];
            try (JournalReader reader = journal.newReader())
            {
                reader.replay(1, f -> holder[0] = bytes(f.buffer(), 0, f.frameLength()));
            }
            stored = holder[0];
        }
        final UnsafeBuffer encoded = new UnsafeBuffer(new byte[delta.frameLength()]);
        DeltaFrameEncoder.encodeDelta(encoded, 0, delta, delta.frameLength(), 1);
        DeltaFrameEncoder.seal(encoded, 0, delta.frameLength(),
            new UnsafeBuffer(stored).getLong(TIMESTAMP_OFFSET, ByteOrder.LITTLE_ENDIAN), checksum);

        assertArrayEquals(stored, encoded.byteArray());
    }

    private static void assertOp(final JournalTestSupport.Op op, final OpType type, final String key,
        final long patchOffset, final byte[] data)
    {
        assertEquals(type, op.type());
        assertEquals(key, op.key());
        assertEquals(patchOffset, op.patchOffset());
        assertArrayEquals(data, op.data());
    }

    private static byte[] bytes(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        return copy;
    }

    private static int crc32c(final DirectBuffer buffer, final int offset, final int length)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes(buffer, offset, length));
        return (int)crc.getValue();
    }
}
