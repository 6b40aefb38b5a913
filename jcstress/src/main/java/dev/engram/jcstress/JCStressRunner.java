package dev.engram.jcstress;

import org.openjdk.jcstress.JCStress;
import org.openjdk.jcstress.Options;
import org.openjdk.jcstress.infra.Status;
import org.openjdk.jcstress.infra.collectors.DiskReadCollector;
import org.openjdk.jcstress.infra.collectors.InProcessCollector;
import org.openjdk.jcstress.infra.collectors.TestResult;
import org.openjdk.jcstress.infra.grading.ReportUtils;
import org.openjdk.jcstress.infra.runners.TestList;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Runs jcstress like {@code org.openjdk.jcstress.Main} (same options), then reads the run's result file and
 * exits non-zero unless every selected test ran and passed, with one line per test: status, samples and the count
 * of each outcome. (jcstress 0.16's own {@code Main} signals failures only by an {@code AssertionError} escaping
 * from its final report, and returns normally, exit 0, when no test matched or the run produced no results.)
 * A test fails on a FORBIDDEN outcome, an exception in an actor or arbiter, a timeout, or a crash of its forked VM
 * (e.g. a SIGSEGV from reading an address that is not one).
 */
public final class JCStressRunner
{
    private JCStressRunner()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final long start = System.nanoTime();
        final Options options = new Options(args);
        if (!options.parse())
        {
            System.exit(2);
        }
        if (options.shouldList() || options.shouldParse())
        {
            org.openjdk.jcstress.Main.main(args);
            return;
        }

        final SortedSet<String> expected = new TreeSet<>();
        final Pattern filter = Pattern.compile(options.getTestFilter());
        for (final String test : TestList.tests())
        {
            if (filter.matcher(test).find())
            {
                expected.add(test);
            }
        }
        if (expected.isEmpty())
        {
            System.err.println("jcstress: no test matches '" + options.getTestFilter() +
                "' (was the annotation processor run? META-INF/TestList lists the tests)");
            System.exit(1);
        }

        try
        {
            new JCStress(options).run();
        }
        catch (final AssertionError failures)
        {
            // jcstress 0.16 reports failed, crashed or timed-out tests by throwing this from its final report; the
            // results are judged below from the result file, which names each test and what went wrong
            System.out.println("jcstress reported failures (judged below)");
        }

        final File resultFile = new File(options.getResultFile());
        if (!resultFile.isFile())
        {
            System.err.println("jcstress: no result file " + resultFile.getAbsolutePath() + ": the run did not complete");
            System.exit(1);
        }
        final InProcessCollector collector = new InProcessCollector();
        final DiskReadCollector reader = new DiskReadCollector(resultFile.getPath(), collector);
        try
        {
            reader.dump();
        }
        finally
        {
            reader.close();
        }

        final List<String> problems = new ArrayList<>();
        final SortedSet<String> seen = new TreeSet<>();
        int passed = 0;
        final List<String> lines = new ArrayList<>();
        for (final TestResult result : ReportUtils.mergedByName(collector.getTestResults()))
        {
            seen.add(result.getName());
            lines.add(describe(result));
            if (result.status() != Status.NORMAL)
            {
                problems.add(result.getName() + ": " + result.status() +
                    (result.status() == Status.VM_ERROR ? " (the forked VM crashed or exited abnormally)" : "") +
                    firstLines(result.getMessages()) + firstLines(result.getVmErr()));
            }
            else if (!result.grading().isPassed)
            {
                final List<String> messages = result.grading().failureMessages;
                problems.add(result.getName() + ": " + messages.size() + " FORBIDDEN outcome(s) seen, e.g. " +
                    messages.subList(0, Math.min(3, messages.size())));
            }
            else
            {
                passed++;
            }
        }
        for (final String test : expected)
        {
            if (!seen.contains(test))
            {
                problems.add(test + ": no result (not run)");
            }
        }

        final long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        System.out.println();
        System.out.println("jcstress summary (" + seconds + " s; report: " + options.getResultDest() + "index.html, blob: " +
            resultFile.getAbsolutePath() + ")");
        for (final String line : lines)
        {
            System.out.println("  " + line);
        }
        if (problems.isEmpty())
        {
            System.out.println("jcstress: all " + passed + " tests OK (0 with FORBIDDEN outcomes, 0 errors or VM crashes)");
            System.exit(0);
        }
        for (final String problem : problems)
        {
            System.out.println("jcstress: FAILED " + problem);
        }
        System.out.println("jcstress: " + problems.size() + " of " + expected.size() + " tests FAILED");
        System.exit(1);
    }

    /** One line: the test, its status, samples, and how many times each outcome was seen. */
    private static String describe(final TestResult result)
    {
        final StringBuilder out = new StringBuilder();
        final String status = result.status() != Status.NORMAL ? result.status().toString() :
            result.grading().isPassed ? "OK" : "FAILED";
        out.append(String.format("%-7s %s: %,d samples", status, result.getName(), result.getTotalCount()));
        String separator = " [";
        for (final String state : new TreeSet<>(result.getStateKeys()))
        {
            out.append(separator).append('(').append(state).append(") ").append(String.format("%,d", result.getCount(state)));
            separator = ", ";
        }
        if (!", ".equals(separator))
        {
            return out.toString();
        }
        return out.append(']').toString();
    }

    private static String firstLines(final List<String> lines)
    {
        if (lines == null || lines.isEmpty())
        {
            return "";
        }
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(lines.size(), 12); i++)
        {
            out.append(System.lineSeparator()).append("    ").append(lines.get(i));
        }
        return out.toString();
    }
}
