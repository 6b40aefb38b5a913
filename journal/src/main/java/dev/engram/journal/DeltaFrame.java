package dev.engram.journal;

import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.journal.internal.Utf8;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static dev.engram.journal.DeltaFrameDescriptor.*;

/**
 * Flyweight over one stored delta frame (see {@link DeltaFrameDescriptor}), re-wrapped for each frame
 * during replay, never allocated per frame. Frames handed to a {@link FrameHandler} have passed
 * {@link #verify()}: length, format version, checksum and the bounds of every op.
 * <p>
 * Ops are walked with a cursor, positioned before the first op by each wrap:
 * <pre>{@code
 * while (frame.nextOp()) {
 *     switch (frame.opType()) { ... frame.buffer(), frame.keyOffset(), frame.dataOffset() ... }
 * }
 * }</pre>
 * The buffer is only valid during the callback: copy what must outlive it.
 */
public final class DeltaFrame
{
    /** Outcome of {@link #verify()}. */
    public enum Check
    {
        OK, TOO_SHORT, BAD_LENGTH, BAD_FORMAT_VERSION, BAD_CHECKSUM, BAD_OPS
    }

    private final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
    private final FrameChecksum checksum = new FrameChecksum();
    private int offset;
    private int length;

    private int cycle = Integer.MIN_VALUE;
    private long filePosition = -1;

    private int opCursor;
    private int opsRead;
    private OpType opType;
    private int keyOffset;
    private int keyLength;
    private int dataOffset;
    private int dataLength;
    private long patchOffset;

    /**
     * @param source holding a frame.
     * @param offset where it starts.
     * @param length how many bytes it may span.
     * @return this.
     */
    public DeltaFrame wrap(final DirectBuffer source, final int offset, final int length)
    {
        buffer.wrap(source, offset, length);
        this.offset = 0;
        this.length = length;
        resetOps();
        return this;
    }

    /**
     * @param address native address of a frame.
     * @param length  how many bytes it may span.
     * @return this.
     */
    public DeltaFrame wrap(final long address, final int length)
    {
        buffer.wrap(address, length);
        this.offset = 0;
        this.length = length;
        resetOps();
        return this;
    }

    /**
     * Set by the reader: where this frame lives, so a value can be found again later through
     * {@link JournalMappedFiles} without copying it now. Public for recovery's read-only walk of the cycle files
     * ({@code ReadOnlyState}), which delivers frames it found itself.
     */
    public void location(final int cycle, final long filePosition)
    {
        this.cycle = cycle;
        this.filePosition = filePosition;
    }

    /**
     * @return the journal cycle holding this frame (set during replay), or Integer.MIN_VALUE.
     */
    public int cycle()
    {
        return cycle;
    }

    /**
     * @return the byte position of this frame's first byte in its cycle file (set during replay), or -1.
     *         The current op's data lies at {@code filePosition() + dataOffset()}.
     */
    public long filePosition()
    {
        return filePosition;
    }

    /**
     * Check length, format version, checksum and op bounds.
     *
     * @return {@link Check#OK} or what is wrong.
     */
    public Check verify()
    {
        if (length < MIN_FRAME_LENGTH)
        {
            return Check.TOO_SHORT;
        }
        final int frameLength = buffer.getInt(offset + FRAME_LENGTH_OFFSET);
        if (frameLength != length)
        {
            return Check.BAD_LENGTH;
        }
        if (buffer.getByte(offset + FORMAT_VERSION_OFFSET) != FORMAT_VERSION)
        {
            return Check.BAD_FORMAT_VERSION;
        }
        final int stored = buffer.getInt(offset + crcOffset(frameLength));
        if (stored != checksum.compute(buffer, offset, frameLength - CRC_LENGTH))
        {
            return Check.BAD_CHECKSUM;
        }
        if ((flags() & FLAG_TRIM) != 0)
        {
            return frameLength == TRIM_FRAME_LENGTH ? Check.OK : Check.BAD_OPS;
        }
        return opsWithinBounds() ? Check.OK : Check.BAD_OPS;
    }

    private boolean opsWithinBounds()
    {
        final int end = offset + crcOffset(length);
        int p = offset + HEADER_LENGTH;
        for (int i = 0, n = opCount(); i < n; i++)
        {
            if (p + OP_HEADER_LENGTH > end)
            {
                return false;
            }
            final OpType type = OpType.fromCode(buffer.getByte(p + OP_TYPE_OFFSET));
            if (type == null)
            {
                return false;
            }
            final int header = opHeaderLength(type);
            final int keyLen = buffer.getShort(p + OP_KEY_LENGTH_OFFSET) & 0xFFFF;
            final int dataLen = buffer.getInt(p + OP_DATA_LENGTH_OFFSET);
            if (dataLen < 0 || keyLen == 0 || (type == OpType.DELETE && dataLen != 0))
            {
                return false;
            }
            if (type == OpType.PATCH && (p + PATCH_OP_HEADER_LENGTH > end || buffer.getLong(p + OP_PATCH_OFFSET_OFFSET) < 0))
            {
                return false;
            }
            final long next = (long)p + header + keyLen + dataLen;
            if (next > end)
            {
                return false;
            }
            p = (int)next;
        }
        return p == end;
    }

    /**
     * @return the whole frame's length.
     */
    public int frameLength()
    {
        return buffer.getInt(offset + FRAME_LENGTH_OFFSET);
    }

    /**
     * @return the frame's format version.
     */
    public int formatVersion()
    {
        return buffer.getByte(offset + FORMAT_VERSION_OFFSET);
    }

    /**
     * @return the flags byte.
     */
    public int flags()
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    /**
     * @return true if this is a control frame retiring a torn tail, not a delta.
     */
    public boolean isTrim()
    {
        return (flags() & FLAG_TRIM) != 0;
    }

    /**
     * @return the delta's version.
     */
    public long version()
    {
        return buffer.getLong(offset + VERSION_OFFSET);
    }

    /**
     * @return when the journal wrote the frame, in epoch nanoseconds.
     */
    public long timestampEpochNs()
    {
        return buffer.getLong(offset + TIMESTAMP_OFFSET);
    }

    /**
     * @return the number of ops.
     */
    public int opCount()
    {
        return buffer.getShort(offset + OP_COUNT_OFFSET) & 0xFFFF;
    }

    /**
     * @return the buffer all offsets of this flyweight refer to.
     */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * Start walking the ops again from the first one.
     */
    public void resetOps()
    {
        opCursor = offset + HEADER_LENGTH;
        opsRead = 0;
    }

    /**
     * Move to the next op.
     *
     * @return false when there are no more ops.
     */
    public boolean nextOp()
    {
        if (opsRead >= opCount())
        {
            return false;
        }
        final int p = opCursor;
        opType = OpType.fromCode(buffer.getByte(p + OP_TYPE_OFFSET));
        keyLength = buffer.getShort(p + OP_KEY_LENGTH_OFFSET) & 0xFFFF;
        dataLength = buffer.getInt(p + OP_DATA_LENGTH_OFFSET);
        final int header = opHeaderLength(opType);
        patchOffset = opType == OpType.PATCH ? buffer.getLong(p + OP_PATCH_OFFSET_OFFSET) : 0;
        keyOffset = p + header;
        dataOffset = keyOffset + keyLength;
        opCursor = dataOffset + dataLength;
        opsRead++;
        return true;
    }

    /**
     * @return the current op's type.
     */
    public OpType opType()
    {
        return opType;
    }

    /**
     * @return offset of the current op's UTF-8 key in {@link #buffer()}.
     */
    public int keyOffset()
    {
        return keyOffset;
    }

    /**
     * @return length of the current op's key in bytes.
     */
    public int keyLength()
    {
        return keyLength;
    }

    /**
     * @return the current op's key as a String (allocates).
     */
    public String key()
    {
        return Utf8.decode(buffer, keyOffset, keyLength);
    }

    /**
     * @return offset of the current op's value or patch bytes in {@link #buffer()}.
     */
    public int dataOffset()
    {
        return dataOffset;
    }

    /**
     * @return length of the current op's value or patch bytes.
     */
    public int dataLength()
    {
        return dataLength;
    }

    /**
     * @return where in the value a PATCH writes; 0 for other ops.
     */
    public long patchOffset()
    {
        return patchOffset;
    }

    /**
     * @return the Chronicle index retired first by a trim frame.
     */
    long trimFirstIndex()
    {
        return buffer.getLong(offset + TRIM_FIRST_INDEX_OFFSET);
    }

    /**
     * @return the Chronicle index retired last by a trim frame.
     */
    long trimLastIndex()
    {
        return buffer.getLong(offset + TRIM_LAST_INDEX_OFFSET);
    }
}
