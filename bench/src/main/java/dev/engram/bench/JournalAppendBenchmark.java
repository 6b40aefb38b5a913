package dev.engram.bench;

import dev.engram.bench.AppendBenchmarkStates.EngramJournal;
import dev.engram.bench.AppendBenchmarkStates.EngramProducer;
import dev.engram.bench.AppendBenchmarkStates.RawAppender;
import dev.engram.bench.AppendBenchmarkStates.RawQueue;
import dev.engram.journal.EngramSystemProperties;
import net.openhft.chronicle.wire.DocumentContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Flat-out throughput of appending one 128-byte frame: {@code Journal.append} against raw Chronicle
 * appends of the same bytes from the caller's thread, with 1 and 2 producer threads.
 * <p>
 * Read with care: a flat-out producer outruns the journal thread, so once the ring (4 Mi slots, empty at
 * the start of each iteration) is full, {@code engramAppend*} measures how fast the journal thread frees
 * slots, i.e. back-pressure; each iteration prints whether that happened. The caller's cost while the ring
 * has room is {@link JournalAppendBurstBenchmark}; caller latency at a realistic rate is
 * {@code ./engram bench journal}. Run through {@code ./engram bench jmh}, which gives forks the JVM flags.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class JournalAppendBenchmark
{
    static
    {
        EngramSystemProperties.apply();
    }

    @Benchmark
    @Threads(1)
    public long engramAppendOneThread(final EngramJournal journal, final EngramProducer producer)
    {
        return journal.journal.append(producer.delta);
    }

    @Benchmark
    @Threads(2)
    public long engramAppendTwoThreads(final EngramJournal journal, final EngramProducer producer)
    {
        return journal.journal.append(producer.delta);
    }

    @Benchmark
    @Threads(1)
    public void chronicleWriteBytesOneThread(final RawQueue queue, final RawAppender appender)
    {
        appender.appender.writeBytes(appender.store);
    }

    @Benchmark
    @Threads(2)
    public void chronicleWriteBytesTwoThreads(final RawQueue queue, final RawAppender appender)
    {
        appender.appender.writeBytes(appender.store);
    }

    @Benchmark
    @Threads(1)
    public void chronicleWritingDocumentOneThread(final RawQueue queue, final RawAppender appender)
    {
        writeDocument(appender);
    }

    @Benchmark
    @Threads(2)
    public void chronicleWritingDocumentTwoThreads(final RawQueue queue, final RawAppender appender)
    {
        writeDocument(appender);
    }

    static void writeDocument(final RawAppender appender)
    {
        try (DocumentContext dc = appender.appender.writingDocument())
        {
            dc.wire().bytes().write(appender.bytes, 0, appender.bytes.length);
        }
    }
}
