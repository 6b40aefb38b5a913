package dev.engram.journal;

import java.io.File;

/**
 * The disk holding the journal has no room for the next part of a cycle file: the journal thread stopped
 * before writing anything it could not hold (no SIGBUS), every version it reported written is on disk, and
 * appends fail from here on. Free space, then close and reopen the store: nothing acknowledged is lost.
 */
public final class JournalDiskFullException extends JournalException
{
    private static final long serialVersionUID = 1L;

    JournalDiskFullException(final File file, final long offset, final long length, final long usableBytes)
    {
        super("disk full: cannot reserve " + length + " bytes at offset=" + offset + " of journal file=" + file +
            " (usable space on its file system: " + usableBytes + " bytes); the journal stopped writing, every version " +
            "reported written is on disk; free space on " + file.getParent() + ", then close and reopen the store");
    }
}
