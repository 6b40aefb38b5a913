package dev.engram.recovery;

/**
 * How a checkpoint's data blocks are stored. The code is the header's compression byte.
 */
public enum CheckpointCompression
{
    /** Blocks stored raw: values are served straight from the mapped file. */
    NONE(0),
    /** Blocks stored as zstd frames (a block zstd cannot shrink is stored raw): decompressed once on first use. */
    ZSTD(1);

    private final int code;

    CheckpointCompression(final int code)
    {
        this.code = code;
    }

    /**
     * @return the header's compression byte.
     */
    public int code()
    {
        return code;
    }

    /**
     * @param code a header's compression byte.
     * @return the compression, or null if unknown.
     */
    public static CheckpointCompression fromCode(final int code)
    {
        for (final CheckpointCompression c : values())
        {
            if (c.code == code)
            {
                return c;
            }
        }
        return null;
    }
}
