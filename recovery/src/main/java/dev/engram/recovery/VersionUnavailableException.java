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

    VersionUnavailableException(final String what, final long requestedVersion, final HistoryRange range)
    {
        super(what + ": available versions are " + range.describe() +
            " (older ones were removed by retention: see StateContext.historyVersions/historyDurationMs)");
        this.requestedVersion = requestedVersion;
        this.range = range;
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
