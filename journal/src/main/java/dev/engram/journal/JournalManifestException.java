package dev.engram.journal;

import java.nio.file.Path;

/**
 * The journal manifest cannot be read or written: names the file, the byte offset of the damage (or -1) and
 * the next step.
 */
public final class JournalManifestException extends JournalException
{
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long offset;

    JournalManifestException(final Path file, final long offset, final String what)
    {
        super(what + ": file=" + file + (offset >= 0 ? " offset=" + offset : "") +
            "; restore the journal directory from a backup, or reopen with StateContext.acceptJournalLoss(true) " +
            "(JournalContext.acceptLoss(true)) to rebuild the manifest from the cycle files on disk");
        this.file = String.valueOf(file);
        this.offset = offset;
    }

    JournalManifestException(final Path file, final String what, final Throwable cause)
    {
        super(what + ": file=" + file + ": " + cause, cause);
        this.file = String.valueOf(file);
        this.offset = -1;
    }

    /**
     * @return the manifest file.
     */
    public String file()
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
