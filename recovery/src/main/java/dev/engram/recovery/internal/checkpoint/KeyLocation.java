package dev.engram.recovery.internal.checkpoint;

import dev.engram.recovery.internal.chain.KeyLocationIndex;

/**
 * The location word a {@link KeyLocationIndex} stores for a live key:
 * {@code chainOrdinal << 56 | blockIndex << 32 | offsetInRawBlock}, 8 + 24 + 32 bits. The chain ordinal
 * picks the checkpoint of the chain (0 = the full base), the rest the entry inside it.
 */
public final class KeyLocation
{
    public static final int MAX_CHAIN_ORDINAL = 0xFF;
    public static final int MAX_BLOCK_INDEX = 0xFF_FFFF;

    private KeyLocation()
    {
    }

    /**
     * @param chainOrdinal  0..255.
     * @param blockIndex    0..2^24-1.
     * @param offsetInBlock offset of the entry in the raw block.
     * @return the packed location.
     */
    public static long pack(final int chainOrdinal, final int blockIndex, final long offsetInBlock)
    {
        if (chainOrdinal < 0 || chainOrdinal > MAX_CHAIN_ORDINAL || blockIndex < 0 || blockIndex > MAX_BLOCK_INDEX ||
            offsetInBlock < 0 || offsetInBlock > 0xFFFF_FFFFL)
        {
            throw new IllegalArgumentException("location out of range: chainOrdinal=" + chainOrdinal +
                " blockIndex=" + blockIndex + " offsetInBlock=" + offsetInBlock);
        }
        return ((long)chainOrdinal << 56) | ((long)blockIndex << 32) | offsetInBlock;
    }

    public static int chainOrdinal(final long location)
    {
        return (int)(location >>> 56);
    }

    public static int blockIndex(final long location)
    {
        return (int)((location >>> 32) & MAX_BLOCK_INDEX);
    }

    public static long offsetInBlock(final long location)
    {
        return location & 0xFFFF_FFFFL;
    }
}
