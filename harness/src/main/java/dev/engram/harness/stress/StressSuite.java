package dev.engram.harness.stress;

import dev.engram.testsupport.ChildJvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs scenarios, each in its own child JVM ({@link StressChildJvm}) in its own directory under a root, and
 * turns each child's ending into a {@link StressOutcome}. A child that does not end within its run time plus
 * {@link #GRACE_SECONDS} is asked for a thread dump (SIGQUIT, into its child.out) and killed. The directory of
 * a passing run is deleted unless kept; a failing one is always kept.
 */
public final class StressSuite
{
    /** Time a child gets beyond its run time to open, close and report (generous: a loaded machine). */
    static final long GRACE_SECONDS = 120;

    private final Path root;
    private final long seed;
    private final boolean keepPassing;
    private int runs;

    /**
     * @param root        where run directories go.
     * @param seed        the first run's seed (each run gets the next).
     * @param keepPassing keep the directories of passing runs too.
     */
    public StressSuite(final Path root, final long seed, final boolean keepPassing)
    {
        this.root = root;
        this.seed = seed;
        this.keepPassing = keepPassing;
    }

    /**
     * @return the names of the scenarios a full run covers, in order.
     */
    public static List<String> scenarioNames()
    {
        return StressScenarios.all().stream().map(StressScenario::name).toList();
    }

    /**
     * Run one scenario for {@code seconds} in a child JVM.
     */
    StressOutcome run(final String scenario, final double seconds) throws IOException, InterruptedException
    {
        StressScenarios.named(scenario);   // an unknown name fails here, not in the child
        final int run = ++runs;
        final long runSeed = seed + run;
        final Path dir = root.resolve(String.format("%03d-%s", run, scenario));
        deleteTree(dir);   // a fresh engine: stamps restart with every run
        final long start = System.nanoTime();
        final int exit;
        String timedOut = null;
        try (ChildJvm child = StressChildJvm.start(scenario, dir, seconds, runSeed))
        {
            final long limit = (long)Math.ceil(seconds) + GRACE_SECONDS;
            if (!child.waitFor(limit, TimeUnit.SECONDS))
            {
                timedOut = "no exit within " + limit + " s (thread dump requested into " + dir.resolve(StressChildJvm.STDOUT) +
                    ", then killed)";
                child.requestThreadDump();
                child.waitFor(5, TimeUnit.SECONDS);   // let the dump be written; ends early only if the child exits
                child.close();   // SIGKILL; a child that even outlives that is reported with exit -1
            }
            exit = child.isAlive() ? -1 : child.exitValue();
        }
        final double wall = (System.nanoTime() - start) / 1e9;
        final List<String> hsErr = new ArrayList<>();
        for (final Path file : HsErrFile.find(dir))
        {
            hsErr.add(HsErrFile.summarize(file));
        }
        final StressOutcome outcome = StressOutcome.parse(scenario, wall, exit, lines(dir.resolve(StressChildJvm.STDOUT)),
            hsErr, timedOut, tail(dir.resolve(StressChildJvm.STDERR)), dir);
        if (outcome.passed() && !keepPassing)
        {
            deleteTree(dir);
        }
        return outcome;
    }

    private static List<String> lines(final Path file) throws IOException
    {
        return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.ISO_8859_1) : List.of();
    }

    private static String tail(final Path file) throws IOException
    {
        if (!Files.exists(file))
        {
            return "";
        }
        final String text = Files.readString(file, StandardCharsets.ISO_8859_1);
        return text.length() > 1500 ? "..." + text.substring(text.length() - 1500) : text;
    }

    static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(file);
            }
        }
    }
}
