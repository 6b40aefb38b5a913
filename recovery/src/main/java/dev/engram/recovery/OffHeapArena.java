package dev.engram.recovery;

import org.agrona.BufferUtil;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Bump allocator over direct memory chunks: addresses never move, nothing is freed until {@link #close()}.
 * Single-threaded (its owner allocates); the memory it hands out may be read by other threads.
 */
final class OffHeapArena implements AutoCloseable
{
    private static final int ALIGNMENT = 8;

    private final int chunkLength;
    private final List<ByteBuffer> chunks = new ArrayList<>();
    private long chunkAddress;
    private int chunkUsed;
    private int chunkCapacity;
    private long allocatedBytes;
    private long reservedBytes;

    OffHeapArena(final int chunkLength)
    {
        this.chunkLength = chunkLength;
    }

    /**
     * @param length bytes wanted (zeroed).
     * @return the native address of the block.
     */
    long allocate(final long length)
    {
        if (length < 0 || length > Integer.MAX_VALUE - ALIGNMENT)
        {
            throw new IllegalArgumentException("off-heap allocation out of range: length=" + length);
        }
        final int aligned = (int)((length + ALIGNMENT - 1) & ~(ALIGNMENT - 1));
        if (aligned > chunkLength / 4)
        {
            final ByteBuffer dedicated = ByteBuffer.allocateDirect(Math.max(aligned, ALIGNMENT));
            chunks.add(dedicated);
            reservedBytes += dedicated.capacity();
            allocatedBytes += aligned;
            return BufferUtil.address(dedicated);
        }
        if (chunkUsed + aligned > chunkCapacity)
        {
            final ByteBuffer chunk = ByteBuffer.allocateDirect(chunkLength);
            chunks.add(chunk);
            reservedBytes += chunk.capacity();
            chunkAddress = BufferUtil.address(chunk);
            chunkUsed = 0;
            chunkCapacity = chunkLength;
        }
        final long address = chunkAddress + chunkUsed;
        chunkUsed += aligned;
        allocatedBytes += aligned;
        return address;
    }

    long allocatedBytes()
    {
        return allocatedBytes;
    }

    long reservedBytes()
    {
        return reservedBytes;
    }

    @Override
    public void close()
    {
        for (final ByteBuffer chunk : chunks)
        {
            BufferUtil.free(chunk);
        }
        chunks.clear();
        chunkCapacity = 0;
        chunkUsed = 0;
    }
}
