package dev.engram.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * {@code ./engram bench jmh [jmh args]}: runs JMH from the runnable jar with the JVM flags every fork needs.
 * <p>
 * A fork is started with {@code -cp engram-bench.jar}, so the jar manifest's Add-Opens/Add-Exports do not
 * reach it. The flags come from {@value #FLAGS_RESOURCE}, which the build fills from the parent pom's
 * {@code engram.jvmFlags} (the one place they are kept), and are handed to JMH as {@code -jvmArgsPrepend}
 * (joined to any {@code -jvmArgsPrepend} given on the command line; {@code -jvmArgsAppend} and
 * {@code -jvmArgs} stay the caller's).
 */
public final class JmhCommand
{
    static final String FLAGS_RESOURCE = "jmh-fork-flags.properties";
    private static final String PREPEND_OPTION = "-jvmArgsPrepend";

    private JmhCommand()
    {
    }

    /**
     * Main class of engram-bench.jar.
     *
     * @param args JMH's own command line ({@code -h} lists it; {@code -l} lists the benchmarks).
     */
    public static void main(final String[] args) throws Exception
    {
        run(args);
    }

    /**
     * @param args JMH's own command line ({@code -h} lists it).
     */
    public static void run(final String[] args) throws Exception
    {
        org.openjdk.jmh.Main.main(withForkFlags(args, forkFlags()));
    }

    /**
     * @return the JVM flags a fork needs (the parent pom's {@code engram.jvmFlags}).
     */
    static String forkFlags()
    {
        final Properties properties = new Properties();
        try (InputStream in = JmhCommand.class.getResourceAsStream(FLAGS_RESOURCE))
        {
            if (in == null)
            {
                throw new IllegalStateException(FLAGS_RESOURCE + " is missing from the class path: rebuild with " +
                    "`mvn -pl bench -am package -DskipTests`");
            }
            properties.load(in);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read " + FLAGS_RESOURCE + ": " + ex.getMessage(), ex);
        }
        final String flags = properties.getProperty("jvmFlags", "").trim();
        if (flags.isEmpty() || flags.contains("${"))
        {
            throw new IllegalStateException(FLAGS_RESOURCE + " holds no filtered flags (jvmFlags=" + flags +
                "): the build did not filter it; rebuild with `mvn -pl bench -am package -DskipTests`");
        }
        return flags;
    }

    /**
     * @param args  JMH arguments.
     * @param flags flags to prepend to every fork's JVM arguments.
     * @return the arguments with the flags added to {@code -jvmArgsPrepend}.
     */
    static String[] withForkFlags(final String[] args, final String flags)
    {
        final List<String> result = new ArrayList<>(Arrays.asList(args));
        final int at = result.indexOf(PREPEND_OPTION);
        if (at >= 0 && at + 1 < result.size())
        {
            result.set(at + 1, flags + " " + result.get(at + 1));
        }
        else
        {
            result.add(0, PREPEND_OPTION);
            result.add(1, flags);
        }
        return result.toArray(new String[0]);
    }
}
