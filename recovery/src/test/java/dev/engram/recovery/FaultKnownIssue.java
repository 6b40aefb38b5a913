package dev.engram.recovery;

import java.util.function.Predicate;

/**
 * Failures the fault-injection suite knows and does not fail the build on, each matched narrowly (file kind, damage and
 * what went wrong) so anything else still fails. Each is listed in docs/reliability.md ("Fault injection") with what a
 * fix needs. (A refusal that leaves only Chronicle's {@code metadata.cq4t} changed is counted as a clear refusal and
 * counted apart: {@link FaultInjector#METADATA_TOUCHED}.) A known issue is reported as {@link FaultOutcome#KNOWN_ISSUE}, counted and printed with its description.
 */
enum FaultKnownIssue
{
    /**
     * A cycle file truncated inside its data: the open that reads it through Chronicle is refused (naming the journal
     * directory), but Chronicle maps the file for writing first and so extends it back to its block size with zeros
     * (and updates {@code metadata.cq4t}): the bytes that were left are unchanged, the file's length is not.
     */
    REFUSED_OPEN_EXTENDS_TRUNCATED_CYCLE_FILE("a refused open leaves a truncated cycle file extended by Chronicle",
        r -> r.outcome() == FaultOutcome.BAD_ERROR && r.fault().kind().isCycleFile() &&
            (r.fault().damage() == FaultDamage.TRUNCATE || r.fault().damage() == FaultDamage.TRUNCATE_TO_BLOCK) &&
            r.detail().matches("(?s)" + java.util.regex.Pattern.quote(FaultInjector.CHANGED) +
                "\\[journal/[0-9T-]+\\.cq4(, journal/metadata\\.cq4t)?\\]\n.*")),

    /**
     * Random bytes over the last frame of the newest cycle file and past the end of its data (seed 20261208 case
     * 1080): the open is refused before the queue opens, changing nothing; the same open with the loss accepted must
     * retire the damaged frames with a trim frame, and Chronicle cannot append after bytes that are neither documents
     * nor zeros. That open is refused too (a {@code JournalException} naming the file and position, next step: restore
     * from a backup), but Chronicle has changed the cycle file (and the journal its manifest) by then. A fix needs the
     * journal to clear the bytes after its last valid document itself before Chronicle's appender looks at them.
     */
    ACCEPTED_OPEN_CANNOT_RETIRE_A_GARBAGE_TAIL("an open with the loss accepted cannot retire a torn tail followed by " +
        "garbage and leaves the newest cycle file changed",
        r -> r.outcome() == FaultOutcome.BAD_ERROR && r.fault().kind() == FaultFileKind.CYCLE_TAIL &&
            r.detail().contains("could not be retired: Chronicle failed to append the trim frame"));

    final String description;
    private final Predicate<FaultInjector.Result> matches;

    FaultKnownIssue(final String description, final Predicate<FaultInjector.Result> matches)
    {
        this.description = description;
        this.matches = matches;
    }

    static FaultInjector.Result reclassify(final FaultInjector.Result result)
    {
        if (!result.outcome().fails)
        {
            return result;
        }
        for (final FaultKnownIssue issue : values())
        {
            if (issue.matches.test(result))
            {
                return new FaultInjector.Result(result.fault(), FaultOutcome.KNOWN_ISSUE, result.damage(),
                    "known issue " + issue + " (" + issue.description + "), was " + result.outcome() + ": " + result.detail());
            }
        }
        return result;
    }
}
