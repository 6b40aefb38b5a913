package dev.engram.recovery;

import java.nio.file.Path;

/**
 * The file is a checkpoint of a format version this code does not read (written by a newer Engram).
 * It is refused rather than guessed at.
 */
public final class UnsupportedCheckpointFormatException extends CheckpointException
{
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long formatVersion;

    public UnsupportedCheckpointFormatException(final Path file, final long formatVersion, final int newestSupported)
    {
        super("checkpoint format version " + formatVersion + " is not supported (this Engram reads up to " +
            newestSupported + "): file=" + file + " (open it with the Engram version that wrote it, or migrate it)");
        this.file = String.valueOf(file);
        this.formatVersion = formatVersion;
    }

    /**
     * @return the refused file.
     */
    public String file()
    {
        return file;
    }

    /**
     * @return the format version it declares.
     */
    public long formatVersion()
    {
        return formatVersion;
    }
}
