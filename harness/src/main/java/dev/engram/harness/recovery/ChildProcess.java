package dev.engram.harness.recovery;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * A child JVM of the recovery bench: {@code java <Chronicle/Agrona flags> <jvm options> -cp <our class path>
 * <main class> <args>}. Its stdout is read line by line: lines {@code @<tag> key=value ...} are records for
 * the parent ({@link #awaitRecord}), every line is also copied to {@code <name>.out}; stderr goes to
 * {@code <name>.err}. {@link #killHard()} is a real {@code SIGKILL} ({@link Process#destroyForcibly()} on
 * Linux); {@link #close()} kills a child that is still alive, so no process outlives the bench.
 */
public final class ChildProcess implements AutoCloseable
{
    /** Exit value of a process ended by SIGKILL (128 + 9). */
    public static final int SIGKILL_EXIT_VALUE = 128 + 9;
    public static final String JVM_FLAGS_PROP_NAME = "engram.jvmFlags";
    private static final String EOF = "\u0000eof";

    private final String name;
    private final Process process;
    private final long spawnWallMs;
    private final Path stdoutFile;
    private final Path stderrFile;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread pump;

    private ChildProcess(final String name, final Process process, final long spawnWallMs, final Path stdoutFile,
        final Path stderrFile) throws IOException
    {
        this.name = name;
        this.process = process;
        this.spawnWallMs = spawnWallMs;
        this.stdoutFile = stdoutFile;
        this.stderrFile = stderrFile;
        final PrintWriter copy = new PrintWriter(Files.newBufferedWriter(stdoutFile, StandardCharsets.UTF_8), true);
        this.pump = new Thread(() -> pump(copy), "child-stdout-" + name);
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Start a child.
     *
     * @param name       used for the log files and messages.
     * @param logDir     where {@code <name>.out} and {@code <name>.err} go.
     * @param mainClass  the child's main class (on this JVM's class path).
     * @param jvmOptions extra JVM options (heap, GC), after the build's flags.
     * @param args       program arguments.
     */
    public static ChildProcess start(final String name, final Path logDir, final Class<?> mainClass, final List<String> jvmOptions,
        final List<String> args) throws IOException
    {
        Files.createDirectories(logDir);
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(args);
        final Path out = logDir.resolve(name + ".out");
        final Path err = logDir.resolve(name + ".err");
        Files.writeString(logDir.resolve(name + ".cmd"), String.join(" ", command) + "\n");
        final long spawnWallMs = System.currentTimeMillis();
        final Process process = new ProcessBuilder(command)
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
        return new ChildProcess(name, process, spawnWallMs, out, err);
    }

    /**
     * The flags Chronicle and Agrona need, as this JVM got them: the {@code engram.jvmFlags} property when
     * the build passes it (tests), else this JVM's own {@code --add-opens/--add-exports/...} arguments plus
     * the {@code Add-Opens/Add-Exports} of the jar it was started from ({@code java -jar}).
     */
    public static List<String> jvmFlags()
    {
        final String property = System.getProperty(JVM_FLAGS_PROP_NAME);
        if (property != null && !property.isBlank())
        {
            return Arrays.asList(property.trim().split("\\s+"));
        }
        final List<String> flags = new ArrayList<>();
        final List<String> input = ManagementFactory.getRuntimeMXBean().getInputArguments();
        for (int i = 0; i < input.size(); i++)
        {
            final String arg = input.get(i);
            if ((arg.equals("--add-opens") || arg.equals("--add-exports")) && i + 1 < input.size())
            {
                flags.add(arg + "=" + input.get(++i));
            }
            else if (arg.startsWith("--add-opens=") || arg.startsWith("--add-exports=") ||
                arg.startsWith("--enable-native-access") || arg.startsWith("--sun-misc-unsafe-memory-access") ||
                arg.startsWith("-Dchronicle."))
            {
                flags.add(arg);
            }
        }
        final String classPath = System.getProperty("java.class.path");
        if (classPath.endsWith(".jar") && !classPath.contains(File.pathSeparator))
        {
            try (JarFile jar = new JarFile(classPath))
            {
                final Manifest manifest = jar.getManifest();
                if (manifest != null)
                {
                    addManifestFlags(manifest.getMainAttributes(), "Add-Opens", "--add-opens=", flags);
                    addManifestFlags(manifest.getMainAttributes(), "Add-Exports", "--add-exports=", flags);
                }
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException("cannot read the manifest of " + classPath + ": " + ex.getMessage(), ex);
            }
        }
        return flags;
    }

    private static void addManifestFlags(final Attributes attributes, final String name, final String flag,
        final List<String> flags)
    {
        final String value = attributes.getValue(name);
        if (value == null)
        {
            return;
        }
        for (final String entry : value.trim().split("\\s+"))
        {
            final String candidate = flag + entry + "=ALL-UNNAMED";
            if (!entry.isEmpty() && !flags.contains(candidate))
            {
                flags.add(candidate);
            }
        }
    }

    private void pump(final PrintWriter copy)
    {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            copy)
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                copy.println(line);
                if (line.startsWith("@"))
                {
                    lines.add(line);
                }
            }
        }
        catch (final IOException ex)
        {
            lines.add("@pump-failed error=" + ex.getMessage().replace(' ', '_'));
        }
        finally
        {
            lines.add(EOF);
        }
    }

    public String name()
    {
        return name;
    }

    public long pid()
    {
        return process.pid();
    }

    /** @return wall clock (ms) just before the process was spawned. */
    public long spawnWallMs()
    {
        return spawnWallMs;
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
        process.destroyForcibly();
        if (!process.waitFor(60, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("child " + describe() + " still alive 60 s after SIGKILL");
        }
        pump.join(TimeUnit.SECONDS.toMillis(10));
        return process.exitValue();
    }

    /**
     * Wait for the child to exit by itself; it must exit with 0.
     */
    public void awaitCleanExit(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        if (!process.waitFor(timeout, unit))
        {
            killHard();
            throw new IllegalStateException("child " + describe() + " did not exit within " + timeout + " " + unit + " (killed)");
        }
        pump.join(TimeUnit.SECONDS.toMillis(10));
        if (process.exitValue() != 0)
        {
            throw new IllegalStateException("child " + describe() + " exited with " + process.exitValue());
        }
    }

    public String describe()
    {
        String tail = "";
        try
        {
            final String err = Files.exists(stderrFile) ? Files.readString(stderrFile, StandardCharsets.UTF_8) : "";
            tail = err.length() > 3000 ? "..." + err.substring(err.length() - 3000) : err;
        }
        catch (final IOException ex)
        {
            tail = "<cannot read " + stderrFile + ": " + ex + ">";
        }
        return name + " pid=" + process.pid() + (process.isAlive() ? " (alive)" : " exitValue=" + process.exitValue()) +
            " stdout=" + stdoutFile + " stderr=" + stderrFile + (tail.isBlank() ? "" : "\n--- stderr tail ---\n" + tail);
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(60, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
