package dev.engram.harness.recovery;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * The child side of the parent/child protocol: records are single stdout lines {@code @<tag> key=value ...}
 * (values without spaces); a failure is {@code @error ...} with the stack trace on stderr.
 */
public final class ChildOutput
{
    private ChildOutput()
    {
    }

    public static void record(final String tag, final Object... keyValues)
    {
        if (keyValues.length % 2 != 0)
        {
            throw new IllegalArgumentException("key/value pairs expected: tag=" + tag + " length=" + keyValues.length);
        }
        final StringBuilder sb = new StringBuilder(128).append('@').append(tag);
        for (int i = 0; i < keyValues.length; i += 2)
        {
            sb.append(' ').append(keyValues[i]).append('=').append(String.valueOf(keyValues[i + 1]).replace(' ', '_'));
        }
        System.out.println(sb);
        System.out.flush();
    }

    /**
     * Report a failure to the parent and exit with 1.
     */
    public static void fail(final Throwable failure)
    {
        final StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        System.err.println(trace);
        System.err.flush();
        record("error", "type", failure.getClass().getSimpleName(),
            "message", String.valueOf(failure.getMessage()).replace('\n', '|'));
        Runtime.getRuntime().halt(1);
    }

    /**
     * @return CPU time this process used so far (all threads), or -1 where the JVM cannot tell.
     */
    public static long processCpuNs()
    {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
        {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * End without shutdown hooks or closing anything, like a crash: used after measuring a recovery so
     * that the measured directory is left exactly as a crash left it for the next repetition.
     */
    public static void haltNow()
    {
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(0);
    }
}
