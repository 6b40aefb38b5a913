package dev.engram.bench;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JMH jar: the annotation processor listed the benchmarks, and every fork gets the pom's JVM flags.
 */
class JmhCommandTest
{
    @Test
    void shouldListTheBenchmarksWhenTheAnnotationProcessorRan() throws Exception
    {
        try (var in = JmhCommandTest.class.getResourceAsStream("/META-INF/BenchmarkList"))
        {
            assertTrue(in != null, "META-INF/BenchmarkList missing: the JMH annotation processor did not run");
            final String list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(list.contains("JournalAppendBenchmark") && list.contains("engramAppendTwoThreads"), list);
            assertTrue(list.contains("JournalAppendBurstBenchmark"), list);
        }
    }

    @Test
    void shouldPrependTheForkFlagsFromThePom()
    {
        final String flags = JmhCommand.forkFlags();
        assertTrue(flags.contains("--add-exports=java.base/sun.nio.ch=ALL-UNNAMED"), flags);
        assertTrue(flags.contains("-Dchronicle.analytics.disable=true"), flags);

        final String[] args = JmhCommand.withForkFlags(new String[]{"-f", "1", "-jvmArgsPrepend", "-Xmx1g"}, flags);
        assertEquals(4, args.length);
        assertEquals(flags + " -Xmx1g", args[3]);
        final String[] plain = JmhCommand.withForkFlags(new String[]{"-f", "1"}, flags);
        assertEquals("-jvmArgsPrepend", plain[0]);
        assertEquals(flags, plain[1]);
    }
}
