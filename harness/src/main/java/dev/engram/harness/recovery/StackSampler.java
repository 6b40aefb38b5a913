package dev.engram.harness.recovery;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A crude sampling profiler for one thread (used by the recovery bench's {@code profile} mode to see where a
 * cold {@code StateStore.open} spends its time): every interval it takes the thread's stack and counts, per
 * method, the samples in which the method is on the stack (inclusive) and on top (self). Taking a stack
 * needs a safepoint, so the numbers are biased towards safepoint polls; good enough to tell class loading
 * and static initialisation from real work.
 */
final class StackSampler implements AutoCloseable
{
    private final Thread target;
    private final long intervalNs;
    private final Thread sampler;
    private final Map<String, Integer> inclusive = new HashMap<>();
    private final Map<String, Integer> self = new HashMap<>();
    private volatile boolean running = true;
    private int samples;

    StackSampler(final Thread target, final long interval, final TimeUnit unit)
    {
        this.target = target;
        this.intervalNs = unit.toNanos(interval);
        this.sampler = new Thread(this::sample, "stack-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample()
    {
        while (running)
        {
            final StackTraceElement[] stack = target.getStackTrace();
            if (stack.length > 0)
            {
                synchronized (this)
                {
                    samples++;
                    self.merge(name(stack[0]), 1, Integer::sum);
                    final Set<String> seen = new HashSet<>();
                    for (final StackTraceElement frame : stack)
                    {
                        final String name = name(frame);
                        if (seen.add(name))
                        {
                            inclusive.merge(name, 1, Integer::sum);
                        }
                    }
                }
            }
            LockSupport.parkNanos(intervalNs);
        }
    }

    private static String name(final StackTraceElement frame)
    {
        return frame.getClassName() + "." + frame.getMethodName();
    }

    @Override
    public void close()
    {
        running = false;
        try
        {
            sampler.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return the top {@code limit} methods by inclusive samples, as {@code "incl% self% method"} lines.
     */
    synchronized List<String> top(final int limit)
    {
        final int total = Math.max(1, samples);
        return inclusive.entrySet().stream()
            .sorted((a, b) -> Integer.compare(b.getValue(), a.getValue()))
            .limit(limit)
            .map(e -> String.format("%5.1f%% %5.1f%%  %s", 100.0 * e.getValue() / total,
                100.0 * self.getOrDefault(e.getKey(), 0) / total, e.getKey()))
            .toList();
    }

    synchronized int samples()
    {
        return samples;
    }
}
