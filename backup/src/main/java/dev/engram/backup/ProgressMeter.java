package dev.engram.backup;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts one operation's work from any of its threads and tells the {@link ProgressListener} at a bounded rate: a call
 * at most every {@link ProgressListener#INTERVAL_MS}, one at a time, each with counts at least the previous call's
 * (the snapshot is taken under the same lock as the call), and a last one from {@link #finish()}.
 */
final class ProgressMeter
{
    private final ProgressListener listener;
    private final Progress.Operation operation;
    private final long intervalNs;
    private final long startNs = System.nanoTime();
    private final AtomicLong bytesDone = new AtomicLong();
    private final AtomicLong bytesTotal = new AtomicLong();
    private final AtomicLong filesDone = new AtomicLong();
    private final AtomicLong filesTotal = new AtomicLong();
    private final AtomicLong chunksDone = new AtomicLong();
    private final AtomicLong chunksTotal = new AtomicLong();
    private volatile long lastReportNs = startNs;
    private boolean finished;

    ProgressMeter(final ProgressListener listener, final Progress.Operation operation)
    {
        this(listener, operation, ProgressListener.INTERVAL_MS * 1_000_000L);
    }

    ProgressMeter(final ProgressListener listener, final Progress.Operation operation, final long intervalNs)
    {
        this.listener = listener == null ? ProgressListener.NONE : listener;
        this.operation = operation;
        this.intervalNs = intervalNs;
    }

    /** A meter that tells nobody. */
    static ProgressMeter none(final Progress.Operation operation)
    {
        return new ProgressMeter(ProgressListener.NONE, operation);
    }

    /** Adds to the totals (before the work they count is done). */
    void addTotals(final long bytes, final long files, final long chunks)
    {
        bytesTotal.addAndGet(bytes);
        filesTotal.addAndGet(files);
        chunksTotal.addAndGet(chunks);
    }

    /** Counts chunks done and their bytes. */
    void chunksDone(final long bytes, final long chunks)
    {
        bytesDone.addAndGet(bytes);
        chunksDone.addAndGet(chunks);
        maybeReport();
    }

    /** Counts bytes done (verify: a pack read). */
    void bytesDone(final long bytes)
    {
        bytesDone.addAndGet(bytes);
        maybeReport();
    }

    /** Counts a file (verify: a pack) done. */
    void fileDone()
    {
        filesDone.incrementAndGet();
        maybeReport();
    }

    private void maybeReport()
    {
        if (listener == ProgressListener.NONE || System.nanoTime() - lastReportNs < intervalNs)
        {
            return;
        }
        synchronized (this)
        {
            final long now = System.nanoTime();
            if (finished || now - lastReportNs < intervalNs)
            {
                return;
            }
            lastReportNs = now;
            listener.progress(snapshot(now, false));
        }
    }

    /** The last call: the operation succeeded. */
    synchronized Progress finish()
    {
        final Progress last = snapshot(System.nanoTime(), true);
        if (!finished)
        {
            finished = true;
            listener.progress(last);
        }
        return last;
    }

    private Progress snapshot(final long now, final boolean last)
    {
        // done before total: a total is added before its work, so each done read here is at most the total read after
        final long bytes = bytesDone.get();
        final long files = filesDone.get();
        final long chunks = chunksDone.get();
        return new Progress(operation, bytes, Math.max(bytes, bytesTotal.get()), files, Math.max(files, filesTotal.get()),
            chunks, Math.max(chunks, chunksTotal.get()), Duration.ofNanos(now - startNs), last);
    }
}
