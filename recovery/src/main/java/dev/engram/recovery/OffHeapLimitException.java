package dev.engram.recovery;

/**
 * A checkpoint build would pass its off-heap limit ({@link StateContext#checkpointBuildMemoryLimit()}): the build
 * stops, frees what it took and is retried later (a background checkpoint) or reported to the caller of
 * {@code checkpoint()}; reads and appends go on.
 */
public final class OffHeapLimitException extends CheckpointException
{
    private static final long serialVersionUID = 1L;

    private final String setting;
    private final long limit;

    public OffHeapLimitException(final String message, final String setting, final long limit)
    {
        super(message);
        this.setting = setting;
        this.limit = limit;
    }

    /** @return the {@link StateContext} setting whose limit was reached. */
    public String setting()
    {
        return setting;
    }

    /** @return the limit in bytes. */
    public long limit()
    {
        return limit;
    }
}
