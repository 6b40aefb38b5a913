package dev.engram.harness.stress;

import dev.engram.harness.CommandLineValues;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ./engram stress}: the concurrency stress suite, long. Runs the scenarios round-robin, each run in a
 * fresh child JVM, until the time is up; prints every run's outcome as it ends, then per-scenario counts and
 * a PASS/FAIL verdict. Exit status 1 if any run crashed or found a wrong value, a missed or duplicated key or
 * an unexpected exception.
 */
public final class StressCommand
{
    static final String USAGE = """
        usage: ./engram stress [options]
          --minutes 30            how long in all (round-robin over the scenarios; every scenario runs at least once)
          --scenario NAME[,NAME]  only these (default: all):
                                  %s
          --seconds-per-run S     length of one run, one child JVM (default: min(60, the time / the scenarios), >= 5)
          --dir D                 where run directories go (default: a new /tmp/engram-stress-*); a failing run's
                                  directory (engine files, child.out, child.err, hs_err_pid*.log) is kept
          --keep                  keep passing runs' directories too
          --seed S                first run's seed (default: the time)
        """;

    private static final double MIN_RUN_SECONDS = 5;
    private static final int FAILURES_SHOWN = 5;

    private StressCommand()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        double minutes = 30;
        double secondsPerRun = 0;
        List<String> scenarios = StressSuite.scenarioNames();
        Path dir = null;
        boolean keep = false;
        long seed = System.currentTimeMillis();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--minutes" -> minutes = CommandLineValues.number(arg, CommandLineValues.value(args, ++i, arg));
                case "--seconds-per-run" -> secondsPerRun = CommandLineValues.number(arg, CommandLineValues.value(args, ++i, arg));
                case "--scenario" -> scenarios = List.of(CommandLineValues.value(args, ++i, arg).split(","));
                case "--dir" -> dir = Path.of(CommandLineValues.value(args, ++i, arg));
                case "--keep" -> keep = true;
                case "--seed" -> seed = CommandLineValues.count(arg, CommandLineValues.value(args, ++i, arg));
                case "--help", "-h" ->
                {
                    System.out.print(usage());
                    return;
                }
                default ->
                {
                    System.err.println("unknown option: " + arg);
                    System.err.print(usage());
                    System.exit(2);
                }
            }
        }
        for (final String scenario : scenarios)
        {
            StressScenarios.named(scenario);
        }
        if (dir == null)
        {
            dir = Files.createTempDirectory("engram-stress-");
        }
        Files.createDirectories(dir);
        final double totalSeconds = minutes * 60;
        final double perRun = secondsPerRun > 0 ? secondsPerRun :
            Math.max(MIN_RUN_SECONDS, Math.min(60, totalSeconds / scenarios.size()));
        System.out.printf("engram stress: %s round-robin for %.1f min, %.0f s a run, each in its own JVM; seed %d; runs in %s%n",
            String.join(", ", scenarios), minutes, perRun, seed, dir);
        final int exit = run(new StressSuite(dir, seed, keep), scenarios, totalSeconds, perRun) ? 0 : 1;
        System.exit(exit);
    }

    static String usage()
    {
        return String.format(USAGE, String.join(", ", StressSuite.scenarioNames()));
    }

    /**
     * @return true if every run passed.
     */
    static boolean run(final StressSuite suite, final List<String> scenarios, final double totalSeconds, final double perRun)
        throws Exception
    {
        final long start = System.nanoTime();
        final long deadline = start + (long)(totalSeconds * 1e9);
        final StressTally tally = new StressTally(scenarios);
        final List<StressOutcome> failed = new ArrayList<>();
        final DateTimeFormatter clock = DateTimeFormatter.ofPattern("HH:mm:ss");
        for (int round = 0; ; round++)
        {
            for (final String scenario : scenarios)
            {
                final double remaining = (deadline - System.nanoTime()) / 1e9;
                if (round > 0 && remaining < MIN_RUN_SECONDS)
                {
                    return finish(tally, failed, start);
                }
                final double seconds = round == 0 ? perRun : Math.min(perRun, remaining);
                final StressOutcome outcome = suite.run(scenario, seconds);
                tally.add(outcome);
                if (!outcome.passed())
                {
                    failed.add(outcome);
                }
                System.out.println("[" + LocalTime.now().format(clock) + "] " + outcome.describe(FAILURES_SHOWN));
                System.out.flush();
            }
        }
    }

    private static boolean finish(final StressTally tally, final List<StressOutcome> failed, final long start)
    {
        final double minutes = (System.nanoTime() - start) / 60e9;
        System.out.println();
        System.out.println(tally.describe(minutes));
        if (!failed.isEmpty())
        {
            System.out.println("failed runs (directories kept):");
            for (final StressOutcome outcome : failed)
            {
                System.out.println("  " + outcome.scenario() + ": " + (outcome.crash() != null ? "CRASH " + outcome.crash() :
                    outcome.failures().isEmpty() ? "exit " + outcome.exitCode() : outcome.failures().get(0)) +
                    " (" + outcome.directory() + ")");
            }
        }
        return tally.passed();
    }
}
