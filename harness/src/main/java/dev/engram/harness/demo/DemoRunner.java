package dev.engram.harness.demo;

import dev.engram.engine.MetricsSnapshot;
import dev.engram.examples.consciousness.ConsciousnessWorkload.Sizes;
import dev.engram.harness.Main;
import dev.engram.harness.demo.DemoResult.KilledRun;
import dev.engram.testsupport.ChildJvm;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * The parent side of {@code ./engram demo}: starts the worker, shows its progress, kills it with
 * {@code kill -9}, recovers in a fresh JVM that verifies the state against the reference model, repeats the
 * kill and recovery at 1/4, 1/2 and 1 × the state size, then writes the report. Single-threaded.
 */
public final class DemoRunner
{
    /** How often the parent prints a progress line. */
    static final long PROGRESS_LINE_INTERVAL_MS = 1000;
    /** How long a worker may take to open the engine and start stepping, or a series run to reach its kill point. */
    static final long WORKER_START_TIMEOUT_S = 120;
    /** How long a recoverer may take (open, model, verification). */
    static final long RECOVERER_TIMEOUT_S = 600;
    /** How long the worker may take to answer the request for its final report before the kill. */
    static final long FINAL_REPORT_TIMEOUT_MS = 5000;

    private final DemoOptions options;
    private final PrintStream out;
    private final Path stateRoot;
    private final Path logDir;
    private volatile ChildJvm current;

    private DemoRunner(final DemoOptions options, final PrintStream out, final Path stateRoot, final Path logDir)
    {
        this.options = options;
        this.out = out;
        this.stateRoot = stateRoot;
        this.logDir = logDir;
    }

    /**
     * Run the demo and write its report.
     *
     * @param options what to run.
     * @param out     where progress lines and the report go.
     * @return what was measured and checked.
     */
    public static DemoResult run(final DemoOptions options, final PrintStream out) throws IOException, InterruptedException
    {
        final boolean keepState = options.stateRoot() != null;
        final Path stateRoot = keepState ? options.stateRoot().toAbsolutePath() : Files.createTempDirectory("engram-demo-");
        if (keepState && Files.isDirectory(stateRoot))
        {
            try (Stream<Path> entries = Files.list(stateRoot))
            {
                if (entries.findAny().isPresent())
                {
                    throw new IllegalArgumentException("--dir " + stateRoot + " is not empty: the demo's reference model" +
                        " starts at version 1, so it needs a new or empty directory");
                }
            }
        }
        Files.createDirectories(stateRoot);
        final Path reportDir = options.reportDir().toAbsolutePath();
        final Path logDir = reportDir.resolve("logs");
        Files.createDirectories(logDir);
        final DemoRunner runner = new DemoRunner(options, out, stateRoot, logDir);
        final Thread killChildren = new Thread(runner::closeCurrent, "demo-kill-children");
        Runtime.getRuntime().addShutdownHook(killChildren);
        boolean passed = false;
        try
        {
            final DemoResult result = runner.runAll(reportDir);
            passed = result.passed();
            return result;
        }
        finally
        {
            removeShutdownHook(killChildren);
            runner.closeCurrent();
            deleteEmptyLogs(logDir);
            if (passed && !keepState)
            {
                deleteRecursively(stateRoot);
            }
            else
            {
                out.println("state directories kept in " + stateRoot);
            }
        }
    }

    private static void removeShutdownHook(final Thread hook)
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException shuttingDown)
        {
            // the JVM is shutting down (Ctrl-C): the hook itself is ending the child
            return;
        }
    }

    private DemoResult runAll(final Path reportDir) throws IOException, InterruptedException
    {
        final Sizes sizes = options.sizes();
        out.printf("engram demo: %s (about %s of state), seed %d%n", describe(sizes),
            DemoReport.mib(DemoOptions.estimatedStateBytes(sizes)), options.seed());
        out.printf("  worker JVM writes at %s steps/s for %d s (one delta per step), sync=%s, checkpoint every %,d frames" +
                " in the background, then kill -9; a fresh JVM recovers and verifies every key%n",
            options.rate() == 0 ? "max" : String.format("%,d", options.rate()), options.seconds(), options.syncPolicy(),
            options.checkpointEveryFrames());
        out.printf("  state in %s, report in %s%n%n", stateRoot, reportDir);
        final KilledRun main = mainRun(sizes);
        final List<KilledRun> series = new ArrayList<>();
        if (options.sizeSeries())
        {
            final long tailSteps = Math.max(1, options.checkpointEveryFrames() / 2);
            out.printf("%nrecovery time vs state size: each run builds the world, checkpoints, writes %,d more deltas" +
                " (half the checkpoint interval: the average tail a crash finds), is killed and recovered%n", tailSteps);
            for (final int divisor : new int[] {4, 2, 1})
            {
                series.add(seriesRun(DemoOptions.scaledDown(sizes, divisor), divisor == 1 ? "1 x" : "1/" + divisor, tailSteps));
            }
        }
        final DemoResult result = new DemoResult(options, main, List.copyOf(series), reportDir);
        final String report = DemoReport.write(result);
        out.println();
        out.print(report);
        return result;
    }

    private KilledRun mainRun(final Sizes sizes) throws IOException, InterruptedException
    {
        final Path dir = stateRoot.resolve("main");
        final Path liveFile = stateRoot.resolve("main-worker.live");
        final Path progressFile = stateRoot.resolve("main-worker.progress");
        final ChildArgs args = DemoWorker.args(options, sizes, dir, liveFile, progressFile, options.seconds() + WORKER_START_TIMEOUT_S, 0, 0);
        try (MappedLive live = MappedLive.create(liveFile); ChildJvm worker = startChild("worker", workerHeapMb(), args, "main-worker"))
        {
            awaitPhase(worker, live, WorkerLiveDescriptor.PHASE_STEPPING);
            out.printf("worker pid %d is writing%n", worker.pid());
            final long startNs = System.nanoTime();
            final long endNs = startNs + TimeUnit.SECONDS.toNanos(options.seconds());
            long nextLineNs = startNs + TimeUnit.MILLISECONDS.toNanos(PROGRESS_LINE_INTERVAL_MS);
            while (System.nanoTime() < endNs)
            {
                LockSupport.parkNanos(Math.min(endNs, nextLineNs) - System.nanoTime());
                ensureAlive(worker, "main worker");
                if (System.nanoTime() >= nextLineNs)
                {
                    printProgress(WorkerProgress.read(progressFile), live);
                    nextLineNs += TimeUnit.MILLISECONDS.toNanos(PROGRESS_LINE_INTERVAL_MS);
                }
            }
            final boolean finalReport = requestReport(worker, live);
            final long killedAtNs = System.nanoTime() - startNs;
            final int exitValue = worker.killHard(30, TimeUnit.SECONDS);
            final long written = live.get(WorkerLiveDescriptor.WRITTEN_VERSION_OFFSET);
            final long steps = live.get(WorkerLiveDescriptor.STEPS_COMMITTED_OFFSET);
            if (!finalReport)
            {
                out.println("(the worker did not answer the request for a final report in time: its last periodic one is used)");
            }
            out.printf("kill -9 worker pid %d at %.1f s: exit status %d; it had published written version %,d%n",
                worker.pid(), killedAtNs / 1e9, exitValue, written);
            final WorkerProgress progress = WorkerProgress.read(progressFile);
            return recover("main", "main", sizes, dir, worker.pid(), exitValue, killedAtNs, steps, written, 0, progress);
        }
    }

    private KilledRun seriesRun(final Sizes sizes, final String name, final long tailSteps) throws IOException, InterruptedException
    {
        final String tag = "size-" + name.replace("/", "of").replace(" ", "");
        final Path dir = stateRoot.resolve(tag);
        final Path liveFile = stateRoot.resolve(tag + "-worker.live");
        final Path progressFile = stateRoot.resolve(tag + "-worker.progress");
        final long warmSteps = Math.max(2L * sizes.populations(), tailSteps);
        final ChildArgs args = DemoWorker.args(options, sizes, dir, liveFile, progressFile, WORKER_START_TIMEOUT_S * 2, warmSteps, tailSteps);
        try (MappedLive live = MappedLive.create(liveFile); ChildJvm worker = startChild("worker", workerHeapMb(), args, tag + "-worker"))
        {
            final long startNs = System.nanoTime();
            awaitPhase(worker, live, WorkerLiveDescriptor.PHASE_TAIL_DONE);
            final long killedAtNs = System.nanoTime() - startNs;
            final int exitValue = worker.killHard(30, TimeUnit.SECONDS);
            final long written = live.get(WorkerLiveDescriptor.WRITTEN_VERSION_OFFSET);
            final long steps = live.get(WorkerLiveDescriptor.STEPS_COMMITTED_OFFSET);
            return recover(name + " state", tag, sizes, dir, worker.pid(), exitValue, killedAtNs, steps, written, tailSteps,
                WorkerProgress.read(progressFile));
        }
    }

    private KilledRun recover(
        final String name, final String tag, final Sizes sizes, final Path dir, final long workerPid, final int exitValue,
        final long killedAtNs, final long steps, final long written, final long tailSteps, final WorkerProgress progress)
        throws IOException, InterruptedException
    {
        final Path resultFile = stateRoot.resolve(tag + "-recovery.properties");
        Files.deleteIfExists(resultFile);
        final RecoveryResult recovery;
        final long startToReadyUs;
        try (ChildJvm recoverer = startChild("recover", recovererHeapMb(sizes), DemoRecoverer.args(options, sizes, dir, resultFile),
            tag + "-recoverer"))
        {
            final int exit = recoverer.awaitExit(RECOVERER_TIMEOUT_S, TimeUnit.SECONDS);
            if (exit != 0 || !Files.exists(resultFile))
            {
                throw new IllegalStateException("recovery of " + name + " failed: recoverer pid=" + recoverer.pid() +
                    " exited with " + exit + "; state kept in " + dir + "\n" + recoverer.stderrTail());
            }
            recovery = RecoveryResult.read(resultFile);
            startToReadyUs = recovery.readyEpochUs() - DemoWorker.epochMicros(recoverer.spawnedAt());
        }
        out.printf("%-9s recovered r=%,d (>= written %,d: %s) in a fresh JVM: process start -> ready %.0f ms, open() %.0f ms," +
                " replayed %,d frames; %s%n", name, recovery.recoveredVersion(), written,
            recovery.recoveredVersion() >= written ? "ok" : "LOST", startToReadyUs / 1e3, recovery.openNs() / 1e6,
            recovery.framesReplayed(), recovery.verification());
        return new KilledRun(name, sizes, workerPid, exitValue, killedAtNs, steps, written, tailSteps, progress, recovery, startToReadyUs);
    }

    private ChildJvm startChild(final String role, final long heapMb, final ChildArgs args, final String name) throws IOException
    {
        final ChildJvm child = ChildJvm.builder(Main.class).name(name)
            .jvmArg("-XX:+UseParallelGC").jvmArg("-Xms" + Math.min(heapMb, 256) + "m").jvmArg("-Xmx" + heapMb + "m")
            .jvmArgs(options.childJvmFlags())
            .args(DemoCommand.COMMAND, "--child=" + role).args(args.toArgs())
            .logs(logDir, name)
            .start();
        current = child;
        return child;
    }

    private void closeCurrent()
    {
        final ChildJvm child = current;
        if (child != null)
        {
            child.close();
        }
    }

    private void printProgress(final WorkerProgress progress, final MappedLive live)
    {
        if (progress == null)
        {
            out.printf("  written %,d%n", live.get(WorkerLiveDescriptor.WRITTEN_VERSION_OFFSET));
            return;
        }
        final MetricsSnapshot m = progress.metrics();
        out.printf("  %5.1f s  steps %,11d  %,7.0f/s  written %,11d  checkpoints %2d  append p50 %s p99 %s p99.99 %s max %s%n",
            progress.elapsedNs() / 1e9, progress.steps(), progress.stepsPerSecond(), m.writtenVersion(), m.checkpoints(),
            DemoReport.micros(m.appendLatency(), 50), DemoReport.micros(m.appendLatency(), 99),
            DemoReport.micros(m.appendLatency(), 99.99), DemoReport.micros(m.appendLatency(), 100));
    }

    /**
     * Ask the worker for a progress report now and wait for it (the stepping thread keeps writing meanwhile, so
     * the kill that follows still lands mid-run).
     *
     * @return true if it answered within {@link #FINAL_REPORT_TIMEOUT_MS}.
     */
    private static boolean requestReport(final ChildJvm worker, final MappedLive live)
    {
        final long request = live.get(WorkerLiveDescriptor.REPORT_REQUEST_OFFSET) + 1;
        live.put(WorkerLiveDescriptor.REPORT_REQUEST_OFFSET, request);
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FINAL_REPORT_TIMEOUT_MS);
        while (live.get(WorkerLiveDescriptor.REPORT_ANSWERED_OFFSET) != request)
        {
            ensureAlive(worker, "worker");
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }

    private static void awaitPhase(final ChildJvm worker, final MappedLive live, final long phase)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WORKER_START_TIMEOUT_S);
        while (live.get(WorkerLiveDescriptor.PHASE_OFFSET) < phase)
        {
            ensureAlive(worker, "worker");
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("worker pid=" + worker.pid() + " did not reach phase=" + phase + " within " +
                    WORKER_START_TIMEOUT_S + " s\n" + worker.stderrTail());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    private static void ensureAlive(final ChildJvm child, final String what)
    {
        if (!child.isAlive())
        {
            throw new IllegalStateException(what + " pid=" + child.pid() + " died before the kill\n" + child.stderrTail());
        }
    }

    private static long workerHeapMb()
    {
        return 1024;
    }

    /** The recoverer holds the reference model (the whole state) on its heap, plus one value at a time from the engine. */
    private static long recovererHeapMb(final Sizes sizes)
    {
        return 768 + 3 * (DemoOptions.estimatedStateBytes(sizes) >> 20);
    }

    static String describe(final Sizes sizes)
    {
        return String.format("%,d populations x %s of weights, %,d users, an evolution cycle every %,d steps",
            sizes.populations(), DemoReport.mib(sizes.populationBytes()), sizes.users(), sizes.stepsPerCycle());
    }

    /** Children that printed nothing leave empty log files: only the ones with something to read are kept. */
    private static void deleteEmptyLogs(final Path logDir) throws IOException
    {
        try (Stream<Path> logs = Files.list(logDir))
        {
            for (final Path log : logs.toList())
            {
                if (Files.isRegularFile(log) && Files.size(log) == 0)
                {
                    Files.delete(log);
                }
            }
        }
        try (Stream<Path> left = Files.list(logDir))
        {
            if (left.findAny().isEmpty())
            {
                Files.delete(logDir);
            }
        }
    }

    private static void deleteRecursively(final Path root) throws IOException
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }

    /** The parent's view of a worker's live file ({@link WorkerLiveDescriptor}): it writes only the report request. */
    private static final class MappedLive implements AutoCloseable
    {
        private final RandomAccessFile file;
        private final MappedByteBuffer buffer;

        private MappedLive(final RandomAccessFile file, final MappedByteBuffer buffer)
        {
            this.file = file;
            this.buffer = buffer;
        }

        static MappedLive create(final Path path) throws IOException
        {
            final RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw");
            file.setLength(0);
            file.setLength(WorkerLiveDescriptor.LENGTH);
            final MappedByteBuffer buffer = file.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, WorkerLiveDescriptor.LENGTH);
            buffer.order(ByteOrder.LITTLE_ENDIAN);
            return new MappedLive(file, buffer);
        }

        long get(final int offset)
        {
            return buffer.getLong(offset);
        }

        void put(final int offset, final long value)
        {
            buffer.putLong(offset, value);
        }

        @Override
        public void close() throws IOException
        {
            file.close();
        }
    }
}
