package dev.engram.harness.cpu;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time (not wall time) this JVM spent, by role: each Java thread by its full name (Engram's journal writer,
 * syncer, applier, checkpointer, the caller), the JVM's own threads by their OS name (GC and VM thread, JIT
 * compilers: {@code /proc/self/task}), and the rest of the process (other native threads, e.g. RocksDB's
 * background threads, and threads that ended inside the interval). Take a {@link Snapshot} before and after
 * a phase, outside its timed section; {@link #between} gives nanoseconds per role. CPU time holds up on a
 * loaded machine where wall time does not: a thread that waits for a CPU is not charged for the wait.
 */
public final class ThreadCpu
{
    /** Role of the calling thread named to {@link #between}. */
    public static final String CALLER = "caller";
    /** Engram's journal thread. */
    public static final String JOURNAL_WRITER = "writer";
    /** Engram's journal sync thread. */
    public static final String SYNCER = "syncer";
    /** Engram's applier (ring to state overlay). */
    public static final String APPLIER = "applier";
    /** Engram's checkpoint builder. */
    public static final String CHECKPOINTER = "checkpointer";
    /** Every other Java thread (metrics samplers, harness threads, RocksDB's Java-side threads). */
    public static final String OTHER_JAVA = "otherJava";
    /** Garbage collector worker threads and the VM thread (safepoint operations). */
    public static final String GC_VM = "gcVm";
    /** JIT compiler threads. */
    public static final String JIT = "jit";
    /** Process CPU not in the roles above: native threads (RocksDB's flush and compaction) and ended threads. */
    public static final String NATIVE_REST = "nativeRest";
    /** The sum over roles: the process. */
    public static final String TOTAL = "total";

    private static final Map<String, String> JAVA_ROLES = Map.of(
        "engram-journal-writer", JOURNAL_WRITER,
        "engram-journal-syncer", SYNCER,
        "engram-applier", APPLIER,
        "engram-checkpointer", CHECKPOINTER);
    /** Every role in report order, {@link #TOTAL} last. */
    public static final String[] ROLES = {CALLER, JOURNAL_WRITER, APPLIER, SYNCER, CHECKPOINTER, OTHER_JAVA, GC_VM, JIT, NATIVE_REST, TOTAL};
    private static final Map<String, String> LABELS = Map.of(CALLER, "caller", JOURNAL_WRITER, "journal writer", APPLIER, "applier",
        SYNCER, "syncer", CHECKPOINTER, "checkpointer", OTHER_JAVA, "other Java threads", GC_VM, "GC + VM thread", JIT, "JIT",
        NATIVE_REST, "native threads + rest", TOTAL, "total");
    private static final Path TASKS = Path.of("/proc/self/task");

    private ThreadCpu()
    {
    }

    /**
     * CPU used so far: per Java thread (by name), per JVM-internal role, and by the process.
     *
     * @param javaThreadNs CPU ns of each live Java thread, by name (threads of one name summed).
     * @param internalNs   CPU ns of {@link #GC_VM} and {@link #JIT} threads, -1 where {@code /proc} does not say.
     * @param processNs    CPU ns of the whole process, -1 where unknown.
     */
    public record Snapshot(Map<String, Long> javaThreadNs, Map<String, Long> internalNs, long processNs)
    {
    }

    /**
     * @return the CPU used so far.
     */
    public static Snapshot take()
    {
        final Map<String, Long> javaThreads = new LinkedHashMap<>();
        final ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        if (bean.isThreadCpuTimeSupported() && bean.isThreadCpuTimeEnabled())
        {
            final long[] ids = bean.getAllThreadIds();
            final ThreadInfo[] infos = bean.getThreadInfo(ids);
            for (int i = 0; i < ids.length; i++)
            {
                final long ns = bean.getThreadCpuTime(ids[i]);
                if (infos[i] != null && ns >= 0)
                {
                    javaThreads.merge(infos[i].getThreadName(), ns, Long::sum);
                }
            }
        }
        final Map<String, Long> internal = new LinkedHashMap<>();
        internal.put(GC_VM, 0L);
        internal.put(JIT, 0L);
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS))
        {
            for (final Path task : tasks)
            {
                final String role = internalRole(read(task.resolve("comm")));
                if (role != null)
                {
                    internal.merge(role, schedNs(task), Long::sum);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            internal.replaceAll((k, v) -> -1L);
        }
        final long process = ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
        return new Snapshot(javaThreads, internal, process);
    }

    /**
     * @param before     taken at the phase's start.
     * @param after      taken at its end.
     * @param callerName the thread that made the calls ({@link #CALLER}).
     * @return CPU ns by role over the phase, in a fixed order, {@link #TOTAL} last; -1 for a role not measurable.
     */
    public static Map<String, Long> between(final Snapshot before, final Snapshot after, final String callerName)
    {
        final Map<String, Long> roles = new LinkedHashMap<>();
        for (final String role : new String[]{CALLER, JOURNAL_WRITER, APPLIER, SYNCER, CHECKPOINTER, OTHER_JAVA, GC_VM, JIT})
        {
            roles.put(role, 0L);
        }
        after.javaThreadNs().forEach((name, ns) ->
        {
            final long used = ns - before.javaThreadNs().getOrDefault(name, 0L);
            final String role = name.equals(callerName) ? CALLER : JAVA_ROLES.getOrDefault(name, OTHER_JAVA);
            roles.merge(role, Math.max(0, used), Long::sum);
        });
        for (final String role : new String[]{GC_VM, JIT})
        {
            final long a = after.internalNs().getOrDefault(role, -1L);
            final long b = before.internalNs().getOrDefault(role, -1L);
            roles.put(role, a < 0 || b < 0 ? -1 : Math.max(0, a - b));
        }
        if (after.processNs() < 0 || before.processNs() < 0)
        {
            roles.put(NATIVE_REST, -1L);
            roles.put(TOTAL, -1L);
            return roles;
        }
        final long process = after.processNs() - before.processNs();
        final long named = roles.values().stream().mapToLong(v -> Math.max(0, v)).sum();
        roles.put(NATIVE_REST, Math.max(0, process - named));
        roles.put(TOTAL, Math.max(process, named));
        return roles;
    }

    /**
     * @param role one of {@link #ROLES}.
     * @return how a report names it.
     */
    public static String label(final String role)
    {
        return LABELS.getOrDefault(role, role);
    }

    /**
     * @param comm a thread's OS name (15 characters at most).
     * @return {@link #GC_VM}, {@link #JIT}, or null for any other thread.
     */
    static String internalRole(final String comm)
    {
        if (comm.startsWith("GC Thread") || comm.equals("VM Thread") || comm.startsWith("G1 ") || comm.startsWith("GC ") ||
            comm.startsWith("ZWorker") || comm.startsWith("Shenandoah"))
        {
            return GC_VM;
        }
        if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre"))
        {
            return JIT;
        }
        return null;
    }

    private static long schedNs(final Path task) throws IOException
    {
        final Path schedstat = task.resolve("schedstat");
        if (Files.exists(schedstat))
        {
            return Long.parseLong(read(schedstat).split(" ")[0]);
        }
        // utime + stime in clock ticks (1/100 s): fields 14 and 15, counted after the parenthesised name
        final String stat = read(task.resolve("stat"));
        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    }

    private static String read(final Path file) throws IOException
    {
        return Files.readString(file).trim();
    }
}
