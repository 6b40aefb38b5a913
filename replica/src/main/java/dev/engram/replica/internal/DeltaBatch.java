package dev.engram.replica.internal;

import dev.engram.journal.Delta;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.nio.ByteOrder;

/**
 * The payload of one Raft entry: many deltas, each as its encoded ops (the bytes {@link Delta#opsBuffer()} holds,
 * so a node rebuilds exactly the delta the leader was given). Little-endian:
 * <pre>
 *   0  byte   format (1)
 *   1  byte[3] reserved (0)
 *   4  int    delta count
 *   8  per delta: int ops length, then the ops
 * </pre>
 * A batch carries no versions: each node numbers the deltas as it applies them (docs/replication.md, "Versions").
 */
public final class DeltaBatch
{
    /** Format of the entry payload. */
    public static final byte FORMAT = 1;
    /** Bytes before the first delta. */
    public static final int HEADER_LENGTH = 8;
    /** Bytes before each delta's ops. */
    public static final int DELTA_HEADER_LENGTH = 4;
    private static final int COUNT_OFFSET = 4;

    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64 * 1024);
    private int length = HEADER_LENGTH;
    private int count;

    /** Receives each delta's ops while a batch is read. */
    @FunctionalInterface
    public interface DeltaOpsConsumer
    {
        /**
         * @param index     the delta's position in the batch (0..count-1).
         * @param ops       buffer holding its ops.
         * @param offset    first byte of its ops.
         * @param opsLength byte count of its ops.
         */
        void accept(int index, DirectBuffer ops, int offset, int opsLength);
    }

    /** @return the encoded size a batch grows by when {@code delta} is added. */
    public static int encodedLength(final Delta delta)
    {
        return DELTA_HEADER_LENGTH + delta.opsLength();
    }

    /** Add a delta's ops. */
    public void add(final Delta delta)
    {
        final int opsLength = delta.opsLength();
        buffer.putInt(length, opsLength, ByteOrder.LITTLE_ENDIAN);
        buffer.putBytes(length + DELTA_HEADER_LENGTH, delta.opsBuffer(), 0, opsLength);
        length += DELTA_HEADER_LENGTH + opsLength;
        count++;
    }

    /** @return deltas added since the last {@link #clear()}. */
    public int count()
    {
        return count;
    }

    /** @return the encoded length so far. */
    public int length()
    {
        return length;
    }

    /** @return the encoded batch, a fresh array (handed to Raft, which keeps it). */
    public byte[] toBytes()
    {
        buffer.putByte(0, FORMAT);
        buffer.putByte(1, (byte)0);
        buffer.putByte(2, (byte)0);
        buffer.putByte(3, (byte)0);
        buffer.putInt(COUNT_OFFSET, count, ByteOrder.LITTLE_ENDIAN);
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /** Forget the deltas, keeping the buffer. */
    public void clear()
    {
        length = HEADER_LENGTH;
        count = 0;
    }

    /**
     * Read a batch.
     *
     * @return the number of deltas.
     * @throws IllegalArgumentException if it is not a batch of this format (names what is wrong).
     */
    public static int read(final DirectBuffer batch, final int offset, final int length, final DeltaOpsConsumer consumer)
    {
        if (length < HEADER_LENGTH)
        {
            throw new IllegalArgumentException("replica entry too short for a batch: length=" + length);
        }
        final byte format = batch.getByte(offset);
        if (format != FORMAT)
        {
            throw new IllegalArgumentException("replica entry of unknown batch format " + format + " (this build reads " +
                FORMAT + ")");
        }
        final int count = batch.getInt(offset + COUNT_OFFSET, ByteOrder.LITTLE_ENDIAN);
        int at = offset + HEADER_LENGTH;
        final int end = offset + length;
        for (int i = 0; i < count; i++)
        {
            if (at + DELTA_HEADER_LENGTH > end)
            {
                throw new IllegalArgumentException("replica batch truncated at delta " + i + " of " + count);
            }
            final int opsLength = batch.getInt(at, ByteOrder.LITTLE_ENDIAN);
            if (opsLength < 0 || at + DELTA_HEADER_LENGTH + opsLength > end)
            {
                throw new IllegalArgumentException("replica batch: delta " + i + " of " + count + " has ops length " +
                    opsLength + " past the entry's end");
            }
            consumer.accept(i, batch, at + DELTA_HEADER_LENGTH, opsLength);
            at += DELTA_HEADER_LENGTH + opsLength;
        }
        if (at != end)
        {
            throw new IllegalArgumentException("replica batch: " + (end - at) + " bytes after its " + count + " deltas");
        }
        return count;
    }
}
