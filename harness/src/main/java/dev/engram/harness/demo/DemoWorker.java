package dev.engram.harness.demo;

import dev.engram.engine.Engram;
import dev.engram.examples.consciousness.ConsciousnessWorkload;
import dev.engram.examples.consciousness.ConsciousnessWorkload.Sizes;
import dev.engram.journal.SyncPolicy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The worker child JVM: embeds Engram, runs the example workload at a target rate with background
 * checkpoints and reports as it goes, until the parent kills it with {@code kill -9}.
 * <ul>
 *   <li>after every step: the journal's written version and the steps committed in the mapped live file
 *       ({@link WorkerLiveDescriptor});</li>
 *   <li>every {@link #PROGRESS_INTERVAL_MS} ms, and when the parent asks (just before the kill), from its own
 *       thread: a {@link WorkerProgress} file with the engine's metrics (append latency recorded caller-side by
 *       the engine).</li>
 * </ul>
 * Main run: steps at the rate from the start. Size-series run ({@code tail-steps} > 0): {@code warm-steps}
 * as fast as it can, a checkpoint, then {@code tail-steps} at the rate; once they are written, phase
 * {@link WorkerLiveDescriptor#PHASE_TAIL_DONE} and more steps at the rate until killed: every run of the
 * series is killed with at least the same journal tail after its checkpoint.
 * <p>
 * It never outlives its parent: it exits if the parent is gone or after {@code max-seconds}.
 */
final class DemoWorker
{
    static final long PROGRESS_INTERVAL_MS = 250;
    /** How often the reporter looks for the parent's request for a report. */
    static final long REQUEST_POLL_MS = 5;
    /** Exit status when the parent never killed it (the run overran {@code max-seconds}). */
    static final int EXIT_NOT_KILLED = 3;
    /** Exit status when the parent process is gone. */
    static final int EXIT_ORPHANED = 4;

    private final Engram engram;
    private final ConsciousnessWorkload workload;
    private final MappedByteBuffer live;
    private final Path progressFile;
    private volatile long stepsCommitted;
    private volatile long steppingStartNs;

    private DemoWorker(final Engram engram, final ConsciousnessWorkload workload, final MappedByteBuffer live, final Path progressFile)
    {
        this.engram = engram;
        this.workload = workload;
        this.live = live;
        this.progressFile = progressFile;
    }

    /** @return the arguments of a worker child. */
    static ChildArgs args(
        final DemoOptions options, final Sizes sizes, final Path dir, final Path liveFile, final Path progressFile,
        final long maxSeconds, final long warmSteps, final long tailSteps)
    {
        final ChildArgs args = new ChildArgs().put("dir", dir).put("seed", options.seed()).put("rate", options.rate())
            .put("checkpoint-every-frames", options.checkpointEveryFrames()).put("sync", options.syncPolicy())
            .put("compress", options.compress()).put("live", liveFile).put("progress", progressFile)
            .put("max-seconds", maxSeconds).put("warm-steps", warmSteps).put("tail-steps", tailSteps);
        return args.putSizes(sizes);
    }

    static void main(final ChildArgs args) throws Exception
    {
        final Sizes sizes = args.sizes();
        final Path dir = Path.of(args.get("dir"));
        final long rate = args.getLong("rate");
        final long maxSeconds = args.getLong("max-seconds");
        final long warmSteps = args.getLong("warm-steps");
        final long tailSteps = args.getLong("tail-steps");
        try (RandomAccessFile file = new RandomAccessFile(args.get("live"), "rw"); FileChannel channel = file.getChannel())
        {
            final MappedByteBuffer live = channel.map(FileChannel.MapMode.READ_WRITE, 0, WorkerLiveDescriptor.LENGTH);
            live.order(ByteOrder.LITTLE_ENDIAN);
            live.putLong(WorkerLiveDescriptor.PHASE_OFFSET, WorkerLiveDescriptor.PHASE_OPENING);
            final Engram engram = Engram.open(dir, DemoEngine.context(sizes, args.getLong("checkpoint-every-frames"),
                SyncPolicy.valueOf(args.get("sync")), Boolean.parseBoolean(args.get("compress"))));
            final long recovered = engram.recoveryReport().recoveredVersion();
            final ConsciousnessWorkload workload = new ConsciousnessWorkload(args.getLong("seed"), sizes).resumeAfter(recovered);
            live.putLong(WorkerLiveDescriptor.RECOVERED_VERSION_OFFSET, recovered);
            live.putLong(WorkerLiveDescriptor.WRITTEN_VERSION_OFFSET, engram.writtenVersion());
            final DemoWorker worker = new DemoWorker(engram, workload, live, Path.of(args.get("progress")));
            worker.startReporter();
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
            if (tailSteps > 0)
            {
                worker.runSeries(rate, warmSteps, tailSteps, deadlineNs);
            }
            else
            {
                worker.runPaced(rate, Long.MAX_VALUE, deadlineNs);
            }
            System.err.println("engram demo worker: not killed within max-seconds=" + maxSeconds + ", exiting");
            System.exit(EXIT_NOT_KILLED);
        }
    }

    private void runSeries(final long rate, final long warmSteps, final long tailSteps, final long deadlineNs)
    {
        for (long i = 0; i < warmSteps && System.nanoTime() < deadlineNs; i++)
        {
            step();
        }
        engram.checkpoint();
        runPaced(rate, tailSteps, deadlineNs);
        // the tail counts once it is written (in the mapped journal, so it survives the kill), not just appended
        final long tailEnd = workload.nextStep() - 1;
        while (engram.writtenVersion() < tailEnd && System.nanoTime() < deadlineNs)
        {
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        live.putLong(WorkerLiveDescriptor.PHASE_OFFSET, WorkerLiveDescriptor.PHASE_TAIL_DONE);
        runPaced(rate, Long.MAX_VALUE, deadlineNs);
    }

    /**
     * Commit {@code steps} steps at {@code rate} per second (0: unpaced), keeping to a schedule from the first:
     * a worker that fell behind catches up in a burst; one that is ahead parks, which leaves the second core
     * to the journal, applier and checkpointer threads.
     */
    private void runPaced(final long rate, final long steps, final long deadlineNs)
    {
        final long nsPerStep = rate == 0 ? 0 : Math.max(1, TimeUnit.SECONDS.toNanos(1) / rate);
        final long startNs = System.nanoTime();
        if (steppingStartNs == 0)
        {
            steppingStartNs = startNs;
            live.putLong(WorkerLiveDescriptor.STEPPING_START_EPOCH_US_OFFSET, epochMicros(Instant.now()));
            live.putLong(WorkerLiveDescriptor.PHASE_OFFSET, WorkerLiveDescriptor.PHASE_STEPPING);
        }
        for (long i = 0; i < steps; i++)
        {
            final long dueNs = startNs + i * nsPerStep;
            long now;
            while ((now = System.nanoTime()) < dueNs)
            {
                LockSupport.parkNanos(Math.min(dueNs - now, TimeUnit.MILLISECONDS.toNanos(1)));
            }
            if (now > deadlineNs)
            {
                return;
            }
            step();
        }
    }

    private void step()
    {
        final long expected = workload.nextStep();
        final long version = workload.step(engram);
        if (version != expected)
        {
            throw new IllegalStateException("step=" + expected + " was committed as version=" + version +
                ": the demo's worker must be the engine's only writer");
        }
        live.putLong(WorkerLiveDescriptor.WRITTEN_VERSION_OFFSET, engram.writtenVersion());
        final long committed = stepsCommitted + 1;
        live.putLong(WorkerLiveDescriptor.STEPS_COMMITTED_OFFSET, committed);
        stepsCommitted = committed; // single writer: this thread
        if ((committed & 255) == 0)
        {
            live.putLong(WorkerLiveDescriptor.CHECKPOINTS_OFFSET, engram.checkpointCount());
        }
    }

    private void startReporter()
    {
        final Thread reporter = new Thread(() ->
        {
            final ProcessHandle parent = ProcessHandle.current().parent().orElse(null);
            long nextReportNs = System.nanoTime();
            while (true)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(REQUEST_POLL_MS));
                final long request = live.getLong(WorkerLiveDescriptor.REPORT_REQUEST_OFFSET);
                final boolean requested = request != live.getLong(WorkerLiveDescriptor.REPORT_ANSWERED_OFFSET);
                if (!requested && System.nanoTime() < nextReportNs)
                {
                    continue;
                }
                nextReportNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROGRESS_INTERVAL_MS);
                if (parent != null && !parent.isAlive())
                {
                    System.err.println("engram demo worker: parent pid=" + parent.pid() + " is gone, exiting");
                    Runtime.getRuntime().halt(EXIT_ORPHANED);
                }
                writeProgress();
                if (requested)
                {
                    live.putLong(WorkerLiveDescriptor.REPORT_ANSWERED_OFFSET, request);
                }
            }
        }, "demo-progress");
        reporter.setDaemon(true);
        reporter.start();
    }

    private void writeProgress()
    {
        final long startNs = steppingStartNs;
        final long steps = stepsCommitted;
        final long elapsedNs = startNs == 0 ? 0 : System.nanoTime() - startNs;
        try
        {
            new WorkerProgress(steps, elapsedNs, engram.metrics().snapshot()).writeAtomically(progressFile);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write progress file=" + progressFile, ex);
        }
    }

    static long epochMicros(final Instant instant)
    {
        return ChronoUnit.MICROS.between(Instant.EPOCH, instant);
    }
}
