package dev.engram.harness.latency;

import org.HdrHistogram.Histogram;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Appends at a fixed total rate from P producer threads and records caller latency without coordinated
 * omission: append {@code k} (counting all producers) is due at {@code start + k / rate}; producer
 * {@code p} sends appends {@code p, p + P, p + 2P, ...}. Each producer spins until its next append is due,
 * calls it, and records {@code returned - due}. A producer that falls behind (an append or a pause took
 * longer than the interval) sends the late appends at once, and their latency includes the wait: exactly
 * what a caller arriving on schedule would have seen. Appends due in the warm-up are sent, not recorded.
 */
final class FixedRateRun
{
    /** Latencies above this are recorded as this (and would show as the max). */
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.SECONDS.toNanos(60);
    private static final int SIGNIFICANT_DIGITS = 3;
    private static final long START_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long WRITTEN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(60);
    private static final long RING_SAMPLE_INTERVAL_MS = 10;

    private FixedRateRun()
    {
    }

    /**
     * @param target     what to append to (closed by the caller).
     * @param producers  producer threads, 1 or more.
     * @param rate       total appends per second.
     * @param warmupNs   sent but not recorded.
     * @param measureNs  recorded.
     * @return the result, self-check included.
     */
    static LatencyResult run(
        final AppendTarget target, final int producers, final long rate, final long warmupNs, final long measureNs)
        throws InterruptedException
    {
        return run(target, producers, rate, warmupNs, measureNs, false);
    }

    /**
     * @param isolate the single producer first pins itself to CPU 0 and every other thread to the other CPUs
     *                ({@link CpuIsolation}); they stay so until {@link CpuIsolation#releaseAll()}.
     */
    static LatencyResult run(final AppendTarget target, final int producers, final long rate, final long warmupNs,
        final long measureNs, final boolean isolate) throws InterruptedException
    {
        if (isolate && producers != 1)
        {
            throw new IllegalArgumentException("isolation is for one producer: producers=" + producers);
        }
        if (producers < 1 || rate < 1 || warmupNs < 0 || measureNs < 1)
        {
            throw new IllegalArgumentException("producers=" + producers + " rate=" + rate + " warmupNs=" + warmupNs +
                " measureNs=" + measureNs + ": all must be positive (warm-up may be 0)");
        }
        final Producer[] workers = new Producer[producers];
        final long[] startNs = new long[1];
        final AtomicLong sharedStartNs = new AtomicLong();
        final CyclicBarrier barrier = new CyclicBarrier(producers, () ->
        {
            startNs[0] = System.nanoTime() + START_DELAY_NS;
            sharedStartNs.set(startNs[0]);
        });
        final double nsPerAppend = 1e9 / rate;
        final long gcBefore = ThreadStats.gcCount();
        final Thread[] threads = new Thread[producers];
        for (int p = 0; p < producers; p++)
        {
            workers[p] = new Producer(target, barrier, startNs, p, producers, nsPerAppend, warmupNs, measureNs, isolate);
            threads[p] = new Thread(workers[p], "fixed-rate-producer-" + p);
        }
        for (final Thread thread : threads)
        {
            thread.start();
        }
        long ringPeak = 0;
        long backPressureAtMeasureStart = -1;
        for (final Thread thread : threads)
        {
            while (thread.isAlive())
            {
                // the main thread is otherwise idle: sample how far the journal thread is behind, counting
                // from the start of the measured window (within one sample interval of it)
                final long start = sharedStartNs.get();
                if (backPressureAtMeasureStart < 0 && start != 0 && System.nanoTime() - (start + warmupNs) >= 0)
                {
                    backPressureAtMeasureStart = target.backPressureEvents();
                    ringPeak = 0;
                }
                ringPeak = Math.max(ringPeak, target.ringOccupancy());
                thread.join(RING_SAMPLE_INTERVAL_MS);
            }
        }
        final long backPressureTotal = target.backPressureEvents();
        final long backPressureMeasured = backPressureTotal - Math.max(0, backPressureAtMeasureStart);
        final long gcCount = ThreadStats.gcCount() - gcBefore;

        final Histogram latency = newHistogram();
        final Histogram service = newHistogram();
        long appends = 0;
        long measured = 0;
        long lastId = 0;
        long lastMeasuredDoneNs = 0;
        long allocated = 0;
        long switches = 0;
        for (final Producer worker : workers)
        {
            if (worker.failure != null)
            {
                throw new IllegalStateException(target.name() + ": producer " + worker.index + " failed: " + worker.failure,
                    worker.failure);
            }
            latency.add(worker.latency);
            service.add(worker.service);
            appends += worker.appends;
            measured += worker.measured;
            lastId = Math.max(lastId, worker.lastId);
            lastMeasuredDoneNs = Math.max(lastMeasuredDoneNs, worker.lastMeasuredDoneNs);
            allocated = allocated < 0 || worker.allocatedBytes < 0 ? -1 : allocated + worker.allocatedBytes;
            switches = switches < 0 || worker.involuntarySwitches < 0 ? -1 : switches + worker.involuntarySwitches;
        }
        final long measureStartNs = startNs[0] + warmupNs;
        final double achieved = measured == 0 ? 0 : measured * 1e9 / (lastMeasuredDoneNs - measureStartNs);

        AppendTarget.SelfCheck check = AppendTarget.SelfCheck.of(
            target.awaitWrittenNs(lastId, WRITTEN_TIMEOUT_NS) != -1, "written within 60 s");
        check = check.and(target.verify(appends, lastId));
        check = check.and(AppendTarget.SelfCheck.of(latency.getTotalCount() == measured,
            "histogram count=" + latency.getTotalCount() + " measured appends=" + measured));
        return new LatencyResult(target.name(), producers, rate, measureStartNs, measureNs, latency, service, appends, measured, achieved,
            allocated, switches, gcCount, backPressureMeasured, backPressureTotal, ringPeak, check);
    }

    static Histogram newHistogram()
    {
        return new Histogram(HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    }

    /**
     * One producer thread: owns its appender and its histograms (single writer, merged after join).
     */
    private static final class Producer implements Runnable
    {
        final AppendTarget target;
        final CyclicBarrier barrier;
        final long[] startNs;
        final int index;
        final int producers;
        final double nsPerAppend;
        final long warmupNs;
        final long measureNs;
        final boolean isolate;
        final Histogram latency = newHistogram();
        final Histogram service = newHistogram();
        long appends;
        long measured;
        long lastId;
        long lastMeasuredDoneNs;
        long allocatedBytes;
        long involuntarySwitches;
        Throwable failure;

        Producer(
            final AppendTarget target,
            final CyclicBarrier barrier,
            final long[] startNs,
            final int index,
            final int producers,
            final double nsPerAppend,
            final long warmupNs,
            final long measureNs,
            final boolean isolate)
        {
            this.isolate = isolate;
            this.target = target;
            this.barrier = barrier;
            this.startNs = startNs;
            this.index = index;
            this.producers = producers;
            this.nsPerAppend = nsPerAppend;
            this.warmupNs = warmupNs;
            this.measureNs = measureNs;
        }

        @Override
        public void run()
        {
            if (isolate)
            {
                CpuIsolation.isolateCurrentThread();
            }
            try (AppendTarget.ProducerAppender appender = target.newProducerAppender())
            {
                final long switchesBefore = ThreadStats.currentThreadInvoluntaryContextSwitches();
                barrier.await();
                final long start = startNs[0];
                final long measureStart = start + warmupNs;
                final long end = measureStart + measureNs;
                long allocatedAtMeasureStart = Long.MIN_VALUE;
                long i = 0;
                while (true)
                {
                    final long dueNs = start + (long)((double)(i * producers + index) * nsPerAppend);
                    if (dueNs >= end)
                    {
                        break;
                    }
                    if (dueNs >= measureStart && allocatedAtMeasureStart == Long.MIN_VALUE)
                    {
                        // read once, at the first measured append; counted against no append's latency since
                        // it runs before that append's call starts (its due time may pass meanwhile: it is <1 µs)
                        allocatedAtMeasureStart = ThreadStats.currentThreadAllocatedBytes();
                    }
                    long nowNs;
                    while ((nowNs = System.nanoTime()) < dueNs)
                    {
                        Thread.onSpinWait();
                    }
                    lastId = appender.append();
                    final long doneNs = System.nanoTime();
                    if (dueNs >= measureStart)
                    {
                        latency.recordValue(Math.min(doneNs - dueNs, HIGHEST_TRACKABLE_NS));
                        service.recordValue(Math.min(doneNs - nowNs, HIGHEST_TRACKABLE_NS));
                        measured++;
                        lastMeasuredDoneNs = doneNs;
                    }
                    i++;
                }
                appends = i;
                final long allocatedAtEnd = ThreadStats.currentThreadAllocatedBytes();
                allocatedBytes = allocatedAtMeasureStart == Long.MIN_VALUE || allocatedAtMeasureStart < 0 ? -1 :
                    allocatedAtEnd - allocatedAtMeasureStart;
                final long switchesAfter = ThreadStats.currentThreadInvoluntaryContextSwitches();
                involuntarySwitches = switchesBefore < 0 || switchesAfter < 0 ? -1 : switchesAfter - switchesBefore;
            }
            catch (final InterruptedException | BrokenBarrierException ex)
            {
                failure = ex;
                Thread.currentThread().interrupt();
            }
            catch (final Throwable ex)
            {
                failure = ex;
                barrier.reset();
            }
        }
    }
}
