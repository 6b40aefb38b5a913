package dev.engram.recovery;

import java.nio.file.Path;

/**
 * Stored checkpoint bytes fail a check: a checksum, a magic number, a structural rule or a bounds test.
 * Names the file and the byte offset where the bad part starts. Never thrown after serving bad data: a
 * block is checked before any of its bytes are handed out.
 */
public final class CheckpointCorruptionException extends CheckpointException
{
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long offset;
    private final String what;

    public CheckpointCorruptionException(final Path file, final long offset, final String what)
    {
        this(file, offset, what, null);
    }

    public CheckpointCorruptionException(final Path file, final long offset, final String what, final Throwable cause)
    {
        super(what + ": file=" + file + " offset=" + offset +
            " (the checkpoint is damaged; fall back to an older checkpoint plus the journal, or restore it from a backup)",
            cause);
        this.file = String.valueOf(file);
        this.offset = offset;
        this.what = what;
    }

    /**
     * @return the damaged file.
     */
    public String file()
    {
        return file;
    }

    /**
     * @return the byte offset in that file where the failing part starts.
     */
    public long offset()
    {
        return offset;
    }

    /**
     * @return what failed, without the file and offset.
     */
    public String what()
    {
        return what;
    }
}
