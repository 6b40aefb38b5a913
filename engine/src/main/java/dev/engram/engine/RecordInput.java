package dev.engram.engine;

import org.agrona.DirectBuffer;

import java.nio.ByteOrder;

/**
 * A read cursor over one record payload that refuses to read past its end, so a damaged or foreign payload
 * fails with a message instead of a wrong value or a huge allocation. One per decode; not shared.
 */
final class RecordInput
{
    private final DirectBuffer buffer;
    private final int start;
    private final int limit;
    private int position;

    RecordInput(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.start = offset;
        this.position = offset;
        this.limit = offset + length;
    }

    /** @return bytes not read yet. */
    int remaining()
    {
        return limit - position;
    }

    /** @return the position relative to the payload's first byte, for messages. */
    int offset()
    {
        return position - start;
    }

    DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Take {@code count} bytes.
     *
     * @return their absolute offset in {@link #buffer()}.
     */
    int take(final long count)
    {
        if (count < 0 || count > remaining())
        {
            throw new IllegalArgumentException("payload truncated or damaged: " + count + " bytes needed at payload offset=" +
                offset() + ", " + remaining() + " left");
        }
        final int at = position;
        position += (int)count;
        return at;
    }

    byte readByte()
    {
        return buffer.getByte(take(1));
    }

    short readShort()
    {
        return buffer.getShort(take(2), ByteOrder.LITTLE_ENDIAN);
    }

    char readChar()
    {
        return buffer.getChar(take(2), ByteOrder.LITTLE_ENDIAN);
    }

    int readInt()
    {
        return buffer.getInt(take(4), ByteOrder.LITTLE_ENDIAN);
    }

    long readLong()
    {
        return buffer.getLong(take(8), ByteOrder.LITTLE_ENDIAN);
    }

    boolean readBoolean()
    {
        final byte b = readByte();
        if (b != 0 && b != 1)
        {
            throw new IllegalArgumentException("boolean byte=" + b + " at payload offset=" + (offset() - 1) + " is not 0 or 1");
        }
        return b == 1;
    }

    /**
     * @return true if the presence byte says present, false if null.
     */
    boolean readPresence()
    {
        final byte b = readByte();
        if (b != RecordLayoutDescriptor.NULL && b != RecordLayoutDescriptor.PRESENT)
        {
            throw new IllegalArgumentException("presence byte=" + b + " at payload offset=" + (offset() - 1) + " is not 0 or 1");
        }
        return b == RecordLayoutDescriptor.PRESENT;
    }

    /**
     * Read a length or count and check the payload can hold that many elements of at least {@code minElementSize}.
     *
     * @return the count, or -1 for null.
     */
    int readCount(final int minElementSize)
    {
        final int count = readInt();
        if (count == RecordLayoutDescriptor.NULL_LENGTH)
        {
            return count;
        }
        if (count < 0 || (long)count * minElementSize > remaining())
        {
            throw new IllegalArgumentException("length or count=" + count + " at payload offset=" + (offset() - 4) +
                " does not fit the " + remaining() + " bytes left: payload truncated or damaged");
        }
        return count;
    }
}
