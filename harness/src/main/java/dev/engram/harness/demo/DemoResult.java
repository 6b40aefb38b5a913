package dev.engram.harness.demo;

import dev.engram.examples.consciousness.ConsciousnessWorkload.Sizes;
import dev.engram.testsupport.ChildJvm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one {@code ./engram demo} measured and checked.
 *
 * @param options   what was run.
 * @param main      the main run.
 * @param series    recovery at growing state sizes (empty with {@code --no-size-series}).
 * @param reportDir where the report went.
 */
public record DemoResult(DemoOptions options, KilledRun main, List<KilledRun> series, Path reportDir)
{
    /** @return the checks that failed, each a sentence; empty when the demo passed. */
    public List<String> failures()
    {
        final List<String> failures = new ArrayList<>(main.failures());
        series.forEach(run -> failures.addAll(run.failures()));
        return failures;
    }

    public boolean passed()
    {
        return failures().isEmpty();
    }

    /**
     * One worker run ended by {@code kill -9} and recovered in a fresh JVM.
     *
     * @param name                  "main" or "1/4 state", ...
     * @param sizes                 the world's sizes.
     * @param workerPid             the killed worker.
     * @param exitValue             its exit value (137 for SIGKILL).
     * @param killedAtNs            time from its first paced step to the kill.
     * @param stepsAtKill           steps it had committed when killed (its own count, published after each step).
     * @param writtenAtKill         the journal's written version it last published before the kill.
     * @param tailSteps             size series: steps after the run's checkpoint before the kill was allowed (0: main run).
     * @param progress              its last progress report (metrics), or null if it wrote none.
     * @param recovery              what the recoverer found.
     * @param processStartToReadyUs recoverer process spawn → engine ready, µs.
     */
    public record KilledRun(
        String name,
        Sizes sizes,
        long workerPid,
        int exitValue,
        long killedAtNs,
        long stepsAtKill,
        long writtenAtKill,
        long tailSteps,
        WorkerProgress progress,
        RecoveryResult recovery,
        long processStartToReadyUs)
    {
        /** @return the checks of this run that failed. */
        public List<String> failures()
        {
            final List<String> failures = new ArrayList<>();
            if (exitValue != ChildJvm.SIGKILL_EXIT_VALUE)
            {
                failures.add(name + ": worker pid=" + workerPid + " exited with " + exitValue + ", not " +
                    ChildJvm.SIGKILL_EXIT_VALUE + " (SIGKILL)");
            }
            if (recovery.recoveredVersion() < writtenAtKill)
            {
                failures.add(name + ": LOST WRITTEN VERSIONS: recovered r=" + recovery.recoveredVersion() +
                    " < written version the worker published=" + writtenAtKill);
            }
            if (!recovery.verified())
            {
                failures.add(name + ": recovered state differs from the reference model at r=" + recovery.recoveredVersion() +
                    ": " + recovery.verification());
            }
            if (recovery.cleanShutdown())
            {
                failures.add(name + ": recovery saw a clean shutdown after a kill -9");
            }
            if (recovery.rejected() > 0)
            {
                failures.add(name + ": a kill -9 must not damage a published checkpoint, but recovery rejected " +
                    recovery.rejected() + ": " + recovery.recoveryDescribe());
            }
            return failures;
        }

        /** @return true for the main run (not a size-series point). */
        public boolean isMain()
        {
            return tailSteps == 0;
        }

        /** @return wall time of the main run's stepping in seconds. */
        public double killedAtSeconds()
        {
            return killedAtNs / 1e9;
        }
    }
}
