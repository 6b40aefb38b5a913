package dev.engram.journal;

/**
 * Journal versions that were written and are gone: a cycle file the manifest lists is missing, holds no frame or
 * holds other versions, or the journal ends before a version recorded as written ({@link JournalLossCheck}).
 *
 * @param file        the cycle file that held (or should have held) the versions, or the manifest when it is damaged.
 * @param fromVersion the first version lost, or -1 if unknown (a damaged manifest).
 * @param toVersion   the last version lost, or -1 if unknown (the newest cycle's end is recorded only at a clean close).
 * @param what        what is wrong with the file.
 */
public record JournalLoss(String file, long fromVersion, long toVersion, String what)
{
    /**
     * @return e.g. {@code versions 601..1000 lost: file=/s/journal/20231114-221320T.cq4 is missing}.
     */
    public String describe()
    {
        return versions() + ": file=" + file + " " + what;
    }

    /**
     * @return which versions, in words.
     */
    public String versions()
    {
        if (fromVersion < 0)
        {
            return "versions lost: unknown";
        }
        if (toVersion < 0)
        {
            return "versions " + fromVersion + ".. lost (where they end is not recorded)";
        }
        return fromVersion == toVersion ? "version " + fromVersion + " lost" :
            "versions " + fromVersion + ".." + toVersion + " lost";
    }

    JournalLoss withToVersion(final long to)
    {
        return new JournalLoss(file, fromVersion, to, what);
    }

    JournalLoss withWhat(final String more)
    {
        return new JournalLoss(file, fromVersion, toVersion, what + more);
    }
}
