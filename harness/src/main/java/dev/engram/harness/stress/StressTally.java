package dev.engram.harness.stress;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Outcomes of many runs added up per scenario, printed as one table with a verdict: PASS only if every run
 * passed (no crash, no wrong value, no missed or duplicated key, no unexpected exception).
 */
final class StressTally
{
    private static final List<String> COLUMNS = List.of("ops", "reads", "validations", "iterations", "cycles", "checkpoints",
        "closedRaces", "wrongValues", "missedKeys", "duplicateKeys", "unexpectedExceptions", "otherFailures");

    /** Per scenario: runs, passed, crashed, then the columns summed. */
    private final Map<String, long[]> rows = new LinkedHashMap<>();

    StressTally(final List<String> scenarios)
    {
        for (final String scenario : scenarios)
        {
            rows.put(scenario, new long[3 + COLUMNS.size()]);
        }
    }

    void add(final StressOutcome outcome)
    {
        final long[] row = rows.computeIfAbsent(outcome.scenario(), s -> new long[3 + COLUMNS.size()]);
        row[0]++;
        row[1] += outcome.passed() ? 1 : 0;
        row[2] += outcome.crashed() ? 1 : 0;
        for (int i = 0; i < COLUMNS.size(); i++)
        {
            row[3 + i] += outcome.count(COLUMNS.get(i));
        }
    }

    boolean passed()
    {
        return rows.values().stream().allMatch(row -> row[0] > 0 && row[1] == row[0]);
    }

    long runs()
    {
        return rows.values().stream().mapToLong(row -> row[0]).sum();
    }

    long total(final String column)
    {
        final int i = COLUMNS.indexOf(column);
        return rows.values().stream().mapToLong(row -> row[3 + i]).sum();
    }

    long crashes()
    {
        return rows.values().stream().mapToLong(row -> row[2]).sum();
    }

    /**
     * @return the table and the verdict line.
     */
    String describe(final double minutes)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-22s %5s %6s %7s %12s %13s %12s %10s %7s %7s %8s %6s %7s %6s %6s %6s%n", "scenario", "runs",
            "passed", "crashed", "ops", "reads", "validations", "iterations", "cycles", "ckpts", "closed*", "wrong",
            "missed", "dup", "unexp", "other"));
        rows.forEach((scenario, row) -> sb.append(String.format(
            "%-22s %5d %6d %7d %12d %13d %12d %10d %7d %7d %8d %6d %7d %6d %6d %6d%n", scenario, row[0], row[1], row[2],
            row[3], row[4], row[5], row[6], row[7], row[8], row[9], row[10], row[11], row[12], row[13], row[14])));
        sb.append("(closed* = calls that met close() and threw the documented closed-engine IllegalStateException: allowed)")
            .append(System.lineSeparator());
        sb.append(String.format("%s: %d runs in %.1f min: %d crashes, %d wrong values, %d missed keys, %d duplicate keys, " +
            "%d unexpected exceptions, %d other failures%s", passed() ? "PASS" : "FAIL", runs(), minutes, crashes(),
            total("wrongValues"), total("missedKeys"), total("duplicateKeys"), total("unexpectedExceptions"),
            total("otherFailures"), rows.values().stream().anyMatch(row -> row[0] == 0) ? " (some scenarios never ran)" : ""));
        return sb.toString();
    }
}
