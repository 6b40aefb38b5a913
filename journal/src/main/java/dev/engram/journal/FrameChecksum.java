package dev.engram.journal;

import org.agrona.DirectBuffer;
import org.agrona.checksum.Crc32c;

import java.util.zip.CRC32C;

/**
 * CRC32C of a frame, for frames in native memory (ring slots, the mapped journal) and on the heap.
 * Native memory goes through Agrona's intrinsic-backed {@link Crc32c} without allocating.
 */
final class FrameChecksum
{
    private final CRC32C heapCrc = new CRC32C();

    /**
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @param length bytes to cover.
     * @return the CRC32C of those bytes.
     */
    int compute(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] array = buffer.byteArray();
        if (array != null)
        {
            heapCrc.reset();
            heapCrc.update(array, (int)(buffer.addressOffset() - org.agrona.BufferUtil.ARRAY_BASE_OFFSET) + offset, length);
            return (int)heapCrc.getValue();
        }
        return Crc32c.INSTANCE.compute(buffer.addressOffset(), offset, length);
    }
}
