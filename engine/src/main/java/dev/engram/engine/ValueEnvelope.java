package dev.engram.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

import static dev.engram.engine.ValueEnvelopeDescriptor.*;

/**
 * Flyweight over one enveloped value (see {@link ValueEnvelopeDescriptor}): {@link #wrap} it, check it
 * with {@link #verify()}, then read the header fields and find the payload. Re-wrapped, never allocated
 * per value; owned by one thread at a time. {@link #putHeader} writes a header.
 */
public final class ValueEnvelope
{
    /**
     * Outcome of {@link #verify()}.
     */
    public enum Check
    {
        OK("valid envelope"),
        TOO_SHORT("shorter than the " + HEADER_LENGTH + "-byte envelope header"),
        BAD_MAGIC("first byte is not the envelope magic 0xe7"),
        BAD_FORMAT_VERSION("envelope format version 0 is not valid"),
        NEWER_FORMAT_VERSION("envelope format version is newer than this code knows (" + FORMAT_VERSION + ")"),
        BAD_CODEC_ID("codec id 0 is not valid"),
        BAD_SCHEMA_VERSION("schema version 0 is not valid"),
        RESERVED_NOT_ZERO("reserved header bytes are not 0");

        private final String description;

        Check(final String description)
        {
            this.description = description;
        }

        /**
         * @return what the outcome means, for messages.
         */
        public String description()
        {
            return description;
        }
    }

    private DirectBuffer buffer;
    private int offset;
    private int length;

    /**
     * @param buffer holding the value.
     * @param offset of the value's first byte (the envelope's magic).
     * @param length of the whole value: envelope plus payload.
     * @return this.
     * @throws IllegalArgumentException if the range lies outside the buffer.
     */
    public ValueEnvelope wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        if (buffer == null)
        {
            throw new IllegalArgumentException("buffer must not be null");
        }
        if (offset < 0 || length < 0 || (long)offset + length > buffer.capacity())
        {
            throw new IllegalArgumentException(
                "offset=" + offset + " length=" + length + " do not fit buffer capacity=" + buffer.capacity());
        }
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /**
     * @return whether the wrapped bytes hold an envelope this code can read, and if not, why.
     */
    public Check verify()
    {
        if (length < HEADER_LENGTH)
        {
            return Check.TOO_SHORT;
        }
        if (buffer.getByte(offset + MAGIC_OFFSET) != MAGIC)
        {
            return Check.BAD_MAGIC;
        }
        final int formatVersion = formatVersion();
        if (formatVersion == 0)
        {
            return Check.BAD_FORMAT_VERSION;
        }
        if (formatVersion > FORMAT_VERSION)
        {
            return Check.NEWER_FORMAT_VERSION;
        }
        if (codecId() == 0)
        {
            return Check.BAD_CODEC_ID;
        }
        if (schemaVersion() == 0)
        {
            return Check.BAD_SCHEMA_VERSION;
        }
        if (buffer.getShort(offset + RESERVED_OFFSET, ByteOrder.LITTLE_ENDIAN) != 0)
        {
            return Check.RESERVED_NOT_ZERO;
        }
        return Check.OK;
    }

    /**
     * @return the first byte of the wrapped value as an unsigned number (for messages), or -1 if empty.
     */
    public int firstByte()
    {
        return length == 0 ? -1 : buffer.getByte(offset) & 0xFF;
    }

    /**
     * @return the envelope format version, unsigned.
     */
    public int formatVersion()
    {
        return buffer.getByte(offset + FORMAT_VERSION_OFFSET) & 0xFF;
    }

    /**
     * @return the codec id, unsigned.
     */
    public int codecId()
    {
        return buffer.getShort(offset + CODEC_ID_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @return the schema version the payload was written with, unsigned.
     */
    public int schemaVersion()
    {
        return buffer.getShort(offset + SCHEMA_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @return the wrapped buffer.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return offset of the value's first byte in {@link #buffer()}.
     */
    public int offset()
    {
        return offset;
    }

    /**
     * @return length of the whole value, envelope plus payload.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return offset of the payload in {@link #buffer()}.
     */
    public int payloadOffset()
    {
        return offset + PAYLOAD_OFFSET;
    }

    /**
     * @return length of the payload.
     */
    public int payloadLength()
    {
        return length - HEADER_LENGTH;
    }

    /**
     * Write a format-version-1 header; the payload goes at {@code offset + HEADER_LENGTH}.
     *
     * @param buffer        where to write: expandable, or with room for the header.
     * @param offset        of the header's first byte.
     * @param codecId       in [1, 65535].
     * @param schemaVersion in [1, 65535].
     * @throws IllegalArgumentException if the id or version is out of range.
     */
    public static void putHeader(
        final MutableDirectBuffer buffer, final int offset, final int codecId, final int schemaVersion)
    {
        checkCodecId(codecId);
        checkSchemaVersion("schemaVersion", schemaVersion);
        buffer.checkLimit(offset + HEADER_LENGTH);
        buffer.putByte(offset + MAGIC_OFFSET, MAGIC);
        buffer.putByte(offset + FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        buffer.putShort(offset + CODEC_ID_OFFSET, (short)codecId, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + SCHEMA_VERSION_OFFSET, (short)schemaVersion, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(offset + RESERVED_OFFSET, (short)0, ByteOrder.LITTLE_ENDIAN);
    }

    static void checkCodecId(final int codecId)
    {
        if (codecId < 1 || codecId > MAX_CODEC_ID)
        {
            throw new IllegalArgumentException("codecId=" + codecId + " must be in [1, " + MAX_CODEC_ID + "]");
        }
    }

    static void checkSchemaVersion(final String name, final int schemaVersion)
    {
        if (schemaVersion < 1 || schemaVersion > MAX_SCHEMA_VERSION)
        {
            throw new IllegalArgumentException(name + "=" + schemaVersion + " must be in [1, " + MAX_SCHEMA_VERSION + "]");
        }
    }
}
