package dev.engram.engine;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static dev.engram.engine.ValueEnvelopeDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Every offset the envelope diagram names, checked on a value the typed layer really encoded.
 */
class ValueEnvelopeDescriptorTest
{
    /** An application codec with an id and schema version whose two bytes differ, to see the byte order. */
    private static final class Marker
    {
    }

    private static final Codec<Marker> MARKER_CODEC = new Codec<>()
    {
        @Override
        public int id()
        {
            return 0x1234;
        }

        @Override
        public String name()
        {
            return "marker";
        }

        @Override
        public Class<Marker> type()
        {
            return Marker.class;
        }

        @Override
        public int currentSchemaVersion()
        {
            return 0x0305;
        }

        @Override
        public int encode(final Marker value, final MutableDirectBuffer buffer, final int offset)
        {
            buffer.putByte(offset, (byte)0x5A);
            return 1;
        }

        @Override
        public Marker decode(final DirectBuffer buffer, final int offset, final int length, final int schemaVersion)
        {
            return new Marker();
        }
    };

    @Test
    void shouldDeclareTheOffsetsOfTheDiagram()
    {
        assertEquals((byte)0xE7, MAGIC);
        assertEquals(1, FORMAT_VERSION);
        assertEquals(0, MAGIC_OFFSET);
        assertEquals(1, FORMAT_VERSION_OFFSET);
        assertEquals(2, CODEC_ID_OFFSET);
        assertEquals(4, SCHEMA_VERSION_OFFSET);
        assertEquals(6, RESERVED_OFFSET);
        assertEquals(8, PAYLOAD_OFFSET);
        assertEquals(8, HEADER_LENGTH);
        assertEquals(0xFFFF, MAX_CODEC_ID);
        assertEquals(0xFFFF, MAX_SCHEMA_VERSION);
    }

    @Test
    void shouldStoreEveryFieldAtItsDocumentedOffsetLittleEndian()
    {
        final TypedValues values = new TypedValues(new CodecRegistry().register(MARKER_CODEC), new MigrationRegistry());
        final byte[] stored = values.encodeToBytes(new Marker());

        assertEquals(9, stored.length);
        assertEquals((byte)0xE7, stored[0]);
        assertEquals(1, stored[1]);
        assertEquals(0x34, stored[2]);
        assertEquals(0x12, stored[3]);
        assertEquals(0x05, stored[4]);
        assertEquals(0x03, stored[5]);
        assertEquals(0, stored[6]);
        assertEquals(0, stored[7]);
        assertEquals(0x5A, stored[8]);

        final ValueEnvelope envelope = new ValueEnvelope().wrap(new UnsafeBuffer(stored), 0, stored.length);
        assertEquals(ValueEnvelope.Check.OK, envelope.verify());
        assertEquals(1, envelope.formatVersion());
        assertEquals(0x1234, envelope.codecId());
        assertEquals(0x0305, envelope.schemaVersion());
        assertEquals(8, envelope.payloadOffset());
        assertEquals(1, envelope.payloadLength());
    }

    @Test
    void shouldWriteTheEnvelopeAtTheGivenOffsetOfALargerBuffer()
    {
        final TypedValues values = new TypedValues(new CodecRegistry(), new MigrationRegistry());
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4);
        final int length = values.encode("hé", buffer, 100);

        assertEquals(HEADER_LENGTH + 3, length);
        assertEquals((byte)0xE7, buffer.getByte(100 + MAGIC_OFFSET));
        assertEquals(Utf8StringCodec.ID, buffer.getShort(100 + CODEC_ID_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals(1, buffer.getShort(100 + SCHEMA_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN));
        assertEquals("hé", buffer.getStringWithoutLengthUtf8(100 + PAYLOAD_OFFSET, 3));
        final ValueEnvelope envelope = new ValueEnvelope().wrap(buffer, 100, length);
        assertEquals(ValueEnvelope.Check.OK, envelope.verify());
        assertEquals(108, envelope.payloadOffset());
        assertEquals("hé", values.decode("k", buffer, 100, length, String.class));
    }

    @Test
    void shouldNameEveryWayAHeaderCanBeInvalid()
    {
        final byte[] valid = {(byte)0xE7, 1, 2, 0, 1, 0, 0, 0};
        assertEquals(ValueEnvelope.Check.OK, check(valid));
        assertEquals(ValueEnvelope.Check.TOO_SHORT, check(new byte[] {(byte)0xE7, 1, 2, 0, 1, 0, 0}));
        assertEquals(ValueEnvelope.Check.TOO_SHORT, check(new byte[0]));
        assertEquals(ValueEnvelope.Check.BAD_MAGIC, check(with(valid, 0, 0x7B)));
        assertEquals(ValueEnvelope.Check.BAD_FORMAT_VERSION, check(with(valid, 1, 0)));
        assertEquals(ValueEnvelope.Check.NEWER_FORMAT_VERSION, check(with(valid, 1, 2)));
        assertEquals(ValueEnvelope.Check.BAD_CODEC_ID, check(with(valid, 2, 0)));
        assertEquals(ValueEnvelope.Check.BAD_SCHEMA_VERSION, check(with(valid, 4, 0)));
        assertEquals(ValueEnvelope.Check.RESERVED_NOT_ZERO, check(with(valid, 6, 1)));
        assertEquals(ValueEnvelope.Check.RESERVED_NOT_ZERO, check(with(valid, 7, 1)));
        assertEquals(ValueEnvelope.Check.BAD_MAGIC, check("{\"json\":true}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void shouldRejectARangeOutsideTheBufferAndBadHeaderFields()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ValueEnvelope().wrap(buffer, 10, 8))
            .getMessage().contains("offset=10 length=8 do not fit buffer capacity=16"));
        assertThrows(IllegalArgumentException.class, () -> new ValueEnvelope().wrap(buffer, -1, 8));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ValueEnvelope.putHeader(buffer, 0, 0, 1))
            .getMessage().contains("codecId=0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ValueEnvelope.putHeader(buffer, 0, 70_000, 1))
            .getMessage().contains("codecId=70000"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ValueEnvelope.putHeader(buffer, 0, 5, 0))
            .getMessage().contains("schemaVersion=0"));
    }

    private static ValueEnvelope.Check check(final byte[] bytes)
    {
        return new ValueEnvelope().wrap(new UnsafeBuffer(bytes), 0, bytes.length).verify();
    }

    private static byte[] with(final byte[] bytes, final int index, final int value)
    {
        final byte[] copy = bytes.clone();
        copy[index] = (byte)value;
        return copy;
    }
}
