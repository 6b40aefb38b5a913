package dev.engram.harness.stress;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one scenario run in a child JVM counted, shared by its threads: work done and every failure, with
 * the first {@link #MAX_DETAILS} failures described. The child prints it as one summary line
 * ({@link #SUMMARY_PREFIX} then {@code name=value} pairs) and one line per failure described
 * ({@link #FAILURE_PREFIX}); the parent parses those ({@link StressOutcome}).
 */
final class StressStats
{
    static final String SUMMARY_PREFIX = "STRESS-SUMMARY";
    static final String FAILURE_PREFIX = "STRESS-FAILURE";
    static final int MAX_DETAILS = 25;

    final LongAdder ops = new LongAdder();
    final LongAdder reads = new LongAdder();
    final LongAdder validations = new LongAdder();
    final LongAdder iterations = new LongAdder();
    final LongAdder cycles = new LongAdder();
    final LongAdder checkpoints = new LongAdder();
    final LongAdder closedRaces = new LongAdder();
    /** After-open index checks that a close stopped (scenario close-during-after-open-checks). */
    final LongAdder checksStoppedByClose = new LongAdder();
    final LongAdder wrongValues = new LongAdder();
    final LongAdder missedKeys = new LongAdder();
    final LongAdder duplicateKeys = new LongAdder();
    final LongAdder unexpectedExceptions = new LongAdder();
    final LongAdder otherFailures = new LongAdder();

    private final AtomicInteger detailCount = new AtomicInteger();
    private final List<String> details = new ArrayList<>();

    void wrongValue(final String thread, final String problem)
    {
        wrongValues.increment();
        detail("wrong-value", thread, problem);
    }

    void missed(final String thread, final long keys, final String problem)
    {
        missedKeys.add(keys);
        detail("missed-keys", thread, problem);
    }

    void duplicated(final String thread, final long keys, final String problem)
    {
        duplicateKeys.add(keys);
        detail("duplicate-keys", thread, problem);
    }

    void unexpected(final String thread, final Throwable failure)
    {
        unexpectedExceptions.increment();
        detail("unexpected-exception", thread, CallOutcome.describe(failure));
    }

    void other(final String thread, final String problem)
    {
        otherFailures.increment();
        detail("failure", thread, problem);
    }

    private void detail(final String kind, final String thread, final String text)
    {
        if (detailCount.getAndIncrement() < MAX_DETAILS)
        {
            synchronized (details)
            {
                details.add(kind + " [" + thread + "] " + text.replace('\n', ' '));
            }
        }
    }

    long failures()
    {
        return wrongValues.sum() + missedKeys.sum() + duplicateKeys.sum() + unexpectedExceptions.sum() + otherFailures.sum();
    }

    /**
     * @return the counts by name, in print order.
     */
    Map<String, Long> counts()
    {
        final Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("ops", ops.sum());
        counts.put("reads", reads.sum());
        counts.put("validations", validations.sum());
        counts.put("iterations", iterations.sum());
        counts.put("cycles", cycles.sum());
        counts.put("checkpoints", checkpoints.sum());
        counts.put("closedRaces", closedRaces.sum());
        counts.put("checksStoppedByClose", checksStoppedByClose.sum());
        counts.put("wrongValues", wrongValues.sum());
        counts.put("missedKeys", missedKeys.sum());
        counts.put("duplicateKeys", duplicateKeys.sum());
        counts.put("unexpectedExceptions", unexpectedExceptions.sum());
        counts.put("otherFailures", otherFailures.sum());
        counts.put("failures", failures());
        return counts;
    }

    /**
     * Print the failure lines, then the summary line.
     */
    void print(final PrintStream out, final String scenario, final double seconds)
    {
        synchronized (details)
        {
            for (final String detail : details)
            {
                out.println(FAILURE_PREFIX + " " + detail);
            }
        }
        if (detailCount.get() > MAX_DETAILS)
        {
            out.println(FAILURE_PREFIX + " ... " + (detailCount.get() - MAX_DETAILS) + " more failures not described");
        }
        final StringBuilder sb = new StringBuilder(SUMMARY_PREFIX).append(" scenario=").append(scenario)
            .append(String.format(" seconds=%.1f", seconds));
        counts().forEach((name, value) -> sb.append(' ').append(name).append('=').append(value));
        out.println(sb);
        out.flush();
    }
}
