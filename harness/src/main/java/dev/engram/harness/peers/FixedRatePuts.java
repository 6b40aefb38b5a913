package dev.engram.harness.peers;

import org.HdrHistogram.Histogram;

import java.util.concurrent.TimeUnit;

/**
 * Single-thread puts at a fixed rate with caller latency corrected for coordinated omission: put {@code i}
 * is due at {@code start + i / rate}; the loop builds its key and value, spins until it is due, puts, and
 * records {@code returned - due}. A put that starts late (the previous one, a GC or the OS took longer than
 * the interval) is sent at once and its latency includes the wait, as a caller on schedule would see it.
 * Puts due in the warm-up are sent, not recorded.
 */
final class FixedRatePuts
{
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);

    /**
     * @param latencyNs      due to returned, measured puts only.
     * @param measured       puts recorded.
     * @param achievedRate   recorded puts per second, from the measured window's start to the last return.
     * @param serviceNs      call start to return, measured puts only (what one put costs, without the backlog).
     * @param serviceTotalNs call start to return summed over every put, warm-up included: the caller's time in put
     *                       calls, without the pacing spin between them.
     * @param callerCpuNs    the caller thread's CPU time inside put calls, summed over every put, or -1 where not
     *                       measured (it costs two clock reads of the thread's CPU per put, so only when asked).
     */
    record Result(Histogram latencyNs, long measured, double achievedRate, Histogram serviceNs, long serviceTotalNs,
        long callerCpuNs)
    {
    }

    private FixedRatePuts()
    {
    }

    static Result run(final PeerStore store, final TailPuts tail, final int puts, final int rate, final long warmupNs)
        throws Exception
    {
        return run(store, tail, puts, rate, warmupNs, false);
    }

    /**
     * @param callerCpu also sum the caller thread's CPU time inside each put call ({@link Result#callerCpuNs()}).
     */
    static Result run(final PeerStore store, final TailPuts tail, final int puts, final int rate, final long warmupNs,
        final boolean callerCpu) throws Exception
    {
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        final boolean cpu = callerCpu && threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
        long callerCpuNs = 0;
        if (puts < 1 || rate < 1 || warmupNs < 0)
        {
            throw new IllegalArgumentException("puts=" + puts + " rate=" + rate + " warmupNs=" + warmupNs +
                ": puts and rate must be positive, warm-up not negative");
        }
        final Histogram latency = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        final double nsPerPut = 1e9 / rate;
        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1);
        final long measureStartNs = startNs + warmupNs;
        long measured = 0;
        long lastDoneNs = measureStartNs;
        final Histogram service = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        long serviceTotalNs = 0;
        for (int i = 0; i < puts; i++)
        {
            final long dueNs = startNs + (long)(i * nsPerPut);
            tail.prepare();
            long callNs;
            while ((callNs = System.nanoTime()) < dueNs)
            {
                Thread.onSpinWait();
            }
            final long cpuBeforeNs = cpu ? threads.getCurrentThreadCpuTime() : 0;
            tail.put(store);
            if (cpu)
            {
                callerCpuNs += threads.getCurrentThreadCpuTime() - cpuBeforeNs;
            }
            final long doneNs = System.nanoTime();
            serviceTotalNs += doneNs - callNs;
            if (dueNs >= measureStartNs)
            {
                latency.recordValue(Math.min(doneNs - dueNs, HIGHEST_TRACKABLE_NS));
                service.recordValue(Math.min(doneNs - callNs, HIGHEST_TRACKABLE_NS));
                measured++;
                lastDoneNs = doneNs;
            }
        }
        final double achieved = measured == 0 ? 0 : measured * 1e9 / Math.max(1, lastDoneNs - measureStartNs);
        return new Result(latency, measured, achieved, service, serviceTotalNs, cpu ? callerCpuNs : -1);
    }
}
