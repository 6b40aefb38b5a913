package dev.engram.journal.internal;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.engram.journal.BackgroundPriority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Lowers the operating system's scheduling priority of the calling thread, for the engine's background threads
 * (checkpointer, history follower, after-open checks) so that they take a CPU from the application's threads as little
 * as the kernel allows (issue 18: on a 2-core machine they took the producer's core for milliseconds at a time).
 * <p>
 * Linux only, through libc ({@code setpriority(PRIO_PROCESS, tid, nice)} and {@code sched_setscheduler(tid, SCHED_IDLE)},
 * which apply to one thread when given its thread id), called with JNA (already on the class path: Chronicle's
 * {@code net.openhft:posix} uses it). The thread id is read from {@code /proc/thread-self}. Raising a priority needs
 * privileges an application rarely has, so this only ever lowers it, once, at the thread's start. Best effort:
 * elsewhere, or when a call is refused, the thread keeps the priority it was started with and a line is logged at
 * DEBUG; nothing else changes.
 */
public final class ThreadScheduling
{
    private static final Logger LOG = LoggerFactory.getLogger(ThreadScheduling.class);
    private static final int PRIO_PROCESS = 0;
    private static final int SCHED_IDLE = 5;
    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");

    /** libc's two calls; loaded once, on first use. */
    interface LibC extends Library
    {
        int setpriority(int which, int who, int prio);

        int sched_setscheduler(int pid, int policy, int[] param);
    }

    private static final class Holder
    {
        private static final LibC LIBC = load();

        private static LibC load()
        {
            try
            {
                return Native.load("c", LibC.class);
            }
            catch (final Throwable ex)   // UnsatisfiedLinkError, NoClassDefFoundError: no libc or no JNA native part
            {
                LOG.debug("background thread priorities not lowered: libc not loaded through JNA: {}", ex.toString());
                return null;
            }
        }
    }

    private ThreadScheduling()
    {
    }

    /**
     * Lower the calling thread's scheduling priority as {@code priority} says (nothing for {@link BackgroundPriority#NORMAL}).
     *
     * @param priority what the thread should run at.
     * @return true if the thread now runs at that priority (always for NORMAL); false where it could not be changed.
     */
    public static boolean lowerCurrentThread(final BackgroundPriority priority)
    {
        if (priority == BackgroundPriority.NORMAL)
        {
            return true;
        }
        final int tid = currentThreadId();
        final LibC libc = tid > 0 ? Holder.LIBC : null;
        if (libc == null)
        {
            return false;
        }
        if (priority != BackgroundPriority.IDLE && niceOf(tid) >= priority.nice())
        {
            return true;   // already as low (a process started under nice): never raised, which would need privileges
        }
        final int result = priority == BackgroundPriority.IDLE ?
            libc.sched_setscheduler(tid, SCHED_IDLE, new int[] {0}) :
            libc.setpriority(PRIO_PROCESS, tid, priority.nice());
        if (result != 0)
        {
            LOG.debug("thread {} (tid {}) keeps its priority: {} refused, errno {}", Thread.currentThread().getName(), tid,
                priority, Native.getLastError());
            return false;
        }
        return true;
    }

    /**
     * @param priority what the thread should run at.
     * @param task     the thread's work.
     * @return a task that first lowers its thread's priority ({@link #lowerCurrentThread}), then runs {@code task}.
     */
    public static Runnable loweredTo(final BackgroundPriority priority, final Runnable task)
    {
        return () ->
        {
            lowerCurrentThread(priority);
            if (priority != BackgroundPriority.NORMAL)
            {
                BackgroundPacing.backgroundThread();   // and short chunks where the process has one CPU
            }
            task.run();
        };
    }

    /**
     * @param tid a thread id of this process.
     * @return that thread's scheduling policy and nice value as the kernel reports them ({@code /proc/self/task/<tid>/stat}
     * fields 41 and 19), e.g. {@code "policy=5 nice=0"}; empty where not readable. For tests and diagnostics.
     */
    public static String describe(final int tid)
    {
        try
        {
            final String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is stat's field 3 (state): field n is fields[n - 3]
            return "policy=" + fields[41 - 3] + " nice=" + fields[19 - 3];
        }
        catch (final Exception ex)
        {
            return "";
        }
    }

    private static int niceOf(final int tid)
    {
        final String described = describe(tid);
        return described.isEmpty() ? Integer.MIN_VALUE : Integer.parseInt(described.substring(described.indexOf("nice=") + 5));
    }

    /**
     * @return the calling thread's kernel thread id, or -1 where it cannot be read (not Linux).
     */
    public static int currentThreadId()
    {
        if (!LINUX)
        {
            return -1;
        }
        try
        {
            final String link = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString();   // "<pid>/task/<tid>"
            return Integer.parseInt(link.substring(link.lastIndexOf('/') + 1));
        }
        catch (final Exception ex)
        {
            return -1;
        }
    }
}
