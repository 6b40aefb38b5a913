package dev.engram.harness.stress;

/**
 * One concurrency scenario of the stress suite: it drives an engine through the public API from several
 * threads until the run's deadline and counts what it did and what went wrong in the run's
 * {@link StressStats}. Runs in a child JVM ({@link StressChild}), so a crash fails the scenario, not the
 * caller.
 */
interface StressScenario
{
    /**
     * @return the name used on the command line and in reports.
     */
    String name();

    /**
     * @return one line: what races what.
     */
    String describe();

    /**
     * Run until {@link StressRun#deadlineReached()}; failures are counted, not thrown.
     */
    void run(StressRun run) throws Exception;
}
