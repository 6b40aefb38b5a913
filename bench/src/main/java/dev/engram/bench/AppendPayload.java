package dev.engram.bench;

import dev.engram.journal.Delta;
import dev.engram.journal.DeltaFrameDescriptor;
import dev.engram.journal.JournalContext;

import java.util.Arrays;

/**
 * The unit every journal benchmark appends: one PUT of {@value #KEY} whose encoded frame is exactly
 * {@value #FRAME_LENGTH} bytes (or a chosen frame length, e.g. 4096), and the same number of bytes for the
 * raw Chronicle baseline.
 * <pre>
 *   frame = header 24 + op header 8 + key 8 + value 84 + CRC 4 = 128 bytes
 *   frame = header 24 + op header 8 + key 8 + value 4052 + CRC 4 = 4096 bytes
 * </pre>
 * Built once per producer thread and reused, as an application reuses its {@link Delta}.
 */
public final class AppendPayload
{
    /** The key of the benchmark's PUT. */
    public static final String KEY = "user/123";
    /** The encoded frame length the value length is chosen for. */
    public static final int FRAME_LENGTH = 128;
    /** Value bytes that make the frame exactly {@link #FRAME_LENGTH} long. */
    public static final int VALUE_LENGTH = FRAME_LENGTH - DeltaFrameDescriptor.MIN_FRAME_LENGTH -
        DeltaFrameDescriptor.OP_HEADER_LENGTH - KEY.length();
    /** Ring slot length that holds one such frame inline (slot header 16 + frame). */
    public static final int RING_SLOT_LENGTH = 16 + FRAME_LENGTH;

    private AppendPayload()
    {
    }

    /**
     * @return a delta holding the benchmark's PUT, frame length {@value #FRAME_LENGTH}.
     */
    public static Delta newDelta()
    {
        return newDelta(FRAME_LENGTH);
    }

    /**
     * @param frameLength the encoded frame length wanted, at least {@link #minFrameLength()}.
     * @return a delta holding one PUT of {@value #KEY} whose frame is exactly {@code frameLength} bytes.
     */
    public static Delta newDelta(final int frameLength)
    {
        final Delta delta = new Delta(JournalContext.MAX_KEY_LENGTH_DEFAULT, JournalContext.MAX_DELTA_LENGTH_DEFAULT);
        delta.put(KEY, value(valueLength(frameLength)));
        if (delta.frameLength() != frameLength)
        {
            throw new IllegalStateException("benchmark delta has frameLength=" + delta.frameLength() +
                ", expected " + frameLength);
        }
        return delta;
    }

    /**
     * @return the shortest frame a PUT of {@value #KEY} can have (empty value).
     */
    public static int minFrameLength()
    {
        return FRAME_LENGTH - VALUE_LENGTH;
    }

    /**
     * @param frameLength a frame length.
     * @return ring slot length that holds such a frame inline (slot header 16 + frame, rounded up to 8).
     */
    public static int ringSlotLength(final int frameLength)
    {
        return (16 + frameLength + 7) & ~7;
    }

    private static int valueLength(final int frameLength)
    {
        if (frameLength < minFrameLength())
        {
            throw new IllegalArgumentException("frameLength=" + frameLength + " is shorter than a PUT of " + KEY +
                " can be (" + minFrameLength() + ")");
        }
        return frameLength - minFrameLength();
    }

    /**
     * @return {@value #FRAME_LENGTH} bytes laid out like the delta's frame (header left zero), for raw Chronicle.
     */
    public static byte[] rawBytes()
    {
        return rawBytes(FRAME_LENGTH);
    }

    /**
     * @param frameLength the frame length.
     * @return {@code frameLength} bytes laid out like the delta's frame (header left zero), for raw Chronicle.
     */
    public static byte[] rawBytes(final int frameLength)
    {
        final Delta delta = newDelta(frameLength);
        final byte[] bytes = new byte[frameLength];
        delta.opsBuffer().getBytes(0, bytes, DeltaFrameDescriptor.HEADER_LENGTH, delta.opsLength());
        return bytes;
    }

    private static byte[] value(final int length)
    {
        final byte[] value = new byte[length];
        Arrays.fill(value, (byte)'v');
        return value;
    }
}
