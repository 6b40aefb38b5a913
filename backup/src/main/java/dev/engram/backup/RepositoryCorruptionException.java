package dev.engram.backup;

import java.io.IOException;

/**
 * An object of a backup repository fails its check: the key, the byte offset of the failing part and what failed.
 */
public final class RepositoryCorruptionException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final String key;
    private final long offset;

    public RepositoryCorruptionException(final String key, final long offset, final String what)
    {
        super(key + " offset=" + offset + ": " + what);
        this.key = key;
        this.offset = offset;
    }

    /** The object's key. */
    public String key()
    {
        return key;
    }

    /** Where in the object the failing part starts. */
    public long offset()
    {
        return offset;
    }
}
