package dev.engram.recovery;

/**
 * A version (or an instant) asked of the version history lies outside what the state directory still
 * holds: older than retention keeps, or newer than the journal's written version. The message names the
 * version and the available range; so do {@link #requestedVersion()} and {@link #range()}.
 */
public final class VersionUnavailableException extends IllegalArgumentException
{
    private final long requestedVersion;
    private final HistoryRange range;

    public VersionUnavailableException(final String what, final long requestedVersion, final HistoryRange range)
    {
        super(what + ": available versions are " + range.describe() + reason(requestedVersion, range));
        this.requestedVersion = requestedVersion;
        this.range = range;
    }

    private static String reason(final long requestedVersion, final HistoryRange range)
    {
        if (requestedVersion > range.newestVersion())
        {
            return " (version=" + requestedVersion + " is newer than the journal's written version=" + range.newestVersion() +
                ": wait for it with awaitApplied, or ask for an older one)";
        }
        if (requestedVersion < 0)
        {
            return " (versions are 0 or more)";
        }
        return " (older ones were removed by retention: see StateContext.historyVersions/historyDurationMs)";
    }

    /**
     * @return the version asked for (for an instant: the version found for it, or -1 if none).
     */
    public long requestedVersion()
    {
        return requestedVersion;
    }

    /**
     * @return what was available when the request was refused.
     */
    public HistoryRange range()
    {
        return range;
    }
}
