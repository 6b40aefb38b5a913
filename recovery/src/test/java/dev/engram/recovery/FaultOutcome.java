package dev.engram.recovery;

/**
 * How a store answered one injected fault. The last three fail the build.
 */
enum FaultOutcome
{
    /** Opened; every key equals the model at the acknowledged version; nothing reported. */
    OK(false),
    /** Opened at an older version, or with something rejected, lost (accepted), trimmed, refused on read or repaired, and
     * the report or the refusing exception says so; every value served equals the model at the recovered version. */
    REPORTED_FALLBACK(false),
    /** The open threw one of the engine's exceptions, naming the damaged file or its directory. */
    CLEAR_REFUSAL(false),
    /** The damage does not apply to this file (e.g. a bit flip in an empty lock file, the clean-shutdown record of a
     * crashed store). */
    NOT_APPLICABLE(false),
    /** A failure listed in {@link FaultKnownIssue}: counted and printed, not failing the build. */
    KNOWN_ISSUE(false),
    /** A value served differs from the model at the recovered version. */
    WRONG_DATA(true),
    /** Recovered before the acknowledged version (or lost tags) with nothing in the report. */
    UNREPORTED_LOSS(true),
    /** A non-engine exception or an Error (NPE, IndexOutOfBounds, Chronicle's raw RuntimeException, ...), or an engine
     * exception whose message names neither the damaged file nor its directory. */
    BAD_ERROR(true);

    final boolean fails;

    FaultOutcome(final boolean fails)
    {
        this.fails = fails;
    }
}
