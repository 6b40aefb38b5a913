package dev.engram.replica.internal;

import dev.engram.journal.Delta;
import dev.engram.journal.OpType;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;

import static dev.engram.journal.DeltaFrameDescriptor.OP_DATA_LENGTH_OFFSET;
import static dev.engram.journal.DeltaFrameDescriptor.OP_KEY_LENGTH_OFFSET;
import static dev.engram.journal.DeltaFrameDescriptor.OP_PATCH_OFFSET_OFFSET;
import static dev.engram.journal.DeltaFrameDescriptor.OP_TYPE_OFFSET;
import static dev.engram.journal.DeltaFrameDescriptor.opHeaderLength;

/**
 * Rebuilds a {@link Delta} from encoded ops (docs/journal.md's op layout) through the delta's public API, so the node
 * appends the same ops the leader was given and its journal frame holds the same ops bytes.
 */
public final class OpsReplay
{
    private OpsReplay()
    {
    }

    /**
     * Clear {@code delta} and add every op encoded in {@code ops[offset, offset + length)}.
     *
     * @throws IllegalArgumentException if the ops are malformed.
     */
    public static void into(final Delta delta, final DirectBuffer ops, final int offset, final int length)
    {
        delta.clear();
        int at = offset;
        final int end = offset + length;
        while (at < end)
        {
            final OpType type = OpType.fromCode(ops.getByte(at + OP_TYPE_OFFSET));
            final int keyLength = ops.getShort(at + OP_KEY_LENGTH_OFFSET) & 0xFFFF;
            final int dataLength = ops.getInt(at + OP_DATA_LENGTH_OFFSET);
            final int header = opHeaderLength(type);
            final int keyAt = at + header;
            final int dataAt = keyAt + keyLength;
            if (dataLength < 0 || (long)dataAt + dataLength > end)
            {
                throw new IllegalArgumentException("replica delta: op " + type + " at " + (at - offset) +
                    " runs past the delta's end");
            }
            final String key = ops.getStringWithoutLengthUtf8(keyAt, keyLength);
            switch (type)
            {
                case PUT -> delta.put(key, ops, dataAt, dataLength);
                case DELETE -> delta.delete(key);
                case PATCH -> delta.patch(key, ops.getLong(at + OP_PATCH_OFFSET_OFFSET), ops, dataAt, dataLength);
                default -> throw new IllegalArgumentException("replica delta: unexpected op " + type);
            }
            at = dataAt + dataLength;
        }
    }
}
