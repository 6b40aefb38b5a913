package dev.engram.bench;

import dev.engram.bench.AppendBenchmarkStates.EngramJournal;
import dev.engram.bench.AppendBenchmarkStates.EngramProducer;
import dev.engram.bench.AppendBenchmarkStates.RawAppender;
import dev.engram.bench.AppendBenchmarkStates.RawQueue;
import dev.engram.journal.EngramSystemProperties;
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
 * The caller's cost of an append while the ring has room: each iteration is one timed burst of
 * {@value #BURST} appends per thread into a journal drained before each burst, whose ring (4 Mi slots)
 * holds every burst, so no append waits for the journal thread. Raw Chronicle does the same bursts for comparison.
 * <p>
 * The score is milliseconds per burst of {@value #BURST}, which reads directly as <b>nanoseconds per
 * append</b>; {@code -prof gc}'s {@code gc.alloc.rate.norm} is bytes per burst (divide by 10^6).
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 5, batchSize = JournalAppendBurstBenchmark.BURST)
@Measurement(iterations = 10, batchSize = JournalAppendBurstBenchmark.BURST)
public class JournalAppendBurstBenchmark
{
    /** Appends per thread per iteration; 2 threads fill half the ring. */
    public static final int BURST = 1_000_000;

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
        JournalAppendBenchmark.writeDocument(appender);
    }

    @Benchmark
    @Threads(2)
    public void chronicleWritingDocumentTwoThreads(final RawQueue queue, final RawAppender appender)
    {
        JournalAppendBenchmark.writeDocument(appender);
    }
}
