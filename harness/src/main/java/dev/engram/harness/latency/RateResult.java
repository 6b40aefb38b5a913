package dev.engram.harness.latency;

/**
 * One rate of {@code ./engram bench rates}: the no-op floor, the engine with no checkpoint being built
 * ({@code quiet}) and the engine while checkpoints were built back to back ({@code during}), all on the same
 * fixed-rate schedule, plus what the checkpoint builds did in each measured window.
 *
 * @param rate                 total appends per second.
 * @param floor                the no-op control.
 * @param quiet                engine appends, no checkpoint in progress.
 * @param during               engine appends while the checkpoint loop ran.
 * @param quietCheckpoints     checkpoints the engine completed during the quiet run (must be 0).
 * @param duringCheckpoints    checkpoints the engine completed during the "during" run, warm-up included.
 * @param duringBuildsInWindow builds in progress at some point of the "during" measured window.
 * @param duringCoverage       fraction of the "during" measured window with a build in progress.
 * @param medianBuildMs        median build time of the "during" run.
 * @param quietCpu             who used the CPUs during the quiet run (warm-up included).
 * @param duringCpu            the same for the during-checkpoint run.
 * @param windowCheck          the self-check on those counts.
 */
record RateResult(
    long rate,
    LatencyResult floor,
    LatencyResult quiet,
    LatencyResult during,
    long quietCheckpoints,
    long duringCheckpoints,
    int duringBuildsInWindow,
    double duringCoverage,
    double medianBuildMs,
    CpuShare.Usage quietCpu,
    CpuShare.Usage duringCpu,
    AppendTarget.SelfCheck windowCheck)
{
    /** The target: checkpoint building raises producers' append p99 by at most this factor. */
    static final double TARGET_P99_RATIO = 2.0;

    /** @return p99 during checkpoint builds / p99 quiet (coordinated-omission corrected latency). */
    double p99Ratio()
    {
        return ratio(during.latencyNs().getValueAtPercentile(99), quiet.latencyNs().getValueAtPercentile(99));
    }

    /** @return the same ratio of service time (call start to return). */
    double serviceP99Ratio()
    {
        return ratio(during.serviceNs().getValueAtPercentile(99), quiet.serviceNs().getValueAtPercentile(99));
    }

    /** @return true if {@link #p99Ratio()} is within the target. */
    boolean targetMet()
    {
        return p99Ratio() <= TARGET_P99_RATIO;
    }

    /** @return true if every run's self-check and the window check passed. */
    boolean passed()
    {
        return floor.passed() && quiet.passed() && during.passed() && windowCheck.passed();
    }

    private static double ratio(final long numerator, final long denominator)
    {
        return (double)numerator / Math.max(1, denominator);
    }
}
