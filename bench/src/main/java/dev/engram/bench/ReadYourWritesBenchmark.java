package dev.engram.bench;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.journal.EngramSystemProperties;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What read-your-writes costs (issue 14): one thread commits a 64-byte PUT and reads the key back, nanoseconds per
 * pair, with {@code EngramContext.readYourWrites} on (the read waits until the commit is applied: journal thread
 * writes it, applier indexes it) and off (the read takes whatever is applied, often the previous value), and
 * {@code readOnly}: a read of a key this thread committed long ago (the check is one volatile read). Keys cycle
 * over 10,000. Data under {@code /tmp/jmh-ryw-*}, deleted afterwards.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
public class ReadYourWritesBenchmark
{
    private static final int KEYS = 10_000;

    static
    {
        EngramSystemProperties.apply();
    }

    @State(Scope.Benchmark)
    public static class Engine
    {
        @Param({"true", "false"})
        public boolean readYourWrites;

        Engram engram;
        String[] keys;
        byte[] value = new byte[64];
        int next;
        private Path directory;

        @Setup(Level.Trial)
        public void open()
        {
            directory = BenchFiles.newDirectory("jmh-ryw-");
            final EngramContext ctx = BenchState.checkpointOnDemandContext().readYourWrites(readYourWrites);
            engram = Engram.open(directory, ctx);
            keys = new String[KEYS];
            for (int i = 0; i < KEYS; i++)
            {
                keys[i] = "user/" + i;
            }
            BenchState.putAll(engram, "user/", KEYS, value.length);
        }

        @TearDown(Level.Trial)
        public void close()
        {
            engram.close();
            BenchFiles.deleteTree(directory);
        }

        String nextKey()
        {
            final int i = next;
            next = i + 1 == KEYS ? 0 : i + 1;
            return keys[i];
        }
    }

    @Benchmark
    public byte[] commitThenGet(final Engine e)
    {
        final String key = e.nextKey();
        e.engram.delta().put(key, e.value).commit();
        return e.engram.get(key);
    }

    @Benchmark
    public byte[] readOnly(final Engine e)
    {
        return e.engram.get(e.nextKey());
    }
}
