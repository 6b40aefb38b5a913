package dev.engram.harness.stress;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one scenario run in a child JVM ended, as the parent sees it: the child's counts (from its summary
 * line), the failures it described, and whether it crashed (a fatal error log, an exit by signal, no summary
 * line, or no end within the time allowed). Passed means: no crash, a summary, zero failures, exit 0.
 *
 * @param scenario    the scenario's name.
 * @param wallSeconds from start to exit, as the parent measured.
 * @param exitCode    the child's exit status (128 + n: ended by signal n; -1: killed after a timeout).
 * @param counts      the summary's counts by name (empty without a summary line).
 * @param failures    the failures the child described.
 * @param crash       what the crash was, or null.
 * @param directory   the run's directory (engine files, child.out, child.err, hs_err).
 */
record StressOutcome(String scenario, double wallSeconds, int exitCode, Map<String, Long> counts, List<String> failures,
    String crash, Path directory)
{
    StressOutcome
    {
        counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        failures = List.copyOf(failures);
    }

    /**
     * Read a child's output and ending into an outcome.
     *
     * @param stdout   the child's standard output, line by line.
     * @param hsErr    summaries of fatal error logs found (empty if none).
     * @param timedOut what the timeout was, or null if the child ended by itself.
     */
    static StressOutcome parse(final String scenario, final double wallSeconds, final int exitCode, final List<String> stdout,
        final List<String> hsErr, final String timedOut, final String stderrTail, final Path directory)
    {
        final Map<String, Long> counts = new LinkedHashMap<>();
        final List<String> failures = new ArrayList<>();
        for (final String line : stdout)
        {
            if (line.startsWith(StressStats.FAILURE_PREFIX + " "))
            {
                failures.add(line.substring(StressStats.FAILURE_PREFIX.length() + 1));
            }
            else if (line.startsWith(StressStats.SUMMARY_PREFIX + " "))
            {
                counts.clear();
                for (final String pair : line.substring(StressStats.SUMMARY_PREFIX.length() + 1).split(" "))
                {
                    final int eq = pair.indexOf('=');
                    if (eq > 0 && pair.substring(eq + 1).matches("-?\\d+"))
                    {
                        counts.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
                    }
                }
            }
        }
        String crash = null;
        if (!hsErr.isEmpty())
        {
            crash = "JVM crashed: " + String.join(" / ", hsErr);
        }
        else if (timedOut != null)
        {
            crash = "hung: " + timedOut;
        }
        else if (exitCode > 128)
        {
            crash = "ended by signal " + (exitCode - 128) + " (exit " + exitCode + ")" + tail(stderrTail);
        }
        else if (!counts.containsKey("failures"))
        {
            crash = "exited with status " + exitCode + " without a summary line" + tail(stderrTail);
        }
        else if (exitCode != 0 && exitCode != 1)
        {
            crash = "exited with status " + exitCode + tail(stderrTail);
        }
        return new StressOutcome(scenario, wallSeconds, exitCode, counts, failures, crash, directory);
    }

    private static String tail(final String stderrTail)
    {
        return stderrTail == null || stderrTail.isBlank() ? "" : "; stderr ends: " + stderrTail.strip().replace('\n', ' ');
    }

    boolean crashed()
    {
        return crash != null;
    }

    long count(final String name)
    {
        return counts.getOrDefault(name, 0L);
    }

    boolean passed()
    {
        return crash == null && exitCode == 0 && counts.containsKey("failures") && count("failures") == 0;
    }

    /**
     * @return one line of counts and the verdict, then one line per failure described.
     */
    String describe()
    {
        return describe(Integer.MAX_VALUE);
    }

    /**
     * @return one line of counts and the verdict, then a line per failure described, at most {@code maxFailures}.
     */
    String describe(final int maxFailures)
    {
        final StringBuilder sb = new StringBuilder(String.format("%-22s %s in %.1f s:", scenario,
            passed() ? "PASS" : "FAIL", wallSeconds));
        counts.forEach((name, value) -> sb.append(' ').append(name).append('=').append(value));
        if (crash != null)
        {
            sb.append(System.lineSeparator()).append("  CRASH ").append(crash);
        }
        for (int i = 0; i < Math.min(maxFailures, failures.size()); i++)
        {
            sb.append(System.lineSeparator()).append("  ").append(failures.get(i));
        }
        if (failures.size() > maxFailures)
        {
            sb.append(System.lineSeparator()).append("  ... ").append(failures.size() - maxFailures)
                .append(" more lines in child.out");
        }
        if (!passed())
        {
            sb.append(System.lineSeparator()).append("  (child output and files in ").append(directory).append(')');
        }
        return sb.toString();
    }
}
