package dev.engram.recovery;

import java.nio.file.Path;

/**
 * The version-tags file cannot be read or written: the message names the file, the byte offset (for a
 * damaged file) and what to do.
 */
public final class TagFileException extends RuntimeException
{
    private final transient Path file;
    private final long offset;

    public TagFileException(final Path file, final long offset, final String what)
    {
        super(what + ": file=" + file + (offset >= 0 ? " offset=" + offset : "") +
            "; restore it from a backup or move it aside to start with no tags");
        this.file = file;
        this.offset = offset;
    }

    public TagFileException(final Path file, final String what, final Throwable cause)
    {
        super(what + ": file=" + file + ": " + cause.getMessage(), cause);
        this.file = file;
        this.offset = -1;
    }

    public Path file()
    {
        return file;
    }

    /**
     * @return the byte offset of the damage, or -1.
     */
    public long offset()
    {
        return offset;
    }
}
