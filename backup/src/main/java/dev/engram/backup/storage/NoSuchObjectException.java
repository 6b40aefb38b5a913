package dev.engram.backup.storage;

import java.io.IOException;

/**
 * A {@link BackupStorage} has no object under the key asked for.
 */
public final class NoSuchObjectException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final String key;

    public NoSuchObjectException(final String storage, final String key)
    {
        super("no object " + key + " in " + storage);
        this.key = key;
    }

    /** The key that has no object. */
    public String key()
    {
        return key;
    }
}
