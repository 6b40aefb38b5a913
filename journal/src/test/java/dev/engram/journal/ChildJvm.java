package dev.engram.journal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM started from a test: {@code java <engram.jvmFlags> <extra args> -cp <test class path> Main args},
 * with stdout and stderr sent to files (kept with the test's data), and a hard kill that is a real
 * {@code SIGKILL}.
 * <p>
 * The flags come from the {@code engram.jvmFlags} system property surefire passes on (the same set the
 * test JVM itself runs with); the class path is the test JVM's {@code java.class.path}. A child is
 * always ended by {@link #close()}, so a failing test leaves no process behind.
 * <p>
 * On Linux {@link Process#destroyForcibly()} sends {@code SIGKILL} and the exit value of a process
 * ended by a signal is 128 + the signal number, so {@link #killHard(long, TimeUnit)} returns
 * {@link #SIGKILL_EXIT_VALUE} when the kill was really a {@code kill -9}.
 */
public final class ChildJvm implements AutoCloseable
{
    /** Exit value of a process ended by SIGKILL (128 + 9). */
    public static final int SIGKILL_EXIT_VALUE = 128 + 9;
    /** The system property holding the JVM flags the build keeps in one place. */
    static final String JVM_FLAGS_PROP_NAME = "engram.jvmFlags";

    private final Process process;
    private final List<String> command;
    private final Path stdout;
    private final Path stderr;

    private ChildJvm(final Process process, final List<String> command, final Path stdout, final Path stderr)
    {
        this.process = process;
        this.command = command;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * @param mainClass the class whose {@code main} the child runs.
     * @return a builder.
     */
    public static Builder builder(final Class<?> mainClass)
    {
        return new Builder(mainClass);
    }

    /**
     * Run {@code mainClass} with {@code args} in a child JVM to its end (output kept in {@code work}).
     *
     * @return its stdout.
     * @throws AssertionError if it did not exit with 0 within the timeout (a signal exit is 128 + the signal),
     *                        with its output.
     */
    public static String runToCompletion(final Class<?> mainClass, final Path work, final long timeoutSeconds,
        final String... args) throws IOException, InterruptedException
    {
        final Path out = work.resolve(mainClass.getSimpleName() + "-" + System.nanoTime() + ".out");
        try (ChildJvm child = builder(mainClass).args((Object[])args).stdout(out)
            .stderr(work.resolve(out.getFileName() + ".err")).start())
        {
            final int exit = child.awaitExit(timeoutSeconds, TimeUnit.SECONDS);
            if (exit != 0)
            {
                throw new AssertionError("child " + mainClass.getSimpleName() + " " + String.join(" ", args) + " exit=" + exit +
                    " (134: SIGABRT, 135: SIGBUS, 139: SIGSEGV)\n" + child.stdoutText() + "\n" + child.stderrText());
            }
            return child.stdoutText();
        }
    }

    /**
     * @return the build's JVM flags, one per element.
     * @throws IllegalStateException if the test was not started by the build (the property is missing).
     */
    public static List<String> buildJvmFlags()
    {
        final String flags = System.getProperty(JVM_FLAGS_PROP_NAME);
        if (flags == null || flags.isBlank())
        {
            throw new IllegalStateException("system property " + JVM_FLAGS_PROP_NAME + " is not set: run the test " +
                "through Maven (surefire passes it), or pass -D" + JVM_FLAGS_PROP_NAME + "=\"<flags from the parent pom>\"");
        }
        return Arrays.asList(flags.trim().split("\\s+"));
    }

    public long pid()
    {
        return process.pid();
    }

    public boolean isAlive()
    {
        return process.isAlive();
    }

    public List<String> command()
    {
        return command;
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

    /**
     * {@code kill -9} the child and wait for it to be gone.
     *
     * @return its exit value ({@link #SIGKILL_EXIT_VALUE} if the kill ended it).
     * @throws IllegalStateException if it is still alive after the timeout.
     */
    public int killHard(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        process.destroyForcibly();
        if (!process.waitFor(timeout, unit))
        {
            throw new IllegalStateException("child pid=" + pid() + " still alive " + timeout + " " + unit + " after SIGKILL");
        }
        return process.exitValue();
    }

    /**
     * Wait for the child to exit by itself.
     *
     * @return its exit value.
     * @throws IllegalStateException if it did not exit in time (it is then killed, and its stderr quoted).
     */
    public int awaitExit(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        if (!process.waitFor(timeout, unit))
        {
            killHard(10, TimeUnit.SECONDS);
            throw new IllegalStateException("child pid=" + pid() + " did not exit within " + timeout + " " + unit +
                " (killed); stderr:\n" + stderrText());
        }
        return process.exitValue();
    }

    /**
     * @return a description for failure messages: the pid, exit state and the tail of stderr.
     */
    public String describe()
    {
        final String err = stderrText();
        final String tail = err.length() > 4000 ? "..." + err.substring(err.length() - 4000) : err;
        return "child pid=" + pid() + (process.isAlive() ? " (alive)" : " exitValue=" + process.exitValue()) +
            " stdout=" + stdout + " stderr=" + stderr + "\n--- stderr tail ---\n" + tail;
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(10, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
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
     * What the child runs with.
     */
    public static final class Builder
    {
        private final Class<?> mainClass;
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private Predicate<String> flagFilter = flag -> true;
        private Path stdout;
        private Path stderr;

        private Builder(final Class<?> mainClass)
        {
            this.mainClass = mainClass;
        }

        /** @param filter which of the build's JVM flags to keep (e.g. drop the {@code -Dchronicle.*} ones). @return this. */
        public Builder buildFlagFilter(final Predicate<String> filter)
        {
            this.flagFilter = filter;
            return this;
        }

        /** @param jvmArg an extra JVM argument, placed after the build's flags. @return this. */
        public Builder jvmArg(final String jvmArg)
        {
            jvmArgs.add(jvmArg);
            return this;
        }

        /** @param values program arguments. @return this. */
        public Builder args(final Object... values)
        {
            for (final Object value : values)
            {
                args.add(String.valueOf(value));
            }
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

        public ChildJvm start() throws IOException
        {
            if (stdout == null || stderr == null)
            {
                throw new IllegalArgumentException("stdout and stderr files must be set: stdout=" + stdout + " stderr=" + stderr);
            }
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            for (final String flag : buildJvmFlags())
            {
                if (flagFilter.test(flag))
                {
                    command.add(flag);
                }
            }
            command.addAll(jvmArgs);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(mainClass.getName());
            command.addAll(args);
            final Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
            process.getOutputStream().close();
            return new ChildJvm(process, List.copyOf(command), stdout, stderr);
        }
    }
}
