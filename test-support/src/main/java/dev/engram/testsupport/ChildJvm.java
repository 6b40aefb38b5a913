package dev.engram.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM of a test or a harness: {@code java <flags> <jvm args> <-D properties> -cp <class path> <main class>
 * <args>}, the one way Engram's code starts another JVM.
 * <ul>
 *   <li>Flags: by default {@link JvmFlags#forChild()} (the parent pom's {@code engram.jvmFlags} in tests, this
 *       JVM's own flags or its jar's manifest elsewhere), optionally filtered; then the caller's JVM arguments
 *       (heap, GC, error file: they come later, so they win), then system properties.</li>
 *   <li>Class path: this JVM's {@code java.class.path} (the test class path, or the runnable jar itself
 *       when started with {@code java -jar}).</li>
 *   <li>Output: stdout and stderr go to files; with {@link Builder#onStdout(StdoutListener)} stdout is read line by line
 *       as it comes (each line is still copied to its file), for children that report to their parent.</li>
 *   <li>Ends: {@link #awaitExit} (a child still running at the timeout is killed, and that is an error),
 *       {@link #killHard} (a real {@code SIGKILL} on Linux: {@link Process#destroyForcibly()}; the exit value of
 *       a process ended by a signal is 128 + the signal, so {@link #SIGKILL_EXIT_VALUE}), and {@link #close()},
 *       which always ends the process: no child outlives a failed test or an interrupted harness.</li>
 * </ul>
 */
public final class ChildJvm implements AutoCloseable
{
    /** Exit value of a process ended by SIGKILL (128 + 9). */
    public static final int SIGKILL_EXIT_VALUE = 128 + 9;
    /** How long {@link #close()} waits for a killed child to be gone. */
    private static final long CLOSE_WAIT_SECONDS = 60;
    private static final int TAIL_CHARS = 4000;

    private final String name;
    private final Process process;
    private final List<String> command;
    private final Instant spawnedAt;
    private final Path stdout;
    private final Path stderr;
    private final StdoutPump pump;

    private ChildJvm(final String name, final Process process, final List<String> command, final Instant spawnedAt,
        final Path stdout, final Path stderr, final StdoutPump pump)
    {
        this.name = name;
        this.process = process;
        this.command = command;
        this.spawnedAt = spawnedAt;
        this.stdout = stdout;
        this.stderr = stderr;
        this.pump = pump;
    }

    /**
     * @param mainClass the class whose {@code main} the child runs (on this JVM's class path).
     * @return a builder.
     */
    public static Builder builder(final Class<?> mainClass)
    {
        return new Builder(mainClass.getName());
    }

    /**
     * Run {@code mainClass} with {@code args} in a child JVM to its end, its output kept in {@code work}.
     *
     * @return its stdout.
     * @throws AssertionError if it did not exit with 0 within the timeout, with its output.
     */
    public static String runToCompletion(final Class<?> mainClass, final Path work, final long timeoutSeconds,
        final String... args) throws IOException, InterruptedException
    {
        final String base = mainClass.getSimpleName() + "-" + System.nanoTime();
        try (ChildJvm child = builder(mainClass).args((Object[])args).logs(work, base).start())
        {
            final int exit = child.awaitExit(timeoutSeconds, TimeUnit.SECONDS);
            if (exit != 0)
            {
                throw new AssertionError("child " + mainClass.getSimpleName() + " " + String.join(" ", args) + " exit=" + exit +
                    " (134: SIGABRT, 135: SIGBUS, 137: SIGKILL, 139: SIGSEGV)\n" + child.stdoutText() + "\n" + child.stderrText());
            }
            return child.stdoutText();
        }
    }

    /** @return the name used in messages and thread names. */
    public String name()
    {
        return name;
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    /** @return the whole command line the child was started with. */
    public List<String> command()
    {
        return command;
    }

    /** @return wall clock just before the process was started. */
    public Instant spawnedAt()
    {
        return spawnedAt;
    }

    public Path stdoutFile()
    {
        return stdout;
    }

    public Path stderrFile()
    {
        return stderr;
    }

    public String stdoutText()
    {
        return read(stdout);
    }

    public String stderrText()
    {
        return read(stderr);
    }

    /** @return the last few thousand characters of stderr, headed by the file's name, for error messages. */
    public String stderrTail()
    {
        return "--- " + stderr + " ---\n" + tail(stderrText());
    }

    /**
     * @return the exit value of a child that has ended.
     * @throws IllegalThreadStateException if it is still running.
     */
    public int exitValue()
    {
        return process.exitValue();
    }

    /**
     * Wait at most {@code timeout} for the child to exit by itself, and do nothing else: a child still running
     * afterwards is left running (see {@link #awaitExit} for the wait that kills).
     *
     * @return true if it has exited.
     */
    public boolean waitFor(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        if (!process.waitFor(timeout, unit))
        {
            return false;
        }
        drainStdout();
        return true;
    }

    /**
     * Ask the JVM for a thread dump on its stdout ({@code kill -QUIT}, best effort: where there is no {@code kill}
     * command nothing happens), e.g. before killing a child that hangs.
     *
     * @return true if the signal was sent.
     */
    public boolean requestThreadDump() throws InterruptedException
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(pid())).inheritIO().start();
            return kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * {@code kill -9} the child and wait for it to be gone (and for its stdout to be read to the end).
     *
     * @return its exit value ({@link #SIGKILL_EXIT_VALUE} if the kill ended it).
     * @throws IllegalStateException if it is still alive after the timeout.
     */
    public int killHard(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(timeout, unit))
        {
            throw new IllegalStateException("child " + name + " pid=" + pid() + " still alive " + timeout + " " + unit +
                " after SIGKILL");
        }
        drainStdout();
        return process.exitValue();
    }

    /**
     * Wait for the child to exit by itself (and for its stdout to be read to the end).
     *
     * @return its exit value.
     * @throws IllegalStateException if it did not exit in time: it is then killed, and its stderr quoted.
     */
    public int awaitExit(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        if (!process.waitFor(timeout, unit))
        {
            killHard(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            throw new IllegalStateException("child " + name + " pid=" + pid() + " did not exit within " + timeout + " " +
                unit + " (killed)\n" + stderrTail());
        }
        drainStdout();
        return process.exitValue();
    }

    /**
     * Wait for the child to exit by itself with 0.
     *
     * @throws IllegalStateException if it did not exit in time (it is killed) or exited with another value.
     */
    public void awaitCleanExit(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final int exit = awaitExit(timeout, unit);
        if (exit != 0)
        {
            throw new IllegalStateException("child " + describe() + " exited with " + exit);
        }
    }

    /**
     * @return a description for failure messages: the name, pid, exit state, output files and the tail of stderr.
     */
    public String describe()
    {
        final String err = stderrText();
        return name + " pid=" + pid() + (process.isAlive() ? " (alive)" : " exitValue=" + process.exitValue()) +
            " stdout=" + stdout + " stderr=" + stderr + (err.isBlank() ? "" : "\n--- stderr tail ---\n" + tail(err));
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void drainStdout() throws InterruptedException
    {
        if (pump != null)
        {
            pump.awaitEnd(TimeUnit.SECONDS.toMillis(10));
        }
    }

    private static String tail(final String text)
    {
        return text.length() > TAIL_CHARS ? "..." + text.substring(text.length() - TAIL_CHARS) : text;
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        }
        catch (final IOException ex)
        {
            return "<cannot read " + file + ": " + ex + ">";
        }
    }

    /**
     * What the child runs with. Only the output files are required ({@link #logs} or {@link #stdout} and
     * {@link #stderr}).
     */
    public static final class Builder
    {
        private final String mainClassName;
        private final List<String> jvmArgs = new ArrayList<>();
        private final Map<String, String> systemProperties = new LinkedHashMap<>();
        private final List<String> args = new ArrayList<>();
        private String name;
        private List<String> flags;
        private Predicate<String> flagFilter = flag -> true;
        private Path workingDirectory;
        private Path stdout;
        private Path stderr;
        private Path commandFile;
        private StdoutListener stdoutLines;

        private Builder(final String mainClassName)
        {
            this.mainClassName = mainClassName;
            this.name = mainClassName.substring(mainClassName.lastIndexOf('.') + 1);
        }

        /** @param name for messages and the stdout reader's thread (default: the main class's simple name). @return this. */
        public Builder name(final String name)
        {
            this.name = name;
            return this;
        }

        /**
         * @param flags the Engram flags to start with instead of {@link JvmFlags#forChild()} (e.g.
         *              {@link JvmFlags#fromBuild()}, which insists on the build's).
         * @return this.
         */
        public Builder flags(final List<String> flags)
        {
            this.flags = List.copyOf(flags);
            return this;
        }

        /** @param filter which of the Engram flags to keep (e.g. drop the {@code -Dchronicle.*} ones). @return this. */
        public Builder flagFilter(final Predicate<String> filter)
        {
            this.flagFilter = filter;
            return this;
        }

        /** @param jvmArg a JVM argument (heap, GC, ...), placed after the Engram flags. @return this. */
        public Builder jvmArg(final String jvmArg)
        {
            jvmArgs.add(jvmArg);
            return this;
        }

        /** @param values JVM arguments, placed after the Engram flags. @return this. */
        public Builder jvmArgs(final List<String> values)
        {
            jvmArgs.addAll(values);
            return this;
        }

        /** @param key a system property's name. @param value its value. @return this. */
        public Builder systemProperty(final String key, final String value)
        {
            systemProperties.put(key, value);
            return this;
        }

        /** @param values program arguments ({@link String#valueOf} each). @return this. */
        public Builder args(final Object... values)
        {
            for (final Object value : values)
            {
                args.add(String.valueOf(value));
            }
            return this;
        }

        /** @param values program arguments. @return this. */
        public Builder args(final List<String> values)
        {
            args.addAll(values);
            return this;
        }

        /** @param directory the child's working directory (default: this JVM's). @return this. */
        public Builder workingDirectory(final Path directory)
        {
            this.workingDirectory = directory;
            return this;
        }

        /**
         * @param dir      where the output goes (created if missing).
         * @param baseName {@code <baseName>.out} takes stdout, {@code <baseName>.err} stderr.
         * @return this.
         */
        public Builder logs(final Path dir, final String baseName)
        {
            this.stdout = dir.resolve(baseName + ".out");
            this.stderr = dir.resolve(baseName + ".err");
            return this;
        }

        /** @param file where the child's stdout goes. @return this. */
        public Builder stdout(final Path file)
        {
            this.stdout = file;
            return this;
        }

        /** @param file where the child's stderr goes. @return this. */
        public Builder stderr(final Path file)
        {
            this.stderr = file;
            return this;
        }

        /** @param file where the whole command line is written before the start (for reruns by hand). @return this. */
        public Builder commandFile(final Path file)
        {
            this.commandFile = file;
            return this;
        }

        /**
         * @param listener gets every line of the child's stdout as it comes, on a reader thread (each line is
         *                 also written to the stdout file), then the end; {@link #awaitExit} and {@link #killHard}
         *                 return only after that.
         * @return this.
         */
        public Builder onStdout(final StdoutListener listener)
        {
            this.stdoutLines = listener;
            return this;
        }

        /**
         * @return the command line {@link #start()} runs.
         */
        public List<String> command()
        {
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (final String flag : flags == null ? JvmFlags.forChild() : flags)
            {
                if (flagFilter.test(flag))
                {
                    command.add(flag);
                }
            }
            command.addAll(jvmArgs);
            systemProperties.forEach((key, value) -> command.add("-D" + key + "=" + value));
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(mainClassName);
            command.addAll(args);
            return List.copyOf(command);
        }

        public ChildJvm start() throws IOException
        {
            if (stdout == null || stderr == null)
            {
                throw new IllegalArgumentException("stdout and stderr files must be set: stdout=" + stdout + " stderr=" + stderr);
            }
            Files.createDirectories(stdout.toAbsolutePath().getParent());
            Files.createDirectories(stderr.toAbsolutePath().getParent());
            final List<String> command = command();
            if (commandFile != null)
            {
                Files.writeString(commandFile, String.join(" ", command) + "\n");
            }
            final ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
            if (workingDirectory != null)
            {
                builder.directory(workingDirectory.toFile());
            }
            if (stdoutLines == null)
            {
                builder.redirectOutput(stdout.toFile());
            }
            final Instant spawnedAt = Instant.now();
            final Process process = builder.start();
            process.getOutputStream().close();
            final StdoutPump pump = stdoutLines == null ? null : StdoutPump.start(name, process, stdout, stdoutLines);
            return new ChildJvm(name, process, command, spawnedAt, stdout, stderr, pump);
        }
    }
}
