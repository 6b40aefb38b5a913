package dev.engram.harness.latency;

import org.HdrHistogram.Histogram;

/**
 * One fixed-rate run: caller latency measured from each append's intended send time (coordinated
 * omission corrected) and, for diagnosis, from when the loop actually began the call (service time).
 *
 * @param target                 what was appended to.
 * @param producers              producer threads.
 * @param targetRate             total appends per second asked for.
 * @param measureStartNs         {@link System#nanoTime()} at which the measured window began.
 * @param measureNs              length of the measured window.
 * @param latencyNs              intended send time to append returned, measured window only.
 * @param serviceNs              call start to append returned, measured window only.
 * @param appends                appends in total, warm-up included.
 * @param measuredAppends        appends in the measured window.
 * @param achievedRate           measured appends per second of the measured window, to the last one's return.
 * @param callerAllocatedBytes   bytes the producer threads allocated in the measured window (-1 unknown).
 * @param involuntarySwitches    times the OS preempted the producer threads, whole run (-1 unknown).
 * @param gcCount                collections during the run.
 * @param backPressureEvents     times a producer found the ring full in the measured window.
 * @param backPressureTotal      the same over the whole run, warm-up included.
 * @param ringPeak               most deltas seen waiting in the ring in the measured window (sampled every 10 ms).
 * @param check                  the self-check.
 */
record LatencyResult(
    String target,
    int producers,
    long targetRate,
    long measureStartNs,
    long measureNs,
    Histogram latencyNs,
    Histogram serviceNs,
    long appends,
    long measuredAppends,
    double achievedRate,
    long callerAllocatedBytes,
    long involuntarySwitches,
    long gcCount,
    long backPressureEvents,
    long backPressureTotal,
    long ringPeak,
    AppendTarget.SelfCheck check)
{
    /**
     * @return true if the self-check passed and the histogram holds exactly the measured appends.
     */
    boolean passed()
    {
        return check.passed() && latencyNs.getTotalCount() == measuredAppends && serviceNs.getTotalCount() == measuredAppends;
    }

    /**
     * @param percentile 0..100.
     * @return the CO-corrected latency at it, in microseconds.
     */
    double latencyUs(final double percentile)
    {
        return latencyNs.getValueAtPercentile(percentile) / 1000.0;
    }

    /**
     * @param percentile 0..100.
     * @return the service time at it, in microseconds.
     */
    double serviceUs(final double percentile)
    {
        return serviceNs.getValueAtPercentile(percentile) / 1000.0;
    }
}
