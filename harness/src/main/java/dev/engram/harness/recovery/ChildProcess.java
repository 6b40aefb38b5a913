package dev.engram.harness.recovery;

import dev.engram.testsupport.ChildJvm;
import dev.engram.testsupport.StdoutListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM of the recovery and peers benches that reports to its parent: started by the one launcher
 * ({@link ChildJvm}: the Engram flags, then the bench's JVM options, this JVM's class path, the main class), its
 * stdout read line by line as it comes: lines {@code @<tag> key=value ...} ({@link ChildOutput}) are records for
 * the parent ({@link #awaitRecord}); every line is also copied to {@code <name>.out}, stderr goes to
 * {@code <name>.err}, the command line to {@code <name>.cmd}. {@link #close()} kills a child that is still alive,
 * so no process outlives the bench.
 */
public final class ChildProcess implements AutoCloseable
{
    /** Exit value of a process ended by SIGKILL (128 + 9). */
    public static final int SIGKILL_EXIT_VALUE = ChildJvm.SIGKILL_EXIT_VALUE;
    private static final String EOF = "\u0000eof";

    private final ChildJvm child;
    private final LinkedBlockingQueue<String> lines;

    private ChildProcess(final ChildJvm child, final LinkedBlockingQueue<String> lines)
    {
        this.child = child;
        this.lines = lines;
    }

    /**
     * Start a child.
     *
     * @param name       used for the log files and messages.
     * @param logDir     where {@code <name>.out}, {@code <name>.err} and {@code <name>.cmd} go.
     * @param mainClass  the child's main class (on this JVM's class path).
     * @param jvmOptions extra JVM options (heap, GC), after the Engram flags.
     * @param args       program arguments.
     */
    public static ChildProcess start(final String name, final Path logDir, final Class<?> mainClass, final List<String> jvmOptions,
        final List<String> args) throws IOException
    {
        Files.createDirectories(logDir);
        final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final ChildJvm child = ChildJvm.builder(mainClass).name(name)
            .jvmArgs(jvmOptions).args(args)
            .logs(logDir, name).commandFile(logDir.resolve(name + ".cmd"))
            .onStdout(new StdoutListener()
            {
                @Override
                public void line(final String line)
                {
                    if (line.startsWith("@"))
                    {
                        lines.add(line);
                    }
                }

                @Override
                public void end(final IOException failure)
                {
                    if (failure != null)
                    {
                        lines.add("@pump-failed error=" + String.valueOf(failure.getMessage()).replace(' ', '_'));
                    }
                    lines.add(EOF);
                }
            })
            .start();
        return new ChildProcess(child, lines);
    }

    public String name()
    {
        return child.name();
    }

    public long pid()
    {
        return child.pid();
    }

    /** @return wall clock (ms) just before the process was spawned. */
    public long spawnWallMs()
    {
        return child.spawnedAt().toEpochMilli();
    }

    /**
     * Wait for the record {@code @<tag> k=v ...}; records with other tags before it are skipped.
     *
     * @throws IllegalStateException if the child ends, reports {@code @error}, or the timeout passes.
     */
    public Map<String, String> awaitRecord(final String tag, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final List<Map<String, String>> records = awaitRecordsUntil(tag, timeout, unit);
        return records.get(records.size() - 1);
    }

    /**
     * @return every record up to and including the first {@code @<tag>}.
     * @throws IllegalStateException if the child ends, reports {@code @error}, or the timeout passes.
     */
    public List<Map<String, String>> awaitRecordsUntil(final String tag, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        final List<Map<String, String>> records = new ArrayList<>();
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true)
        {
            final long leftNs = deadline - System.nanoTime();
            final String line = leftNs > 0 ? lines.poll(leftNs, TimeUnit.NANOSECONDS) : null;
            if (line == null)
            {
                throw new IllegalStateException("child " + describe() + " sent no @" + tag + " within " + timeout + " " + unit);
            }
            if (line == EOF)
            {
                lines.add(EOF);
                throw new IllegalStateException("child " + describe() + " ended before @" + tag);
            }
            final Map<String, String> record = parse(line);
            if (record.get("@").equals("error"))
            {
                throw new IllegalStateException("child " + describe() + " failed: " + line);
            }
            records.add(record);
            if (record.get("@").equals(tag))
            {
                return records;
            }
        }
    }

    /**
     * Run a child to its {@code @<tag>} record and its exit (0).
     *
     * @return every record it sent up to that one.
     */
    public static List<Map<String, String>> runToRecords(final String name, final Path logDir, final Class<?> mainClass,
        final List<String> jvmOptions, final List<String> args, final String tag) throws IOException, InterruptedException
    {
        final MachineCpu machine = MachineCpu.start();
        try (ChildProcess child = start(name, logDir, mainClass, jvmOptions, args))
        {
            final List<Map<String, String>> records = new ArrayList<>(child.awaitRecordsUntil(tag, 3, TimeUnit.HOURS));
            child.awaitCleanExit(10, TimeUnit.MINUTES);
            final Map<String, String> last = new LinkedHashMap<>(records.get(records.size() - 1));
            last.put("otherCores", machine.otherCores(last.get("processCpuNs")));
            records.set(records.size() - 1, last);
            return records;
        }
    }

    /**
     * Run a builder child until it reports {@code @tail-written}, then {@code kill -9} it: what follows is
     * recovery after a crash. The kill must really be the one that ended it (exit value 137).
     *
     * @return the {@code @tail-written} record.
     */
    public static Map<String, String> buildThenKill(final String name, final Path logDir, final Class<?> mainClass,
        final List<String> jvmOptions, final List<String> args) throws IOException, InterruptedException
    {
        try (ChildProcess child = start(name, logDir, mainClass, jvmOptions, args))
        {
            final Map<String, String> record = child.awaitRecord("tail-written", 3, TimeUnit.HOURS);
            final int exitValue = child.killHard();
            if (exitValue != SIGKILL_EXIT_VALUE)
            {
                throw new IllegalStateException("builder " + child.describe() + " was not ended by SIGKILL: exitValue=" + exitValue);
            }
            return record;
        }
    }

    /**
     * Run a measuring child to its {@code @<tag>} record and its exit (0).
     *
     * @return the record, plus {@code spawnWallMs}: wall clock just before the child was spawned,
     *         {@code loadAverage}: the machine's 1-minute load average then, and {@code otherCores}: the
     *         cores other processes kept busy on average while the child ran (see {@link MachineCpu}).
     */
    public static Map<String, String> runToRecord(final String name, final Path logDir, final Class<?> mainClass,
        final List<String> jvmOptions, final List<String> args, final String tag) throws IOException, InterruptedException
    {
        final String loadAverage = loadAverage();
        final MachineCpu machine = MachineCpu.start();
        try (ChildProcess child = start(name, logDir, mainClass, jvmOptions, args))
        {
            final Map<String, String> record = new LinkedHashMap<>(child.awaitRecord(tag, 3, TimeUnit.HOURS));
            child.awaitCleanExit(10, TimeUnit.MINUTES);
            record.put("spawnWallMs", Long.toString(child.spawnWallMs()));
            record.put("loadAverage", loadAverage);
            record.put("otherCores", machine.otherCores(record.get("processCpuNs")));
            return record;
        }
    }

    /**
     * How busy the shared machine was with work other than the bench while one child ran: machine CPU time
     * ({@code /proc/stat}, all cores) minus the child's own CPU time (it reports {@code processCpuNs}) minus
     * this parent's, divided by the wall time. 0 on an otherwise idle machine; 2 on 2 cores means every core
     * was taken by someone else. "-1" where {@code /proc/stat} or the child's CPU time is missing.
     */
    static final class MachineCpu
    {
        private static final double TICKS_PER_SECOND = 100.0;
        private final long busyTicks;
        private final long parentCpuNs;
        private final long startNs;

        private MachineCpu(final long busyTicks, final long parentCpuNs, final long startNs)
        {
            this.busyTicks = busyTicks;
            this.parentCpuNs = parentCpuNs;
            this.startNs = startNs;
        }

        static MachineCpu start()
        {
            return new MachineCpu(busyTicks(), parentCpuNs(), System.nanoTime());
        }

        String otherCores(final String childCpuNs)
        {
            final long busyNow = busyTicks();
            if (childCpuNs == null || busyTicks < 0 || busyNow < 0)
            {
                return "-1";
            }
            final double wallSeconds = (System.nanoTime() - startNs) / 1e9;
            final double others = (busyNow - busyTicks) / TICKS_PER_SECOND - Long.parseLong(childCpuNs) / 1e9 -
                (parentCpuNs() - parentCpuNs) / 1e9;
            return String.format("%.2f", Math.max(0, others) / wallSeconds);
        }

        private static long parentCpuNs()
        {
            return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
        }

        /** @return user + nice + system + irq + softirq + steal ticks of all cores, or -1. */
        private static long busyTicks()
        {
            try
            {
                final Path file = Path.of("/proc/stat");
                if (!Files.isReadable(file))
                {
                    return -1;
                }
                final String[] f = Files.readAllLines(file).get(0).trim().split("\\s+");
                return Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6]) +
                    Long.parseLong(f[7]) + Long.parseLong(f[8]);
            }
            catch (final IOException | RuntimeException ex)
            {
                return -1;
            }
        }
    }

    /**
     * @return the 1-minute load average from {@code /proc/loadavg}, or "-1" where there is none.
     */
    public static String loadAverage()
    {
        try
        {
            final Path file = Path.of("/proc/loadavg");
            return Files.isReadable(file) ? Files.readString(file).trim().split("\\s+")[0] : "-1";
        }
        catch (final IOException ex)
        {
            return "-1";
        }
    }

    public static Map<String, String> parse(final String line)
    {
        final String[] parts = line.trim().split("\\s+");
        final Map<String, String> record = new LinkedHashMap<>();
        record.put("@", parts[0].substring(1));
        for (int i = 1; i < parts.length; i++)
        {
            final int eq = parts[i].indexOf('=');
            if (eq > 0)
            {
                record.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
            }
        }
        return record;
    }

    /**
     * {@code kill -9} the child and wait for it to be gone.
     *
     * @return its exit value.
     */
    public int killHard() throws InterruptedException
    {
        return child.killHard(60, TimeUnit.SECONDS);
    }

    /**
     * Wait for the child to exit by itself; it must exit with 0.
     */
    public void awaitCleanExit(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        child.awaitCleanExit(timeout, unit);
    }

    public String describe()
    {
        return child.describe();
    }

    @Override
    public void close()
    {
        child.close();
    }
}
