package dev.engram.harness.demo;

import dev.engram.harness.Main;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM of the demo (a worker or a recoverer), running {@code demo --child=<role> ...} of the same code.
 * <ul>
 *   <li>From the runnable jar: {@code java <heap flags> -jar engram-bench.jar demo --child=...}; the jar's
 *       manifest carries the Add-Opens/Add-Exports Chronicle needs.</li>
 *   <li>From classes (tests, an IDE): {@code java <heap flags> <the build's flags> -cp <class path>
 *       dev.engram.harness.Main demo --child=...}, the flags taken from the {@code engram.jvmFlags} property
 *       surefire passes, else from this JVM's own {@code --add-opens}/{@code --add-exports}.</li>
 * </ul>
 * stdout and stderr go to files. {@link #killHard()} is a real {@code SIGKILL} on Linux
 * ({@link Process#destroyForcibly()}), whose exit value is {@link #SIGKILL_EXIT_VALUE}. {@link #close()}
 * always ends the process.
 */
final class DemoChildJvm implements AutoCloseable
{
    /** Exit value of a process ended by SIGKILL (128 + 9). */
    static final int SIGKILL_EXIT_VALUE = 128 + 9;

    private final String role;
    private final Process process;
    private final long spawnEpochUs;
    private final Path stderr;

    private DemoChildJvm(final String role, final Process process, final long spawnEpochUs, final Path stderr)
    {
        this.role = role;
        this.process = process;
        this.spawnEpochUs = spawnEpochUs;
        this.stderr = stderr;
    }

    /**
     * @param role     {@code worker} or {@code recover}.
     * @param heapMb   the child's maximum heap.
     * @param jvmFlags more JVM flags (after the heap and GC flags).
     * @param args     its arguments.
     * @param logDir   where {@code <name>.out} and {@code <name>.err} go.
     * @param name     the log files' base name.
     */
    static DemoChildJvm start(
        final String role, final long heapMb, final List<String> jvmFlags, final ChildArgs args, final Path logDir, final String name)
        throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:+UseParallelGC");
        command.add("-Xms" + Math.min(heapMb, 256) + "m");
        command.add("-Xmx" + heapMb + "m");
        command.addAll(jvmFlags);
        final Path codeSource = codeSource();
        if (Files.isRegularFile(codeSource) && codeSource.toString().endsWith(".jar"))
        {
            command.add("-jar");
            command.add(codeSource.toString());
        }
        else
        {
            command.addAll(moduleFlags());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(Main.class.getName());
        }
        command.add("demo");
        command.add("--child=" + role);
        command.addAll(args.toArgs());
        final Path stdout = logDir.resolve(name + ".out");
        final Path stderr = logDir.resolve(name + ".err");
        final ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        final long spawnEpochUs = DemoWorker.epochMicros(Instant.now());
        final Process process = builder.start();
        process.getOutputStream().close();
        return new DemoChildJvm(role, process, spawnEpochUs, stderr);
    }

    /** @return wall clock just before the process was started, epoch µs. */
    long spawnEpochUs()
    {
        return spawnEpochUs;
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * {@code kill -9} the child and wait until it is gone.
     *
     * @return its exit value: {@link #SIGKILL_EXIT_VALUE} when the kill ended it.
     */
    int killHard() throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            throw new IllegalStateException(role + " child pid=" + pid() + " still alive 30 s after SIGKILL");
        }
        return process.exitValue();
    }

    /**
     * Wait for the child to exit by itself; kill it if it does not in time.
     *
     * @return its exit value.
     */
    int awaitExit(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        if (!process.waitFor(timeout, unit))
        {
            killHard();
            throw new IllegalStateException(role + " child pid=" + pid() + " did not finish within " + timeout + " " +
                unit + " (killed)\n" + stderrTail());
        }
        return process.exitValue();
    }

    /** @return the end of the child's stderr, for error messages. */
    String stderrTail()
    {
        try
        {
            final String text = Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
            return "--- " + stderr + " ---\n" + (text.length() > 4000 ? "..." + text.substring(text.length() - 4000) : text);
        }
        catch (final IOException ex)
        {
            return "<cannot read " + stderr + ": " + ex.getMessage() + ">";
        }
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(30, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Path codeSource()
    {
        try
        {
            return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        }
        catch (final URISyntaxException ex)
        {
            throw new IllegalStateException("cannot locate the code of " + Main.class.getName(), ex);
        }
    }

    /** @return the --add-opens/--add-exports (and similar) flags a child started from classes needs. */
    private static List<String> moduleFlags()
    {
        final String buildFlags = System.getProperty("engram.jvmFlags");
        if (buildFlags != null && !buildFlags.isBlank())
        {
            return Arrays.asList(buildFlags.trim().split("\\s+"));
        }
        final List<String> flags = new ArrayList<>();
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("--enable-native-access") ||
                arg.startsWith("--sun-misc-unsafe-memory-access") || arg.startsWith("-Dchronicle.") || arg.startsWith("-Ddisable."))
            {
                flags.add(arg);
            }
        }
        return flags;
    }
}
