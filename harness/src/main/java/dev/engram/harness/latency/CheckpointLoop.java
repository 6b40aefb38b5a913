package dev.engram.harness.latency;

import dev.engram.engine.Engram;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Keeps a checkpoint build in progress: one thread calls {@link Engram#checkpoint()} back to back (each call
 * builds a checkpoint of everything written so far; with {@code maxChainLength(1)} each is a full rewrite of
 * the state), and records when every build that produced a checkpoint started and ended, so a run can say
 * how much of its measured window a build covered. A call that found nothing new to checkpoint is not a build;
 * the thread then pauses {@value #IDLE_PAUSE_US} µs before asking again (pacing, not synchronisation).
 * Single use: {@link #start}, then {@link #stop}.
 */
final class CheckpointLoop
{
    private static final long IDLE_PAUSE_US = 100;
    private static final int MAX_BUILDS = 100_000;

    private final Engram engram;
    private final long[] startNs = new long[MAX_BUILDS];
    private final long[] endNs = new long[MAX_BUILDS];
    private final Thread thread;
    private volatile boolean running = true;
    private int builds;
    private long threadCpuNs = -1;
    private Throwable failure;

    private CheckpointLoop(final Engram engram)
    {
        this.engram = engram;
        this.thread = new Thread(this::loop, "bench-checkpoint-loop");
        this.thread.setDaemon(true);
    }

    /**
     * @return a started loop over {@code engram}.
     */
    static CheckpointLoop start(final Engram engram)
    {
        final CheckpointLoop loop = new CheckpointLoop(engram);
        loop.thread.start();
        return loop;
    }

    private void loop()
    {
        try
        {
            while (running && builds < MAX_BUILDS)
            {
                final long before = engram.checkpointCount();
                final long start = System.nanoTime();
                engram.checkpoint();
                final long end = System.nanoTime();
                if (engram.checkpointCount() != before)
                {
                    startNs[builds] = start;
                    endNs[builds] = end;
                    builds++;
                }
                else
                {
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(IDLE_PAUSE_US));
                }
            }
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
        finally
        {
            threadCpuNs = ThreadStats.currentThreadCpuNs()[0];
        }
    }

    /**
     * Let the build in progress finish, then stop; rethrows a build's failure.
     *
     * @return what the loop built.
     */
    Builds stop() throws InterruptedException
    {
        running = false;
        thread.join();   // also publishes builds/startNs/endNs written by the loop thread
        if (failure != null)
        {
            throw new IllegalStateException("checkpoint build failed in the checkpoint loop: " + failure, failure);
        }
        final long[] starts = java.util.Arrays.copyOf(startNs, builds);
        final long[] ends = java.util.Arrays.copyOf(endNs, builds);
        return new Builds(starts, ends, threadCpuNs);
    }

    /**
     * Builds that produced a checkpoint, in order.
     *
     * @param startNs {@link System#nanoTime()} each build started.
     * @param endNs   when each returned.
     * @param cpuNs   CPU time the loop's thread used in all (-1 unknown).
     */
    record Builds(long[] startNs, long[] endNs, long cpuNs)
    {
        /** @return builds completed. */
        int count()
        {
            return startNs.length;
        }

        /**
         * @return builds that were in progress at some point of {@code [fromNs, toNs)}.
         */
        int overlapping(final long fromNs, final long toNs)
        {
            int n = 0;
            for (int i = 0; i < startNs.length; i++)
            {
                if (startNs[i] < toNs && endNs[i] > fromNs)
                {
                    n++;
                }
            }
            return n;
        }

        /**
         * @return the fraction of {@code [fromNs, toNs)} during which a build was in progress (0..1).
         */
        double coverage(final long fromNs, final long toNs)
        {
            long covered = 0;
            for (int i = 0; i < startNs.length; i++)
            {
                covered += Math.max(0, Math.min(endNs[i], toNs) - Math.max(startNs[i], fromNs));
            }
            return toNs <= fromNs ? 0 : (double)covered / (toNs - fromNs);
        }

        /**
         * @return median build time in ms (0 if none).
         */
        double medianBuildMs()
        {
            if (startNs.length == 0)
            {
                return 0;
            }
            final long[] ms = new long[startNs.length];
            for (int i = 0; i < ms.length; i++)
            {
                ms[i] = endNs[i] - startNs[i];
            }
            java.util.Arrays.sort(ms);
            return ms[ms.length / 2] / 1e6;
        }
    }
}
