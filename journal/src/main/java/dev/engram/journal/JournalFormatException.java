package dev.engram.journal;

import java.io.File;

/**
 * The journal holds a frame of a newer format version than this code reads: it was written by a newer
 * Engram. It is refused, never trimmed as a torn tail or skipped.
 */
public final class JournalFormatException extends JournalException
{
    private static final long serialVersionUID = 1L;

    public JournalFormatException(final int formatVersion, final File file, final long position)
    {
        super("journal frame format version " + formatVersion + " is newer than this Engram reads (" +
            DeltaFrameDescriptor.FORMAT_VERSION + "): file=" + file + " position=" + position +
            " (open it with the Engram version that wrote it)");
    }
}
