package dev.engram.journal;

import dev.engram.testsupport.JvmFlags;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The journal test-jar's name for {@link dev.engram.testsupport.ChildJvm}, the one child-JVM launcher
 * (module engram-test-support), kept for the tests of other modules that still import it from here; it only
 * delegates. New code uses {@code dev.engram.testsupport.ChildJvm} directly. Unlike the launcher's default, a
 * child started here insists on the build's flags ({@link JvmFlags#fromBuild()}), as this class always did.
 */
public final class ChildJvm implements AutoCloseable
{
    /** Exit value of a process ended by SIGKILL (128 + 9). */
    public static final int SIGKILL_EXIT_VALUE = dev.engram.testsupport.ChildJvm.SIGKILL_EXIT_VALUE;

    private final dev.engram.testsupport.ChildJvm child;

    private ChildJvm(final dev.engram.testsupport.ChildJvm child)
    {
        this.child = child;
    }

    /**
     * @param mainClass the class whose {@code main} the child runs.
     * @return a builder.
     */
    public static Builder builder(final Class<?> mainClass)
    {
        return new Builder(dev.engram.testsupport.ChildJvm.builder(mainClass));
    }

    /** See {@link dev.engram.testsupport.ChildJvm#runToCompletion}. @return the child's stdout. */
    public static String runToCompletion(final Class<?> mainClass, final Path work, final long timeoutSeconds,
        final String... args) throws IOException, InterruptedException
    {
        return dev.engram.testsupport.ChildJvm.runToCompletion(mainClass, work, timeoutSeconds, args);
    }

    /** @return the build's JVM flags ({@link JvmFlags#fromBuild()}). */
    public static List<String> buildJvmFlags()
    {
        return JvmFlags.fromBuild();
    }

    public long pid()
    {
        return child.pid();
    }

    public boolean isAlive()
    {
        return child.isAlive();
    }

    public List<String> command()
    {
        return child.command();
    }

    public Path stdoutFile()
    {
        return child.stdoutFile();
    }

    public Path stderrFile()
    {
        return child.stderrFile();
    }

    public String stdoutText()
    {
        return child.stdoutText();
    }

    public String stderrText()
    {
        return child.stderrText();
    }

    /** @return the exit value. @see dev.engram.testsupport.ChildJvm#killHard */
    public int killHard(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return child.killHard(timeout, unit);
    }

    /** @return the exit value. @see dev.engram.testsupport.ChildJvm#awaitExit */
    public int awaitExit(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return child.awaitExit(timeout, unit);
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

    /**
     * What the child runs with (see {@link dev.engram.testsupport.ChildJvm.Builder}).
     */
    public static final class Builder
    {
        private final dev.engram.testsupport.ChildJvm.Builder builder;

        private Builder(final dev.engram.testsupport.ChildJvm.Builder builder)
        {
            this.builder = builder;
        }

        /** @param filter which of the build's JVM flags to keep. @return this. */
        public Builder buildFlagFilter(final Predicate<String> filter)
        {
            builder.flagFilter(filter);
            return this;
        }

        /** @param jvmArg an extra JVM argument, placed after the build's flags. @return this. */
        public Builder jvmArg(final String jvmArg)
        {
            builder.jvmArg(jvmArg);
            return this;
        }

        /** @param values program arguments. @return this. */
        public Builder args(final Object... values)
        {
            builder.args(values);
            return this;
        }

        /** @param file where the child's stdout goes. @return this. */
        public Builder stdout(final Path file)
        {
            builder.stdout(file);
            return this;
        }

        /** @param file where the child's stderr goes. @return this. */
        public Builder stderr(final Path file)
        {
            builder.stderr(file);
            return this;
        }

        public ChildJvm start() throws IOException
        {
            return new ChildJvm(builder.flags(JvmFlags.fromBuild()).start());
        }
    }
}
