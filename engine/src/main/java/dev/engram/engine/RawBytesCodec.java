package dev.engram.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Built-in codec {@value #ID}: a {@code byte[]} stored as it is.
 */
public final class RawBytesCodec implements Codec<byte[]>
{
    public static final int ID = 1;
    public static final String NAME = "raw-bytes";
    public static final RawBytesCodec INSTANCE = new RawBytesCodec();

    private RawBytesCodec()
    {
    }

    @Override
    public int id()
    {
        return ID;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public Class<byte[]> type()
    {
        return byte[].class;
    }

    @Override
    public int currentSchemaVersion()
    {
        return 1;
    }

    @Override
    public int encode(final byte[] value, final MutableDirectBuffer buffer, final int offset)
    {
        buffer.putBytes(offset, value);
        return value.length;
    }

    @Override
    public byte[] decode(final DirectBuffer buffer, final int offset, final int length, final int schemaVersion)
    {
        final byte[] value = new byte[length];
        buffer.getBytes(offset, value);
        return value;
    }
}
