package dev.engram.harness.stress;

import dev.engram.journal.EngramSystemProperties;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The child JVM of one scenario run ({@code stress-child SCENARIO DIR SECONDS SEED}): runs the scenario,
 * prints what it counted ({@link StressStats#print}) and exits 0 if nothing failed, 1 otherwise. Any other
 * ending (a signal, an hs_err file, no summary line) is a crash to the parent ({@link StressOutcome}).
 */
public final class StressChild
{
    /** The harness command ({@code Main stress-child SCENARIO DIR SECONDS SEED}). */
    public static final String COMMAND = "stress-child";

    private StressChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        EngramSystemProperties.apply();
        if (args.length != 4)
        {
            System.err.println("usage: stress-child SCENARIO DIR SECONDS SEED");
            System.exit(2);
        }
        final StressScenario scenario = StressScenarios.named(args[0]);
        final Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        final StressRun run = new StressRun(dir, Long.parseLong(args[3]), Double.parseDouble(args[2]));
        System.out.println("stress " + scenario.name() + ": " + scenario.describe() + " (seed " + args[3] + ", " +
            args[2] + " s, pid " + ProcessHandle.current().pid() + ")");
        System.out.flush();
        try
        {
            scenario.run(run);
        }
        catch (final Throwable failure)
        {
            if (!(failure instanceof Workers.Stop))
            {
                run.stats().unexpected("main", failure);
            }
        }
        run.stats().print(System.out, scenario.name(), run.elapsedSeconds());
        System.exit(run.stats().failures() == 0 ? 0 : 1);
    }
}
