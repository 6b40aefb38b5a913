package dev.engram.bench;

import dev.engram.journal.Delta;
import dev.engram.journal.DeltaFrameDescriptor;
import dev.engram.journal.JournalContext;

import java.util.Arrays;

/**
 * The unit every journal benchmark appends: one PUT of {@value #KEY} whose encoded frame is exactly
 * {@value #FRAME_LENGTH} bytes, and the same number of bytes for the raw Chronicle baseline.
 * <pre>
 *   frame = header 24 + op header 8 + key 8 + value 84 + CRC 4 = 128 bytes
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
        final Delta delta = new Delta(JournalContext.MAX_KEY_LENGTH_DEFAULT, JournalContext.MAX_DELTA_LENGTH_DEFAULT);
        delta.put(KEY, value());
        if (delta.frameLength() != FRAME_LENGTH)
        {
            throw new IllegalStateException("benchmark delta has frameLength=" + delta.frameLength() +
                ", expected " + FRAME_LENGTH);
        }
        return delta;
    }

    /**
     * @return {@value #FRAME_LENGTH} bytes laid out like the delta's frame (header left zero), for raw Chronicle.
     */
    public static byte[] rawBytes()
    {
        final Delta delta = newDelta();
        final byte[] bytes = new byte[FRAME_LENGTH];
        delta.opsBuffer().getBytes(0, bytes, DeltaFrameDescriptor.HEADER_LENGTH, delta.opsLength());
        return bytes;
    }

    private static byte[] value()
    {
        final byte[] value = new byte[VALUE_LENGTH];
        Arrays.fill(value, (byte)'v');
        return value;
    }
}
