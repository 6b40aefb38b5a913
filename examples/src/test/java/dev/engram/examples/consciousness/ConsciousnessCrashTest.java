package dev.engram.examples.consciousness;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.testsupport.ChildJvm;
import dev.engram.recovery.RecoveryReport;
import org.junit.jupiter.api.Test;

import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static dev.engram.examples.consciousness.ConsciousnessCrashChild.*;
import static dev.engram.examples.consciousness.ExampleTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * kill -9 a child JVM running the example workload (one delta per step, checkpoints every few hundred frames
 * in the background) at random moments; after each kill the engine is reopened in-process and must equal the
 * reference model at the recovered version r, with r >= the last written version the child reported, and the
 * consciousness summary must agree with the populations it was committed with.
 * <p>
 * Cycles: a quarter of {@code -Dengram.test.crashCycles} (20 in the build, so 5; 50 with {@code -Psoak}), at
 * least 5. Seed: {@code -Dengram.test.seed}. Data is kept in target/crash-data on failure.
 */
class ConsciousnessCrashTest
{
    private static final long CHECKPOINT_EVERY_FRAMES = 300;
    private static final long STEPS_PER_SECOND = 3000;
    private static final String[] SIZE_FLAGS = {
        "--populations=" + CI_SIZES.populations(), "--population-bytes=" + CI_SIZES.populationBytes(),
        "--users=" + CI_SIZES.users(), "--steps-per-cycle=" + CI_SIZES.stepsPerCycle()};

    @Test
    void shouldRecoverTheModelAtTheRecoveredVersionAfterEveryKill() throws Exception
    {
        final int cycles = Math.max(5, Integer.getInteger("engram.test.crashCycles", 20) / 4);
        final long seed = Long.getLong("engram.test.seed", System.nanoTime());
        final Path root = Path.of("target", "crash-data", "consciousness-" + seed).toAbsolutePath();
        final Path dir = root.resolve("state");
        final Path reportFile = root.resolve("report");
        Files.createDirectories(root);
        System.out.println("ConsciousnessCrashTest seed=" + seed + " cycles=" + cycles + " sizes=" + CI_SIZES + " dir=" + root);
        assertEquals(CI_SIZES, ConsciousnessWorkload.Sizes.parse(SIZE_FLAGS), "the child runs the sizes the model uses");
        final ReferenceModel model = new ConsciousnessWorkload(seed, CI_SIZES).newModel();
        final Random random = new Random(seed);
        final long testStartNs = System.nanoTime();
        long maxOpenMs = 0;
        long checkpointsSeen = 0;
        boolean ok = false;
        try
        {
            for (int cycle = 1; cycle <= cycles; cycle++)
            {
                final long reportedWritten;
                final long childRecovered;
                try (RandomAccessFile raf = new RandomAccessFile(reportFile.toFile(), "rw"))
                {
                    raf.setLength(REPORT_LENGTH);
                    final MappedByteBuffer report = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, REPORT_LENGTH);
                    report.putLong(WRITTEN_OFFSET, -1).putLong(RECOVERED_OFFSET, -1).putLong(CHECKPOINTS_OFFSET, 0);
                    try (ChildJvm child = ChildJvm.builder(ConsciousnessCrashChild.class)
                        .args(dir, seed, reportFile, CHECKPOINT_EVERY_FRAMES, STEPS_PER_SECOND)
                        .args((Object[])SIZE_FLAGS)
                        .stdout(root.resolve("child-" + cycle + ".out"))
                        .stderr(root.resolve("child-" + cycle + ".err"))
                        .start())
                    {
                        // a random moment: anywhere from 0.1 s to 3 s of writing after the child's recovery
                        final long target = model.step() + 300 + random.nextInt(8700);
                        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                        while (report.getLong(WRITTEN_OFFSET) < target)
                        {
                            assertTrue(child.isAlive(), () -> "child died: " + child.describe());
                            assertTrue(System.nanoTime() < deadline, () -> "child made no progress: " + child.describe());
                            Thread.onSpinWait();
                        }
                        assertEquals(ChildJvm.SIGKILL_EXIT_VALUE, child.killHard(10, TimeUnit.SECONDS));
                        reportedWritten = report.getLong(WRITTEN_OFFSET);
                        childRecovered = report.getLong(RECOVERED_OFFSET);
                        checkpointsSeen += report.getLong(CHECKPOINTS_OFFSET);
                    }
                }
                assertEquals(model.step(), childRecovered, "the child recovered a different version than the parent left");

                final EngramContext ctx = context(CHECKPOINT_EVERY_FRAMES);
                ctx.state().background(false);
                final long openStart = System.nanoTime();
                try (Engram engram = Engram.open(dir, ctx))
                {
                    final long openMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openStart);
                    maxOpenMs = Math.max(maxOpenMs, openMs);
                    final RecoveryReport report = engram.recoveryReport();
                    final long r = report.recoveredVersion();
                    assertFalse(report.cleanShutdown(), report.describe());
                    assertTrue(r >= reportedWritten, "LOST WRITTEN VERSIONS: reported " + reportedWritten + " recovered " + r);
                    assertTrue(report.rejected().isEmpty(), () -> "a kill -9 must not damage a published checkpoint: " + report.describe());
                    model.advanceTo(r);
                    final String when = "cycle " + cycle + " at version " + r;
                    assertStateEquals(model.state(), engram, when);
                    final long evolutionCycles = assertSummaryAgreesWithPopulations(engram, when);
                    System.out.printf("cycle %d: killed at written=%d, recovered=%d (evolution cycle %d), checkpoint=%d chain=%d" +
                            " replayed=%d, open %d ms%n", cycle, reportedWritten, r, evolutionCycles, report.checkpointVersion(),
                        report.chainLength(), report.framesReplayed(), openMs);
                }
            }
            assertTrue(checkpointsSeen > 0, "the children never checkpointed: kills would not cover checkpoints");
            System.out.printf("ConsciousnessCrashTest passed: %d kills, %d steps, %d checkpoints in children, max open %d ms, %d s%n",
                cycles, model.step(), checkpointsSeen, maxOpenMs, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - testStartNs));
            ok = true;
        }
        finally
        {
            if (ok)
            {
                deleteRecursively(root);
            }
            else
            {
                System.out.println("ConsciousnessCrashTest FAILED: data kept in " + root + " (seed=" + seed + ")");
            }
        }
    }
}
