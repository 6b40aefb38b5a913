package dev.engram.recovery;

import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

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
    private final boolean zeroed;
    private final List<ByteBuffer> chunks = new ArrayList<>();
    private long[] rawChunks = new long[8];
    private int rawChunkCount;
    private long chunkAddress;
    private int chunkUsed;
    private int chunkCapacity;
    private long allocatedBytes;
    private long reservedBytes;

    OffHeapArena(final int chunkLength)
    {
        this(chunkLength, true);
    }

    /**
     * @param chunkLength bytes reserved at a time.
     * @param zeroed      whether allocations must read as zero; false skips zeroing (and the JDK's direct
     *                    memory accounting) for owners that write every byte they read, e.g. the overlay's
     *                    entries: on the restart path that saves writing tens of MB twice.
     */
    OffHeapArena(final int chunkLength, final boolean zeroed)
    {
        this.chunkLength = chunkLength;
        this.zeroed = zeroed;
    }

    private long newChunk(final int length)
    {
        if (zeroed)
        {
            final ByteBuffer chunk = ByteBuffer.allocateDirect(length);
            chunks.add(chunk);
            return BufferUtil.address(chunk);
        }
        final long address = UnsafeApi.allocateMemory(length);
        if (rawChunkCount == rawChunks.length)
        {
            rawChunks = java.util.Arrays.copyOf(rawChunks, rawChunkCount * 2);
        }
        rawChunks[rawChunkCount++] = address;
        return address;
    }

    /**
     * @param length bytes wanted (zeroed if the arena is).
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
            final int dedicatedLength = Math.max(aligned, ALIGNMENT);
            final long dedicated = newChunk(dedicatedLength);
            reservedBytes += dedicatedLength;
            allocatedBytes += aligned;
            return dedicated;
        }
        if (chunkUsed + aligned > chunkCapacity)
        {
            chunkAddress = newChunk(chunkLength);
            reservedBytes += chunkLength;
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
        for (int i = 0; i < rawChunkCount; i++)
        {
            UnsafeApi.freeMemory(rawChunks[i]);
        }
        rawChunkCount = 0;
        chunkCapacity = 0;
        chunkUsed = 0;
    }
}
