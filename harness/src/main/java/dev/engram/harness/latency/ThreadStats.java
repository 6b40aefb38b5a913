package dev.engram.harness.latency;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Diagnostics a latency run records beside its histograms: bytes the calling thread allocated, how often
 * the OS took the CPU from it, and collections in the JVM. None of it is read inside a timed section.
 */
final class ThreadStats
{
    private static final Path THREAD_STATUS = Path.of("/proc/thread-self/status");
    private static final String INVOLUNTARY = "nonvoluntary_ctxt_switches:";

    private ThreadStats()
    {
    }

    /**
     * @return bytes the calling thread allocated so far, or -1 if the JVM does not say.
     */
    static long currentThreadAllocatedBytes()
    {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean &&
            bean.isThreadAllocatedMemorySupported() && bean.isThreadAllocatedMemoryEnabled())
        {
            return bean.getCurrentThreadAllocatedBytes();
        }
        return -1;
    }

    /**
     * @return times the OS preempted the calling thread so far (Linux), or -1 where unknown.
     */
    static long currentThreadInvoluntaryContextSwitches()
    {
        try
        {
            for (final String line : Files.readAllLines(THREAD_STATUS))
            {
                if (line.startsWith(INVOLUNTARY))
                {
                    return Long.parseLong(line.substring(INVOLUNTARY.length()).trim());
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
        return -1;
    }

    /**
     * @param threadId a live thread's id.
     * @return {total CPU ns, user-mode CPU ns} of that thread so far, or {-1, -1} if unknown.
     */
    static long[] threadCpuNs(final long threadId)
    {
        final ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (threadId < 0 || !bean.isThreadCpuTimeSupported() || !bean.isThreadCpuTimeEnabled())
        {
            return new long[]{-1, -1};
        }
        return new long[]{bean.getThreadCpuTime(threadId), bean.getThreadUserTime(threadId)};
    }

    /**
     * @return {total CPU ns, user-mode CPU ns} of the calling thread so far, or {-1, -1} if unknown.
     */
    static long[] currentThreadCpuNs()
    {
        final ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (!bean.isCurrentThreadCpuTimeSupported() || !bean.isThreadCpuTimeEnabled())
        {
            return new long[]{-1, -1};
        }
        return new long[]{bean.getCurrentThreadCpuTime(), bean.getCurrentThreadUserTime()};
    }

    /**
     * @param name a thread name.
     * @return the id of a live thread of that name, or -1.
     */
    static long threadIdByName(final String name)
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (name.equals(thread.getName()))
            {
                return thread.getId();
            }
        }
        return -1;
    }

    /**
     * @return the 1, 5 and 15 minute load averages (Linux), or "n/a".
     */
    static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "n/a";
        }
    }

    /**
     * @return collections so far, all collectors.
     */
    static long gcCount()
    {
        long count = 0;
        for (final GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, bean.getCollectionCount());
        }
        return count;
    }
}
