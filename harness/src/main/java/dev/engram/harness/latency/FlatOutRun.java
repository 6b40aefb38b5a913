package dev.engram.harness.latency;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

/**
 * Appends a fixed number of deltas from P producers as fast as they can, and times it to the moment the
 * last one is written. For the journal that is the sustained rate of the journal thread (producers wait
 * on a full ring); for raw Chronicle, whose append is the write, it is the producers' own rate.
 */
final class FlatOutRun
{
    private static final long WRITTEN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(120);

    private FlatOutRun()
    {
    }

    /**
     * @param target    what to append to (closed by the caller).
     * @param producers producer threads, 1 or more.
     * @param appends   appends in total, split evenly.
     * @return the result, self-check included.
     */
    static ThroughputResult run(final AppendTarget target, final int producers, final long appends)
        throws InterruptedException
    {
        if (producers < 1 || appends < producers)
        {
            throw new IllegalArgumentException("producers=" + producers + " appends=" + appends + ": need appends >= producers >= 1");
        }
        final long[] startNs = new long[1];
        final CyclicBarrier barrier = new CyclicBarrier(producers, () -> startNs[0] = System.nanoTime());
        final Producer[] workers = new Producer[producers];
        final Thread[] threads = new Thread[producers];
        for (int p = 0; p < producers; p++)
        {
            final long count = appends / producers + (p == 0 ? appends % producers : 0);
            workers[p] = new Producer(target, barrier, count);
            threads[p] = new Thread(workers[p], "flat-out-producer-" + p);
        }
        final long[] writerCpuBefore = ThreadStats.threadCpuNs(target.writerThreadId());
        for (final Thread thread : threads)
        {
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        long lastId = 0;
        long lastDoneNs = 0;
        for (int p = 0; p < producers; p++)
        {
            if (workers[p].failure != null)
            {
                throw new IllegalStateException(target.name() + ": producer " + p + " failed: " + workers[p].failure,
                    workers[p].failure);
            }
            lastId = Math.max(lastId, workers[p].lastId);
            lastDoneNs = Math.max(lastDoneNs, workers[p].doneNs);
        }
        final long writtenAtNs = target.awaitWrittenNs(lastId, WRITTEN_TIMEOUT_NS);
        long cpuNs = 0;
        long userNs = 0;
        if (target.writerThreadId() >= 0)
        {
            final long[] after = ThreadStats.threadCpuNs(target.writerThreadId());
            cpuNs = writerCpuBefore[0] < 0 || after[0] < 0 ? -1 : after[0] - writerCpuBefore[0];
            userNs = writerCpuBefore[1] < 0 || after[1] < 0 ? -1 : after[1] - writerCpuBefore[1];
        }
        else
        {
            for (final Producer worker : workers)
            {
                cpuNs = cpuNs < 0 || worker.cpuNs < 0 ? -1 : cpuNs + worker.cpuNs;
                userNs = userNs < 0 || worker.userNs < 0 ? -1 : userNs + worker.userNs;
            }
        }
        AppendTarget.SelfCheck check = AppendTarget.SelfCheck.of(writtenAtNs != -1, "written within 120 s");
        check = check.and(target.verify(appends, lastId));
        final long appendNs = lastDoneNs - startNs[0];
        final long writtenNs = writtenAtNs == -1 ? Long.MAX_VALUE : Math.max(lastDoneNs, writtenAtNs) - startNs[0];
        return new ThroughputResult(target.name(), producers, appends, appendNs, writtenNs, target.backPressureEvents(),
            cpuNs, userNs, check);
    }

    private static final class Producer implements Runnable
    {
        final AppendTarget target;
        final CyclicBarrier barrier;
        final long count;
        long lastId;
        long doneNs;
        long cpuNs;
        long userNs;
        Throwable failure;

        Producer(final AppendTarget target, final CyclicBarrier barrier, final long count)
        {
            this.target = target;
            this.barrier = barrier;
            this.count = count;
        }

        @Override
        public void run()
        {
            try (AppendTarget.ProducerAppender appender = target.newProducerAppender())
            {
                barrier.await();
                final long[] cpuBefore = ThreadStats.currentThreadCpuNs();
                long id = 0;
                for (long i = 0; i < count; i++)
                {
                    id = appender.append();
                }
                doneNs = System.nanoTime();
                lastId = id;
                final long[] cpuAfter = ThreadStats.currentThreadCpuNs();
                cpuNs = cpuBefore[0] < 0 || cpuAfter[0] < 0 ? -1 : cpuAfter[0] - cpuBefore[0];
                userNs = cpuBefore[1] < 0 || cpuAfter[1] < 0 ? -1 : cpuAfter[1] - cpuBefore[1];
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
