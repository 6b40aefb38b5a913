package dev.engram.harness.latency;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Who used the CPUs over an interval: the whole machine ({@code /proc/stat}), this JVM, a few named threads of it,
 * and so everyone else. Read before and after a run, never inside a timed section; on a shared machine it says
 * whether a tail came from this process or from its neighbours.
 */
final class CpuShare
{
    /** Linux USER_HZ: /proc/stat counts in 1/100 s. */
    private static final double TICKS_PER_SECOND = 100.0;
    private static final Path PROC_STAT = Path.of("/proc/stat");

    private final String[] threadNames;
    private final long startNs;
    private final long machineBusyTicks;
    private final long processCpuNs;
    private final long[] threadCpuNs;

    private CpuShare(final String[] threadNames)
    {
        this.threadNames = threadNames;
        this.threadCpuNs = new long[threadNames.length];
        for (int i = 0; i < threadNames.length; i++)
        {
            threadCpuNs[i] = threadCpuNs(threadNames[i]);
        }
        this.machineBusyTicks = machineBusyTicks();
        this.processCpuNs = processCpuNs();
        this.startNs = System.nanoTime();
    }

    /**
     * @param threadNames threads of this JVM to account separately (absent ones count as 0).
     * @return a start mark.
     */
    static CpuShare start(final String... threadNames)
    {
        return new CpuShare(threadNames);
    }

    /**
     * @param extraThreadCpuNs CPU of threads that lived only inside the interval, by label (e.g. the checkpoint loop).
     * @return average cores used since {@link #start}: -1 where unknown.
     */
    Usage stop(final Map<String, Long> extraThreadCpuNs)
    {
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final long busyNow = machineBusyTicks();
        final long processNow = processCpuNs();
        final double machine = busyNow < 0 || machineBusyTicks < 0 ? -1 : (busyNow - machineBusyTicks) / TICKS_PER_SECOND / seconds;
        final double process = processNow < 0 || processCpuNs < 0 ? -1 : (processNow - processCpuNs) / 1e9 / seconds;
        final Map<String, Double> threads = new LinkedHashMap<>();
        for (int i = 0; i < threadNames.length; i++)
        {
            final long now = threadCpuNs(threadNames[i]);
            threads.put(threadNames[i], now < 0 || threadCpuNs[i] < 0 ? -1 : (now - threadCpuNs[i]) / 1e9 / seconds);
        }
        extraThreadCpuNs.forEach((name, ns) -> threads.put(name, ns < 0 ? -1 : ns / 1e9 / seconds));
        return new Usage(seconds, machine, process, machine < 0 || process < 0 ? -1 : Math.max(0, machine - process), threads);
    }

    /**
     * Average cores used over an interval.
     *
     * @param seconds the interval.
     * @param machine all processes (busy ticks of all CPUs).
     * @param process this JVM.
     * @param others  machine minus this JVM.
     * @param threads named threads of this JVM.
     */
    record Usage(double seconds, double machine, double process, double others, Map<String, Double> threads)
    {
        String describe()
        {
            final StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "cores used over %.1f s: machine %.2f, this JVM %.2f (", seconds, machine, process));
            threads.forEach((name, cores) -> text.append(String.format(Locale.ROOT, "%s %.2f, ", name, cores)));
            text.setLength(text.length() - 2);
            return text.append(String.format(Locale.ROOT, "), other processes %.2f", others)).toString();
        }
    }

    private static long threadCpuNs(final String name)
    {
        final long id = ThreadStats.threadIdByName(name);
        return id < 0 ? 0 : ThreadStats.threadCpuNs(id)[0];
    }

    private static long processCpuNs()
    {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    /** @return user + nice + system + irq + softirq + steal ticks of all CPUs, or -1. */
    private static long machineBusyTicks()
    {
        try
        {
            final String[] f = Files.readAllLines(PROC_STAT).get(0).trim().split("\\s+");
            return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) +
                Long.parseLong(f[7]) + Long.parseLong(f[8]);
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }
}
