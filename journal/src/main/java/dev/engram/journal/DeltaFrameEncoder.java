package dev.engram.journal;

import org.agrona.concurrent.UnsafeBuffer;

import static dev.engram.journal.DeltaFrameDescriptor.*;

/**
 * Writes delta frames (see {@link DeltaFrameDescriptor}); {@link DeltaFrame} reads them. Every byte of a frame the
 * journal stores goes through here, in two steps on two threads:
 * <ol>
 *     <li>a producer encodes its delta into a ring slot, the ring's arena or a heap array
 *     ({@link #encodeDelta}): header and ops, the timestamp left 0 and no checksum yet;</li>
 *     <li>the journal thread {@link #seal seals} it as it writes it: the timestamp, then the CRC32C over
 *     everything before the checksum.</li>
 * </ol>
 * A trim frame ({@link #encodeTrim}) is encoded and sealed at once by the thread that opens the journal.
 * <p>
 * Static and allocation-free (but {@link #abortedFrame}, for the heap path that allocates anyway): producers on any
 * thread share no encoder state, and the writer's per-frame loop calls it without dispatch.
 */
final class DeltaFrameEncoder
{
    private DeltaFrameEncoder()
    {
    }

    /**
     * Write a frame's header with its timestamp 0 (stamped by {@link #seal}).
     *
     * @param buffer      to write into.
     * @param offset      where the frame starts.
     * @param frameLength the whole frame's length, checksum included.
     * @param opCount     ops in the frame.
     * @param version     the frame's version (a trim frame: the last valid version).
     * @param flags       {@code 0}, {@link DeltaFrameDescriptor#FLAG_ABORTED} or {@link DeltaFrameDescriptor#FLAG_TRIM}.
     */
    static void encodeHeader(final UnsafeBuffer buffer, final int offset, final int frameLength, final int opCount,
        final long version, final byte flags)
    {
        buffer.putInt(offset + FRAME_LENGTH_OFFSET, frameLength);
        buffer.putByte(offset + FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        buffer.putByte(offset + FLAGS_OFFSET, flags);
        buffer.putShort(offset + OP_COUNT_OFFSET, (short)opCount);
        buffer.putLong(offset + VERSION_OFFSET, version);
        buffer.putLong(offset + TIMESTAMP_OFFSET, 0);
    }

    /**
     * Encode a delta's frame at {@code offset}, unsealed. If that fails, leave an aborted frame of
     * {@link DeltaFrameDescriptor#MIN_FRAME_LENGTH} there (no ops: versions stay dense) for the caller to publish,
     * and rethrow.
     *
     * @param buffer      to write into, {@code frameLength} bytes from {@code offset}.
     * @param offset      where the frame starts.
     * @param delta       the ops.
     * @param frameLength {@code delta.frameLength()}.
     * @param version     the delta's version.
     * @return {@code frameLength}.
     */
    static int encodeDelta(final UnsafeBuffer buffer, final int offset, final Delta delta, final int frameLength,
        final long version)
    {
        try
        {
            delta.copyOpsTo(buffer, offset + HEADER_LENGTH);
            encodeHeader(buffer, offset, frameLength, delta.opCount(), version, (byte)0);
            return frameLength;
        }
        catch (final RuntimeException | Error ex)
        {
            encodeAborted(buffer, offset, version);
            throw ex;
        }
    }

    /**
     * Encode, unsealed, the frame of a version whose producer failed after claiming it: no ops, flag
     * {@link DeltaFrameDescriptor#FLAG_ABORTED}, {@link DeltaFrameDescriptor#MIN_FRAME_LENGTH} bytes.
     */
    static void encodeAborted(final UnsafeBuffer buffer, final int offset, final long version)
    {
        encodeHeader(buffer, offset, MIN_FRAME_LENGTH, 0, version, FLAG_ABORTED);
    }

    /**
     * @return a new heap array holding an aborted frame of {@code version}, unsealed (see {@link #encodeAborted}).
     */
    static byte[] abortedFrame(final long version)
    {
        final byte[] frame = new byte[MIN_FRAME_LENGTH];
        encodeAborted(new UnsafeBuffer(frame), 0, version);
        return frame;
    }

    /**
     * Encode and seal a trim frame retiring a torn tail: no version of its own, its version field the last
     * valid version, its ops region the first and last Chronicle index it retires.
     *
     * @param buffer      to write into, {@link DeltaFrameDescriptor#TRIM_FRAME_LENGTH} bytes from {@code offset}.
     * @param offset      where the frame starts.
     * @param lastVersion the journal's last complete version.
     * @param firstIndex  the first Chronicle index retired.
     * @param lastIndex   the last Chronicle index retired.
     * @param timestampNs when it is written, epoch nanoseconds.
     * @param checksum    computes the CRC32C.
     */
    static void encodeTrim(final UnsafeBuffer buffer, final int offset, final long lastVersion, final long firstIndex,
        final long lastIndex, final long timestampNs, final FrameChecksum checksum)
    {
        encodeHeader(buffer, offset, TRIM_FRAME_LENGTH, 0, lastVersion, FLAG_TRIM);
        buffer.putLong(offset + TRIM_FIRST_INDEX_OFFSET, firstIndex);
        buffer.putLong(offset + TRIM_LAST_INDEX_OFFSET, lastIndex);
        seal(buffer, offset, TRIM_FRAME_LENGTH, timestampNs, checksum);
    }

    /**
     * Stamp an encoded frame's timestamp, then its CRC32C over bytes {@code [0, frameLength - 4)}: the last write
     * to a frame, made by the thread that stores it.
     *
     * @param buffer      holding the frame.
     * @param offset      where it starts.
     * @param frameLength its length, checksum included.
     * @param timestampNs when it is written, epoch nanoseconds.
     * @param checksum    computes the CRC32C (the caller's own: it is not thread-safe).
     */
    static void seal(final UnsafeBuffer buffer, final int offset, final int frameLength, final long timestampNs,
        final FrameChecksum checksum)
    {
        buffer.putLong(offset + TIMESTAMP_OFFSET, timestampNs);
        buffer.putInt(offset + crcOffset(frameLength), checksum.compute(buffer, offset, frameLength - CRC_LENGTH));
    }
}
