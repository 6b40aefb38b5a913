package dev.engram.engine;

import dev.engram.journal.Journal;
import dev.engram.recovery.StateStore;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

import java.io.FileNotFoundException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The engine's performance monitor: HdrHistogram recorders (wait-free to record into, no allocation) for
 * append latency, journal write and apply lag, sync latency, checkpoint duration and size; counters read
 * from the journal and the store. {@link #snapshot()} returns totals since open;
 * {@link #startIntervalLog(Path, long)} writes HdrHistogram interval logs that HdrHistogram's own tools
 * (HistogramLogProcessor) read. A sampler thread measures lags about 1,000 times a second.
 */
public final class EngramMetrics implements AutoCloseable
{
    private static final long SAMPLE_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Recorder appendLatency = new Recorder(3);
    private final Recorder writeLag = new Recorder(3);
    private final Recorder applyLag = new Recorder(3);
    private final Recorder syncLatency = new Recorder(3);
    private final Recorder checkpointDuration = new Recorder(3);
    private final Recorder checkpointBytes = new Recorder(3);
    private final Histogram[] totals = new Histogram[6];
    private final Histogram[] sinceLastLog = new Histogram[6];
    private final Recorder[] recorders = {appendLatency, writeLag, applyLag, syncLatency, checkpointDuration, checkpointBytes};
    private static final String[] TAGS = {"append", "writeLag", "applyLag", "sync", "checkpointDuration", "checkpointBytes"};

    private volatile StateStore store;
    private volatile double lastCompressionRatio = 1.0;
    private volatile long recoveryNs;
    private volatile boolean running = true;
    private Thread sampler;
    private Thread logger;

    EngramMetrics()
    {
        for (int i = 0; i < totals.length; i++)
        {
            totals[i] = new Histogram(3);
            sinceLastLog[i] = new Histogram(3);
        }
    }

    void start(final StateStore store)
    {
        this.store = store;
        this.recoveryNs = store.recoveryReport().readyNs();
        sampler = new Thread(this::sampleLags, "engram-metrics");
        sampler.setDaemon(true);
        sampler.start();
    }

    void recordAppend(final long nanos)
    {
        appendLatency.recordValue(Math.max(0, nanos));
    }

    void recordSync(final long nanos)
    {
        syncLatency.recordValue(Math.max(0, nanos));
    }

    void recordCheckpoint(final long buildNs, final long bytes, final double compressionRatio)
    {
        checkpointDuration.recordValue(Math.max(0, buildNs));
        checkpointBytes.recordValue(Math.max(0, bytes));
        lastCompressionRatio = compressionRatio;
    }

    private void sampleLags()
    {
        long writeVersion = -1;
        long writeStart = 0;
        long applyVersion = -1;
        long applyStart = 0;
        while (running)
        {
            final StateStore s = store;
            final Journal journal = s.journal();
            final long now = System.nanoTime();
            if (writeVersion >= 0 && journal.writtenVersion() >= writeVersion)
            {
                writeLag.recordValue(now - writeStart);
                writeVersion = -1;
            }
            if (applyVersion >= 0 && s.appliedVersion() >= applyVersion)
            {
                applyLag.recordValue(now - applyStart);
                applyVersion = -1;
            }
            final long appended = journal.lastAppendedVersion();
            if (writeVersion < 0 && appended > journal.writtenVersion())
            {
                writeVersion = appended;
                writeStart = now;
            }
            if (applyVersion < 0 && appended > s.appliedVersion())
            {
                applyVersion = appended;
                applyStart = now;
            }
            LockSupport.parkNanos(SAMPLE_PERIOD_NS);
        }
    }

    private synchronized void drain()
    {
        for (int i = 0; i < recorders.length; i++)
        {
            final Histogram interval = recorders[i].getIntervalHistogram();
            totals[i].add(interval);
            sinceLastLog[i].add(interval);
        }
    }

    /**
     * @return what was recorded since the last call (a snapshot in between does not steal from the log).
     */
    private synchronized Histogram[] takeLogInterval()
    {
        drain();
        final Histogram[] intervals = new Histogram[sinceLastLog.length];
        for (int i = 0; i < sinceLastLog.length; i++)
        {
            intervals[i] = sinceLastLog[i].copy();
            sinceLastLog[i].reset();
        }
        return intervals;
    }

    /**
     * @return totals since open and current counters.
     */
    public MetricsSnapshot snapshot()
    {
        final Histogram[] copies;
        synchronized (this)
        {
            drain();
            copies = new Histogram[totals.length];
            for (int i = 0; i < totals.length; i++)
            {
                copies[i] = totals[i].copy();
            }
        }
        final StateStore s = store;
        final Journal journal = s.journal();
        return new MetricsSnapshot(copies[0], copies[1], copies[2], copies[3], copies[4], copies[5],
            journal.writtenVersion(), journal.syncedVersion(), s.appliedVersion(), journal.writtenBytes(),
            journal.syncCount(), s.checkpointCount(), s.deltaCheckpointCount(), lastCompressionRatio,
            journal.ringOccupancy(), journal.backPressureEvents(), journal.heapFrameCount(), recoveryNs,
            s.overlayMemoryReserved(), s.overlayMemoryUsed(), s.overlayMemoryPeak(), s.checkpointBuildMemoryReserved(),
            s.checkpointBuildMemoryPeak(), s.quarantineCount());
    }

    /**
     * Write every histogram's interval to an HdrHistogram log every {@code intervalMs}, tagged by name
     * (append, writeLag, applyLag, sync, checkpointDuration, checkpointBytes). Read it with
     * HdrHistogram's HistogramLogReader / HistogramLogProcessor.
     */
    public synchronized void startIntervalLog(final Path file, final long intervalMs)
    {
        if (logger != null)
        {
            throw new IllegalStateException("interval log already running");
        }
        final PrintStream out;
        try
        {
            out = new PrintStream(file.toFile());
        }
        catch (final FileNotFoundException ex)
        {
            throw new IllegalArgumentException("cannot write interval log=" + file + ": " + ex.getMessage(), ex);
        }
        final HistogramLogWriter writer = new HistogramLogWriter(out);
        final long startMs = System.currentTimeMillis();
        writer.outputStartTime(startMs);
        writer.setBaseTime(startMs);
        writer.outputLogFormatVersion();
        writer.outputLegend();
        logger = new Thread(() ->
        {
            while (running)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(intervalMs));
                final long endMs = System.currentTimeMillis();
                final Histogram[] intervals = takeLogInterval();
                for (int i = 0; i < intervals.length; i++)
                {
                    intervals[i].setTag(TAGS[i]);
                    intervals[i].setEndTimeStamp(endMs);
                    intervals[i].setStartTimeStamp(endMs - intervalMs);
                    writer.outputIntervalHistogram(intervals[i]);
                }
                out.flush();
            }
            out.close();
        }, "engram-metrics-log");
        logger.setDaemon(true);
        logger.start();
    }

    @Override
    public void close()
    {
        running = false;
        join(sampler);
        join(logger);
    }

    private static void join(final Thread thread)
    {
        if (thread == null)
        {
            return;
        }
        LockSupport.unpark(thread);
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
