package dev.engram.harness.crash;

import dev.engram.engine.Engram;
import dev.engram.examples.consciousness.ConsciousnessWorkload;
import dev.engram.examples.consciousness.ReferenceModel;
import dev.engram.examples.consciousness.StateVerifier;
import dev.engram.harness.Main;
import dev.engram.recovery.RecoveryReport;
import dev.engram.testsupport.ChildJvm;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.engram.harness.crash.CrashOracleDescriptor.*;

/**
 * {@code engram crash-test --cycles N}: a child JVM runs the seeded workload (multi-key batches, PATCH of
 * large values, deletes, checkpoints, journal rolls every second, durability waits); the parent kill -9s it
 * at random moments, reopens, and checks the state against the reference model: recovered = model at
 * version r with every acknowledged version kept (written ack, synced ack ≤ r) and nothing invented
 * (r ≤ attempted + 1: a commit in flight at the kill may or may not have made it), no gap, no partial batch.
 * Prints seeds, keeps the directory of a failing cycle, summarises.
 */
public final class CrashSoak
{
    /** Outcome of a run. */
    public record Summary(long seed, int cycles, int recoveries, int fastPathRecoveries, long versionsLost, long finalVersion,
        long checkpoints, Histogram recoveryMicros, String failure, Path keptDirectory, DiskUse finalDiskUse,
        DiskUse peakDiskUse)
    {
        public boolean passed()
        {
            return failure == null && versionsLost == 0;
        }

        public String describe()
        {
            final StringBuilder sb = new StringBuilder();
            sb.append(String.format("crash-test seed=%d: %d cycles, %d recoveries, versions lost=%d, final version=%d, " +
                "checkpoints in children=%d%n", seed, cycles, recoveries, versionsLost, finalVersion, checkpoints));
            sb.append(String.format("recovery paths: %d fast (journal scanned from the checkpoint's hint, its queue opened after ready), " +
                "%d full%n", fastPathRecoveries, recoveries - fastPathRecoveries));
            sb.append(String.format("disk use after the last recovery: %s%n", finalDiskUse.describe()));
            sb.append(String.format("disk use peak over the cycles:    %s%n", peakDiskUse.describe()));
            if (recoveryMicros.getTotalCount() > 0)
            {
                sb.append(String.format("recovery (open after kill -9, in-process): p50=%.1f ms p90=%.1f ms p99=%.1f ms max=%.1f ms%n",
                    recoveryMicros.getValueAtPercentile(50) / 1e3, recoveryMicros.getValueAtPercentile(90) / 1e3,
                    recoveryMicros.getValueAtPercentile(99) / 1e3, recoveryMicros.getMaxValue() / 1e3));
            }
            sb.append(passed() ? "PASSED" : "FAILED: " + failure + (keptDirectory == null ? "" : " (data kept in " + keptDirectory + ")"));
            return sb.toString();
        }
    }

    private final Path root;
    private final long seed;
    private int fastPaths;
    private DiskUse lastDiskUse = DiskUse.NONE;
    private DiskUse peakDiskUse = DiskUse.NONE;
    private final int stepsPerSecond;
    private final java.util.function.UnaryOperator<java.util.Map<String, byte[]>> modelFilter;

    /**
     * @param modelFilter applied to the model before comparing (identity in real runs; tests pass a deliberately
     *                    wrong one to prove the verification fails).
     */
    public CrashSoak(final Path root, final long seed, final int stepsPerSecond,
        final java.util.function.UnaryOperator<java.util.Map<String, byte[]>> modelFilter)
    {
        this.root = root;
        this.seed = seed;
        this.stepsPerSecond = stepsPerSecond;
        this.modelFilter = modelFilter;
    }

    public Summary run(final int cycles, final java.util.function.Consumer<String> progress) throws Exception
    {
        final Path dir = root.resolve("state");
        final Path oraclePath = root.resolve("oracle");
        Files.createDirectories(root);
        final Random random = new Random(seed);
        final ConsciousnessWorkload workload = new ConsciousnessWorkload(seed, CrashSoakConfig.SIZES);
        final ReferenceModel model = workload.newModel();
        final Histogram recovery = new Histogram(3);
        long lastVersion = 0;
        long lost = 0;
        long checkpoints = 0;
        int recoveries = 0;
        fastPaths = 0;
        lastDiskUse = DiskUse.NONE;
        peakDiskUse = DiskUse.NONE;
        try (CrashOracle oracle = new CrashOracle(oraclePath))
        {
            for (int cycle = 1; cycle <= cycles; cycle++)
            {
                oracle.reset();
                final int exit;
                try (ChildJvm child = ChildJvm.builder(Main.class).name("crash-child")
                    .args(CrashChild.COMMAND, dir, seed, oraclePath, stepsPerSecond)
                    .stdout(root.resolve("child.out")).stderr(root.resolve("child.err")).start())
                {
                    final long target = lastVersion + 200 + random.nextInt(4000);
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (oracle.get(ATTEMPTED_OFFSET) < target)
                    {
                        if (!child.isAlive())
                        {
                            return fail(cycle, recoveries, lost, lastVersion, checkpoints, recovery, dir,
                                "worker died by itself, exit=" + child.exitValue() + ": " + tail(root.resolve("child.err")));
                        }
                        if (System.nanoTime() > deadline)
                        {
                            return fail(cycle, recoveries, lost, lastVersion, checkpoints, recovery, dir,
                                "worker made no progress in 60 s: " + tail(root.resolve("child.err")));
                        }
                        Thread.onSpinWait();
                    }
                    exit = child.killHard(30, TimeUnit.SECONDS);
                }
                final long attempted = oracle.get(ATTEMPTED_OFFSET);
                final long writtenAck = oracle.get(WRITTEN_ACK_OFFSET);
                final long syncedAck = oracle.get(SYNCED_ACK_OFFSET);
                final long opened = oracle.get(OPENED_OFFSET);
                checkpoints += oracle.get(CHECKPOINTS_OFFSET);
                if (exit != ChildJvm.SIGKILL_EXIT_VALUE)
                {
                    return fail(cycle, recoveries, lost, lastVersion, checkpoints, recovery, dir, "worker exit=" + exit + ", not SIGKILL");
                }
                if (opened != lastVersion)
                {
                    return fail(cycle, recoveries, lost, lastVersion, checkpoints, recovery, dir,
                        "the worker recovered version " + opened + " but the previous cycle ended at " + lastVersion);
                }

                final long openStart = System.nanoTime();
                final String line;
                try (Engram engram = Engram.open(dir, CrashSoakConfig.context()))
                {
                    recovery.recordValue(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - openStart));
                    recoveries++;
                    final RecoveryReport report = engram.recoveryReport();
                    final boolean fast = report.replayPath().startsWith("fast");
                    fastPaths += fast ? 1 : 0;
                    final long r = report.recoveredVersion();
                    final long acknowledged = Math.max(writtenAck, syncedAck);
                    if (r < acknowledged)
                    {
                        lost += acknowledged - r;
                        return fail(cycle, recoveries, lost, lastVersion, checkpoints, recovery, dir,
                            "LOST ACKNOWLEDGED VERSIONS: written ack=" + writtenAck + " synced ack=" + syncedAck + " recovered=" + r);
                    }
                    if (r > attempted + 1)
                    {
                        return fail(cycle, recoveries, lost, lastVersion, checkpoints, recovery, dir,
                            "recovered version " + r + " beyond anything attempted (" + attempted + ")");
                    }
                    model.advanceTo(r);
                    final StateVerifier.Verification verification = StateVerifier.verify(engram, modelFilter.apply(model.state()));
                    if (!verification.passed())
                    {
                        return fail(cycle, recoveries, lost, lastVersion, checkpoints, recovery, dir,
                            "state at version " + r + " differs from the model: " + verification.describe());
                    }
                    lastVersion = r;
                    line = String.format("cycle %d: killed at attempted=%d written=%d synced=%d -> recovered %d " +
                            "(checkpoint %d, chain %d, replayed %d, %s path) in %.1f ms, state verified",
                        cycle, attempted, writtenAck, syncedAck, r, report.checkpointVersion(), report.chainLength(),
                        report.framesReplayed(), fast ? "fast" : report.replayPath(), (System.nanoTime() - openStart) / 1e6);
                }
                // measured once the store is closed: what the next cycle's child starts from
                lastDiskUse = DiskUse.of(dir);
                peakDiskUse = peakDiskUse.max(lastDiskUse);
                progress.accept(line + "; disk: " + lastDiskUse.describe());
            }
        }
        deleteRecursively(root);
        return new Summary(seed, cycles, recoveries, fastPaths, lost, lastVersion, checkpoints, recovery, null, null,
            lastDiskUse, peakDiskUse);
    }

    private Summary fail(final int cycle, final int recoveries, final long lost, final long lastVersion, final long checkpoints,
        final Histogram recovery, final Path dir, final String why)
    {
        return new Summary(seed, cycle, recoveries, fastPaths, lost, lastVersion, checkpoints, recovery,
            "cycle " + cycle + ": " + why, dir, lastDiskUse, peakDiskUse);
    }

    private static String tail(final Path file)
    {
        try
        {
            final String text = Files.readString(file);
            return text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text;
        }
        catch (final IOException ex)
        {
            return "(no stderr: " + ex.getMessage() + ")";
        }
    }

    private static void deleteRecursively(final Path path) throws IOException
    {
        if (!Files.exists(path))
        {
            return;
        }
        try (var walk = Files.walk(path))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * {@code crash-test [--cycles N] [--seed S] [--dir D] [--rate STEPS_PER_S]}
     */
    public static void main(final String[] args) throws Exception
    {
        int cycles = 20;
        long seed = System.nanoTime();
        Path dir = null;
        int rate = 4000;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--cycles" -> cycles = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--dir" -> dir = Path.of(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown crash-test option: " + args[i] +
                    " (use --cycles N --seed S --dir D --rate STEPS_PER_SECOND)");
            }
        }
        final Path root = dir != null ? dir : Files.createTempDirectory("engram-crash-test");
        System.out.printf("crash-test: %d cycles, seed=%d, dir=%s, worker rate=%d steps/s%n", cycles, seed, root, rate);
        final long start = System.nanoTime();
        final Summary summary = new CrashSoak(root, seed, rate, m -> m).run(cycles, System.out::println);
        System.out.println(summary.describe());
        System.out.printf("took %.1f s%n", (System.nanoTime() - start) / 1e9);
        if (!summary.passed())
        {
            System.exit(1);
        }
    }
}
