package dev.engram.recovery.internal.overlay;

import org.agrona.UnsafeApi;

/**
 * Bump allocator over {@code malloc}'d chunks: addresses never move, nothing is freed until {@link #close()}.
 * Chunks start at {@code firstChunkLength} and double up to {@code maxChunkLength}, so a small overlay (a checkpoint
 * build of a few keys) takes kilobytes, not a whole large chunk. Memory is not zeroed: owners write every byte they
 * read. Every chunk is counted in the owner's {@link OffHeapAccount} (reserved) as it is taken and released on close.
 * Single-threaded (its owner allocates); the memory it hands out may be read by other threads.
 */
final class OffHeapArena implements AutoCloseable
{
    static final int ALIGNMENT = 8;

    private final int maxChunkLength;
    private final AccountRef account;
    private final boolean chunksUsed;
    private int nextChunkLength;
    private long[] chunks = new long[8];
    private long[] chunkLengths = new long[8];
    private int chunkCount;
    private long chunkAddress;
    private int chunkUsed;
    private int chunkCapacity;
    private long allocatedBytes;
    private long reservedBytes;

    /** Where an arena's owner counts its memory (the owner may move to another account, e.g. when published). */
    interface AccountRef
    {
        void reserve(long bytes);

        void release(long bytes);

        /** @param delta change of the bytes holding live data (entries, values, the current table). */
        void use(long delta);
    }

    /**
     * @param firstChunkLength bytes of the first chunk.
     * @param maxChunkLength   chunks grow (doubling) to this; requests over a quarter of it get a chunk of their own.
     * @param account          counts the chunks.
     */
    OffHeapArena(final int firstChunkLength, final int maxChunkLength, final AccountRef account)
    {
        this(firstChunkLength, maxChunkLength, account, false);
    }

    /**
     * @param chunksUsed count each chunk as used as well as reserved (an owner that never gives memory back,
     *                   e.g. the overlay's entries: no accounting per allocation on its hot path).
     */
    OffHeapArena(final int firstChunkLength, final int maxChunkLength, final AccountRef account, final boolean chunksUsed)
    {
        this.nextChunkLength = Math.min(firstChunkLength, maxChunkLength);
        this.maxChunkLength = maxChunkLength;
        this.account = account;
        this.chunksUsed = chunksUsed;
    }

    private long newChunk(final int length)
    {
        account.reserve(length);   // may refuse (an enforcing account): nothing taken then
        final long address;
        try
        {
            address = UnsafeApi.allocateMemory(length);
        }
        catch (final Throwable ex)
        {
            account.release(length);
            throw ex;
        }
        if (chunkCount == chunks.length)
        {
            chunks = java.util.Arrays.copyOf(chunks, chunkCount * 2);
            chunkLengths = java.util.Arrays.copyOf(chunkLengths, chunkCount * 2);
        }
        chunks[chunkCount] = address;
        chunkLengths[chunkCount++] = length;
        reservedBytes += length;
        if (chunksUsed)
        {
            account.use(length);
        }
        return address;
    }

    /**
     * @param length bytes wanted (not zeroed).
     * @return the native address of the block (8-byte aligned).
     */
    long allocate(final long length)
    {
        if (length < 0 || length > Integer.MAX_VALUE - ALIGNMENT)
        {
            throw new IllegalArgumentException("off-heap allocation out of range: length=" + length);
        }
        final int aligned = (int)((length + ALIGNMENT - 1) & ~(ALIGNMENT - 1));
        if (aligned > maxChunkLength / 4)
        {
            final long dedicated = newChunk(Math.max(aligned, ALIGNMENT));
            allocatedBytes += aligned;
            return dedicated;
        }
        if (chunkUsed + aligned > chunkCapacity)
        {
            int length0 = nextChunkLength;
            while (length0 < aligned)
            {
                length0 *= 2;
            }
            chunkAddress = newChunk(length0);
            nextChunkLength = Math.min(maxChunkLength, length0 * 2);
            chunkUsed = 0;
            chunkCapacity = length0;
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
        for (int i = 0; i < chunkCount; i++)
        {
            UnsafeApi.freeMemory(chunks[i]);
            account.release(chunkLengths[i]);
            if (chunksUsed)
            {
                account.use(-chunkLengths[i]);
            }
        }
        chunkCount = 0;
        chunkCapacity = 0;
        chunkUsed = 0;
        reservedBytes = 0;
    }
}
