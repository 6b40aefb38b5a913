package dev.engram.journal;

/**
 * What a replay found: the versions it delivered, and whether it ended at a torn tail.
 */
public final class ReplayResult
{
    long firstVersion;
    long lastVersion;
    long framesDelivered;
    long excerptsRead;
    long trimmedTornFrames;
    boolean tornTail;
    int tornFrames;
    String tornFile;
    long tornPosition = -1;
    long tornBytes;
    DeltaFrame.Check tornCheck;

    /** @return first version delivered, 0 if none. */
    public long firstVersion()
    {
        return firstVersion;
    }

    /** @return last version delivered, 0 if none. */
    public long lastVersion()
    {
        return lastVersion;
    }

    /** @return frames handed to the handler. */
    public long framesDelivered()
    {
        return framesDelivered;
    }

    /** @return Chronicle excerpts read, including skipped and control ones. */
    public long excerptsRead()
    {
        return excerptsRead;
    }

    /** @return torn frames a previous open already retired with a trim frame, skipped on the way. */
    public long trimmedTornFrames()
    {
        return trimmedTornFrames;
    }

    /** @return true if the journal ends in frames that fail their check (left by a crash). */
    public boolean tornTail()
    {
        return tornTail;
    }

    /** @return how many frames the torn tail holds. */
    public int tornFrames()
    {
        return tornFrames;
    }

    /** @return the file of the first torn frame, or null. */
    public String tornFile()
    {
        return tornFile;
    }

    /** @return byte position of the first torn frame in its file, or -1. */
    public long tornPosition()
    {
        return tornPosition;
    }

    /** @return bytes in the torn frames. */
    public long tornBytes()
    {
        return tornBytes;
    }

    /** @return why the first torn frame failed, or null. */
    public DeltaFrame.Check tornCheck()
    {
        return tornCheck;
    }

    @Override
    public String toString()
    {
        return "ReplayResult{firstVersion=" + firstVersion + ", lastVersion=" + lastVersion +
            ", framesDelivered=" + framesDelivered + ", excerptsRead=" + excerptsRead +
            ", trimmedTornFrames=" + trimmedTornFrames + ", tornTail=" + tornTail +
            (tornTail ? ", tornFrames=" + tornFrames + ", tornFile=" + tornFile + ", tornPosition=" + tornPosition +
            ", tornBytes=" + tornBytes + ", tornCheck=" + tornCheck : "") + '}';
    }
}
