package dev.engram.harness.latency;

import net.openhft.posix.PosixAPI;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Gives one thread a core of its own inside this JVM, the way a latency-critical deployment pins its hot
 * thread: the calling thread goes to CPU 0 and every other thread of the process (the engine's, the JIT's and
 * the GC's, and any they start later, which inherit the mask) to CPUs 1..n-1. Linux only (thread affinity
 * through Chronicle's posix layer and {@code /proc/self/task}); for measurement harnesses, never the engine.
 */
final class CpuIsolation
{
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final int ESRCH = 3;

    private CpuIsolation()
    {
    }

    /**
     * @return whether {@link #isolateCurrentThread()} can work here: Linux with at least 2 CPUs.
     */
    static boolean available()
    {
        return Files.isDirectory(TASKS) && cpus() >= 2;
    }

    /**
     * @return the CPUs online (not {@code availableProcessors()}, which shrinks to the calling thread's mask).
     */
    static int cpus()
    {
        return PosixAPI.posix().get_nprocs();
    }

    /**
     * Pin the calling thread to CPU 0 and every other thread of this process to CPUs 1..n-1.
     *
     * @throws IllegalStateException naming the thread that could not be pinned.
     */
    static void isolateCurrentThread()
    {
        requireAvailable();
        final PosixAPI posix = PosixAPI.posix();
        final int self = posix.gettid();
        final int cpus = cpus();
        for (final int tid : threadIds())
        {
            if (tid != self)
            {
                pin(posix, tid, 1, cpus - 1);
            }
        }
        pin(posix, self, 0, 0);
    }

    /**
     * Every thread of this process back on every CPU.
     */
    static void releaseAll()
    {
        requireAvailable();
        final PosixAPI posix = PosixAPI.posix();
        final int cpus = cpus();
        for (final int tid : threadIds())
        {
            pin(posix, tid, 0, cpus - 1);
        }
    }

    /**
     * @param tid a thread of this process.
     * @return its {@code Cpus_allowed_list} as the kernel reports it, e.g. {@code 0} or {@code 1-3}.
     */
    static String allowedCpus(final int tid) throws IOException
    {
        for (final String line : Files.readAllLines(TASKS.resolve(Integer.toString(tid)).resolve("status")))
        {
            if (line.startsWith("Cpus_allowed_list:"))
            {
                return line.substring("Cpus_allowed_list:".length()).trim();
            }
        }
        throw new IOException("no Cpus_allowed_list in the status of thread " + tid);
    }

    static int currentThreadId()
    {
        return PosixAPI.posix().gettid();
    }

    /**
     * Pin one thread of this process to CPUs {@code fromCpu..toCpu}; a thread that has ended is skipped.
     *
     * @throws IllegalStateException naming the thread when a live thread cannot be pinned.
     */
    static void pin(final int tid, final int fromCpu, final int toCpu)
    {
        pin(PosixAPI.posix(), tid, fromCpu, toCpu);
    }

    private static void pin(final PosixAPI posix, final int tid, final int fromCpu, final int toCpu)
    {
        long mask = 0;
        for (int cpu = fromCpu; cpu <= toCpu && cpu < Long.SIZE; cpu++)
        {
            mask |= 1L << cpu;
        }
        final long address = posix.malloc(Long.BYTES);
        try
        {
            net.openhft.chronicle.core.UnsafeMemory.MEMORY.writeLong(address, mask);
            int result;
            String error;
            try
            {
                result = posix.sched_setaffinity(tid, Long.BYTES, address);
                error = result == 0 ? null : posix.lastErrorStr();
            }
            catch (final IllegalArgumentException ex)
            {
                // Chronicle's posix layer reports a failed call by throwing, e.g. "No such process, ret: -1"
                result = -1;
                error = ex.getMessage();
            }
            if (result != 0 && !ended(posix, tid))
            {
                throw new IllegalStateException("cannot pin thread " + tid + " to CPUs " + fromCpu + "-" + toCpu + ": " +
                    error);
            }
        }
        finally
        {
            posix.free(address);
        }
    }

    /**
     * A thread that ended between listing {@code /proc/self/task} and pinning it is no failure: the call
     * failed with ESRCH, its task entry is gone, or it is still listed as a zombie (a joined thread's entry
     * can outlive {@code Thread.join}).
     */
    private static boolean ended(final PosixAPI posix, final int tid)
    {
        if (posix.lastError() == ESRCH)
        {
            return true;
        }
        try
        {
            for (final String line : Files.readAllLines(TASKS.resolve(Integer.toString(tid)).resolve("status")))
            {
                if (line.startsWith("State:"))
                {
                    final String state = line.substring("State:".length()).trim();
                    return state.startsWith("Z") || state.startsWith("X");
                }
            }
            return false;
        }
        catch (final IOException ex)
        {
            return true; // no status any more: the thread is gone
        }
    }

    private static int[] threadIds()
    {
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS))
        {
            int[] ids = new int[64];
            int count = 0;
            for (final Path task : tasks)
            {
                if (count == ids.length)
                {
                    ids = java.util.Arrays.copyOf(ids, count * 2);
                }
                ids[count++] = Integer.parseInt(task.getFileName().toString());
            }
            return java.util.Arrays.copyOf(ids, count);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot list this process's threads in " + TASKS + ": " + ex.getMessage(), ex);
        }
    }

    private static void requireAvailable()
    {
        if (!available())
        {
            throw new IllegalStateException("CPU isolation needs Linux (/proc/self/task) and >= 2 CPUs: CPUs=" + cpus());
        }
    }
}
