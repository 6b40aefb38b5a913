package dev.engram.bench;

import dev.engram.bench.AppendBenchmarkStates.RawAppender;
import dev.engram.bench.AppendBenchmarkStates.SizedEngramJournal;
import dev.engram.bench.AppendBenchmarkStates.SizedEngramProducer;
import dev.engram.bench.AppendBenchmarkStates.SizedRawAppender;
import dev.engram.bench.AppendBenchmarkStates.SizedRawQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
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
 * Flat-out throughput of appending one frame of {@code frameLength} bytes (JMH parameter, 128 and 4096):
 * {@code Journal.append} against raw Chronicle appends of the same bytes from the caller's thread, with 1
 * and 2 producer threads. The ring holds every frame inline ({@code slots=inline}); {@code -p slots=default}
 * runs with the journal's default ring, where a 4 KiB frame travels on the heap (and allocates).
 * <p>
 * Read with care: a flat-out producer outruns the journal thread, so once the ring (4 Mi slots at 128 B, 128 Ki
 * at 4 KiB, empty at the start of each iteration) is full, {@code engramAppend*} measures how fast the journal thread frees
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
    public long engramAppendOneThread(final SizedEngramJournal journal, final SizedEngramProducer producer)
    {
        return journal.journal.append(producer.delta);
    }

    @Benchmark
    @Threads(2)
    public long engramAppendTwoThreads(final SizedEngramJournal journal, final SizedEngramProducer producer)
    {
        return journal.journal.append(producer.delta);
    }

    @Benchmark
    @Threads(1)
    public void chronicleWriteBytesOneThread(final SizedRawQueue queue, final SizedRawAppender appender)
    {
        appender.appender.writeBytes(appender.store);
    }

    @Benchmark
    @Threads(2)
    public void chronicleWriteBytesTwoThreads(final SizedRawQueue queue, final SizedRawAppender appender)
    {
        appender.appender.writeBytes(appender.store);
    }

    @Benchmark
    @Threads(1)
    public void chronicleWritingDocumentOneThread(final SizedRawQueue queue, final SizedRawAppender appender)
    {
        writeDocument(appender.appender, appender.bytes);
    }

    @Benchmark
    @Threads(2)
    public void chronicleWritingDocumentTwoThreads(final SizedRawQueue queue, final SizedRawAppender appender)
    {
        writeDocument(appender.appender, appender.bytes);
    }

    static void writeDocument(final RawAppender appender)
    {
        writeDocument(appender.appender, appender.bytes);
    }

    static void writeDocument(final ExcerptAppender appender, final byte[] bytes)
    {
        try (DocumentContext dc = appender.writingDocument())
        {
            dc.wire().bytes().write(bytes, 0, bytes.length);
        }
    }
}
