package dev.engram.journal;

import dev.engram.journal.internal.Utf8;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static dev.engram.journal.DeltaFrameDescriptor.*;

/**
 * A reusable builder of one atomic delta: PUT, DELETE and PATCH ops on one or more keys, committed
 * together as one version by {@link Journal#append(Delta)}.
 * <p>
 * Owned by one thread at a time (keep one per producer thread and {@link #clear()} it between deltas).
 * Ops are encoded at once into a buffer the builder keeps, so each op is validated where it is added:
 * a null or over-long key, a null value, a negative patch offset or a delta over the size limit throws
 * {@link IllegalArgumentException} naming what was wrong, and leaves the builder as it was before the
 * call. Once warmed up to its largest delta the builder allocates nothing.
 */
public final class Delta
{
    private final ExpandableArrayBuffer buffer;
    private final UnsafeBuffer wrapped = new UnsafeBuffer(0, 0);
    private final int maxKeyLength;
    private final int maxFrameLength;
    private int length;
    private int opCount;

    /**
     * A builder with the default limits of {@link JournalContext}.
     */
    public Delta()
    {
        this(JournalContext.MAX_KEY_LENGTH_DEFAULT, JournalContext.MAX_DELTA_LENGTH_DEFAULT);
    }

    /**
     * @param maxKeyLength   the largest key in UTF-8 bytes.
     * @param maxFrameLength the largest encoded delta frame in bytes.
     */
    public Delta(final int maxKeyLength, final int maxFrameLength)
    {
        if (maxKeyLength < 1 || maxKeyLength > MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("maxKeyLength=" + maxKeyLength + " must be in [1, " + MAX_KEY_LENGTH + "]");
        }
        if (maxFrameLength < MIN_FRAME_LENGTH + OP_HEADER_LENGTH + 1)
        {
            throw new IllegalArgumentException("maxFrameLength=" + maxFrameLength + " is too small for any op");
        }
        this.maxKeyLength = maxKeyLength;
        this.maxFrameLength = maxFrameLength;
        this.buffer = new ExpandableArrayBuffer(256);
    }

    /**
     * Forget all ops, keeping the buffer.
     *
     * @return this.
     */
    public Delta clear()
    {
        length = 0;
        opCount = 0;
        return this;
    }

    /**
     * Add a PUT of a whole value.
     *
     * @param key   the key.
     * @param value the new value (may be empty).
     * @return this.
     */
    public Delta put(final CharSequence key, final byte[] value)
    {
        requireValue(value);
        wrapped.wrap(value);
        return put(key, wrapped, 0, value.length);
    }

    /**
     * Add a PUT of a whole value.
     *
     * @param key         the key.
     * @param value       buffer holding the value.
     * @param valueOffset first byte of the value.
     * @param valueLength byte count of the value (may be 0).
     * @return this.
     */
    public Delta put(final CharSequence key, final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        requireValue(value);
        requireRange(value, valueOffset, valueLength);
        final int at = beginOp(OpType.PUT, key, valueLength);
        value.getBytes(valueOffset, buffer, at, valueLength);
        return this;
    }

    /**
     * Add a DELETE of a key.
     *
     * @param key the key.
     * @return this.
     */
    public Delta delete(final CharSequence key)
    {
        beginOp(OpType.DELETE, key, 0);
        return this;
    }

    /**
     * Add a PATCH: write bytes at an offset inside a value.
     *
     * @param key         the key.
     * @param patchOffset where in the value the bytes go (0 or more).
     * @param data        the bytes to write.
     * @return this.
     */
    public Delta patch(final CharSequence key, final long patchOffset, final byte[] data)
    {
        requireValue(data);
        wrapped.wrap(data);
        return patch(key, patchOffset, wrapped, 0, data.length);
    }

    /**
     * Add a PATCH: write bytes at an offset inside a value.
     *
     * @param key         the key.
     * @param patchOffset where in the value the bytes go (0 or more).
     * @param data        buffer holding the bytes.
     * @param dataOffset  first byte.
     * @param dataLength  byte count.
     * @return this.
     */
    public Delta patch(
        final CharSequence key, final long patchOffset, final DirectBuffer data, final int dataOffset, final int dataLength)
    {
        if (patchOffset < 0)
        {
            throw new IllegalArgumentException("PATCH offset must be >= 0: patchOffset=" + patchOffset + " key=" + key);
        }
        requireValue(data);
        requireRange(data, dataOffset, dataLength);
        if (patchOffset > DeltaFrameDescriptor.MAX_VALUE_LENGTH - dataLength)
        {
            throw new IllegalArgumentException("PATCH past the largest value (" + DeltaFrameDescriptor.MAX_VALUE_LENGTH +
                " bytes): patchOffset=" + patchOffset + " length=" + dataLength + " key=" + key +
                " (nothing was appended; patch offsets must leave patchOffset + length <= " +
                DeltaFrameDescriptor.MAX_VALUE_LENGTH + ")");
        }
        final int at = beginOp(OpType.PATCH, key, dataLength);
        buffer.putLong(lastOpOffset + OP_PATCH_OFFSET_OFFSET, patchOffset);
        data.getBytes(dataOffset, buffer, at, dataLength);
        return this;
    }

    private int lastOpOffset;

    private int beginOp(final OpType type, final CharSequence key, final int dataLength)
    {
        if (key == null)
        {
            throw new IllegalArgumentException(type + " key must not be null");
        }
        final int keyLength = Utf8.encodedLength(key);
        if (keyLength == 0)
        {
            throw new IllegalArgumentException(type + " key must not be empty");
        }
        if (keyLength > maxKeyLength)
        {
            throw new IllegalArgumentException(
                type + " key too long: keyLength=" + keyLength + " maxKeyLength=" + maxKeyLength);
        }
        if (opCount >= MAX_OP_COUNT)
        {
            throw new IllegalArgumentException("too many ops in one delta: max=" + MAX_OP_COUNT);
        }
        final int headerLength = opHeaderLength(type);
        final long frameLength = (long)MIN_FRAME_LENGTH + length + headerLength + keyLength + dataLength;
        if (frameLength > maxFrameLength)
        {
            throw new IllegalArgumentException(type + " makes the delta too large: frameLength=" + frameLength +
                " maxDeltaLength=" + maxFrameLength + " key=" + key);
        }
        final int opOffset = length;
        buffer.putByte(opOffset + OP_TYPE_OFFSET, type.code());
        buffer.putByte(opOffset + OP_RESERVED_OFFSET, (byte)0);
        buffer.putShort(opOffset + OP_KEY_LENGTH_OFFSET, (short)keyLength);
        buffer.putInt(opOffset + OP_DATA_LENGTH_OFFSET, dataLength);
        Utf8.encode(key, buffer, opOffset + headerLength);
        lastOpOffset = opOffset;
        length = opOffset + headerLength + keyLength + dataLength;
        opCount++;
        return opOffset + headerLength + keyLength;
    }

    private static void requireValue(final Object value)
    {
        if (value == null)
        {
            throw new IllegalArgumentException("value must not be null (use delete to remove a key)");
        }
    }

    private static void requireRange(final DirectBuffer buffer, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || (long)offset + length > buffer.capacity())
        {
            throw new IllegalArgumentException(
                "value range out of bounds: offset=" + offset + " length=" + length + " capacity=" + buffer.capacity());
        }
    }

    /**
     * @return the number of ops added since the last clear.
     */
    public int opCount()
    {
        return opCount;
    }

    /**
     * @return the encoded length of the ops.
     */
    public int opsLength()
    {
        return length;
    }

    /**
     * @return the length of the frame this delta becomes.
     */
    public int frameLength()
    {
        return MIN_FRAME_LENGTH + length;
    }

    /**
     * @return the encoded ops (valid for {@link #opsLength()} bytes from 0).
     */
    public DirectBuffer opsBuffer()
    {
        return buffer;
    }

    /**
     * Copy the encoded ops into a frame being built.
     *
     * @param dst    destination.
     * @param offset where the ops region starts.
     */
    void copyOpsTo(final MutableDirectBuffer dst, final int offset)
    {
        dst.putBytes(offset, buffer, 0, length);
    }
}
