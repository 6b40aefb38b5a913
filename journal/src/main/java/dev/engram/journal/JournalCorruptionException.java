package dev.engram.journal;

import java.io.File;

/**
 * A stored frame is damaged somewhere other than the torn tail a crash may leave, or the journal ends
 * earlier than Chronicle's own index says. Names the file and the byte position of the bad excerpt.
 */
public final class JournalCorruptionException extends JournalException
{
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long position;
    private final long index;

    public JournalCorruptionException(final String what, final File file, final long position, final long index)
    {
        super(what + ": file=" + file + " position=" + position + " index=0x" + Long.toHexString(index) +
            " (the journal is damaged here; restore it from a backup or replay up to the version before)");
        this.file = String.valueOf(file);
        this.position = position;
        this.index = index;
    }

    /**
     * @return the cycle file holding the bad excerpt.
     */
    public String file()
    {
        return file;
    }

    /**
     * @return the byte position of the excerpt in that file.
     */
    public long position()
    {
        return position;
    }

    /**
     * @return Chronicle's index of the excerpt.
     */
    public long index()
    {
        return index;
    }
}
