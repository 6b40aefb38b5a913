package dev.engram.harness.demo;

import dev.engram.engine.MetricsSnapshot;
import dev.engram.harness.demo.CompressionSampler.KindRatio;
import dev.engram.harness.demo.DemoResult.KilledRun;
import dev.engram.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code ./engram demo} end to end on a tiny world: real worker and recoverer JVMs, a real SIGKILL, every key
 * verified; the report folder holds every file and its numbers are sane. Seed: {@code -Dengram.test.seed};
 * the report and state are kept in target/demo-test on failure.
 */
class DemoEndToEndTest
{
    private static final int RATE = 3000;
    private static final int SECONDS = 2;
    private static final long CHECKPOINT_EVERY_FRAMES = 1000;

    @Test
    void shouldKillRecoverVerifyAndReportOnATinyWorld() throws Exception
    {
        final long seed = Long.getLong("engram.test.seed", System.nanoTime() & 0xFFFF);
        final Path root = Path.of("target", "demo-test", "seed-" + seed).toAbsolutePath();
        deleteRecursively(root);
        final Path reportDir = root.resolve("report");
        System.out.println("DemoEndToEndTest seed=" + seed + " dir=" + root);
        final DemoOptions options = DemoOptions.parse("--rate", "" + RATE, "--seconds", "" + SECONDS, "--populations", "4",
            "--population-bytes", "16KiB", "--users", "200", "--steps-per-cycle", "20",
            "--checkpoint-every-frames", "" + CHECKPOINT_EVERY_FRAMES, "--seed", "" + seed,
            "--dir", root.resolve("state").toString(), "--out", reportDir.toString(),
            // short-lived child JVMs on 2 shared cores: C1 only saves seconds of JIT work and changes no check
            "--jvm-flags", "-XX:TieredStopAtLevel=1");
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();
        final long startNs = System.nanoTime();
        final DemoResult result;
        try (PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8))
        {
            result = DemoRunner.run(options, out);
        }
        final String console = printed.toString(StandardCharsets.UTF_8);
        System.out.println(console);
        System.out.printf("demo took %.1f s%n", (System.nanoTime() - startNs) / 1e9);

        assertTrue(result.passed(), () -> "demo failed: " + result.failures() + "\n" + console);
        final String report = Files.readString(reportDir.resolve(DemoReport.REPORT_TXT));
        assertTrue(report.contains("RESULT: PASSED"), report);
        assertTrue(console.contains("RESULT: PASSED"), "the report is printed too");
        assertTrue(console.contains("worker pid") && console.contains("kill -9 worker pid"), console);

        final KilledRun main = result.main();
        assertEquals(ChildJvm.SIGKILL_EXIT_VALUE, main.exitValue(), "a real SIGKILL");
        final RecoveryResult recovery = main.recovery();
        assertTrue(recovery.verified(), recovery.verification());
        assertTrue(recovery.recoveredVersion() >= main.writtenAtKill() && main.writtenAtKill() > 0,
            "r=" + recovery.recoveredVersion() + " written=" + main.writtenAtKill());
        assertFalse(recovery.cleanShutdown());
        assertTrue(recovery.keys() > 4 && recovery.stateBytes() >= 4 * 16 * 1024, recovery.verification());
        assertTrue(recovery.framesReplayed() <= recovery.recoveredVersion());
        assertTrue(recovery.openNs() > 0 && main.processStartToReadyUs() * 1000 > recovery.openNs(),
            "process start -> ready includes open(): " + main.processStartToReadyUs() + " us vs " + recovery.openNs() + " ns");
        assertTrue(main.processStartToReadyUs() < 60_000_000, "recovery took a minute?");

        final WorkerProgress progress = main.progress();
        assertNotNull(progress, "the worker reported progress");
        final MetricsSnapshot metrics = progress.metrics();
        // behaviour, not speed: the worker made steps (a loaded 2-core machine made 2,831 of the 6,000 asked)
        assertTrue(progress.steps() > 0, "steps=" + progress.steps());
        assertTrue(progress.stepsPerSecond() <= RATE * 1.2, "the worker kept to the target rate: " + progress.stepsPerSecond());
        assertTrue(metrics.appendLatency().getTotalCount() >= progress.steps(), "every step's append is recorded");
        final long p50 = metrics.appendLatency().getValueAtPercentile(50);
        final long p99 = metrics.appendLatency().getValueAtPercentile(99);
        assertTrue(0 < p50 && p50 <= p99 && p99 <= metrics.appendLatency().getMaxValue(), "percentiles in order");
        assertTrue(main.stepsAtKill() >= progress.steps(), "the kill came after the last report");
        assertTrue(progress.elapsedNs() >= SECONDS * 1_000_000_000L * 9 / 10,
            "the final report, asked for just before the kill, covers the run: " + progress.elapsedNs() + " ns");

        boolean weights = false;
        boolean users = false;
        for (final KindRatio kind : recovery.compression())
        {
            assertTrue(kind.rawBytes() > 0 && kind.compressedBytes() > 0, kind.toString());
            if (kind.kind().equals("population weights"))
            {
                weights = true;
                assertTrue(kind.ratio() < 1.5, "float weights compress poorly: " + kind);
            }
            if (kind.kind().equals("user contexts"))
            {
                users = true;
                assertTrue(kind.ratio() > 1.5, "user contexts compress well: " + kind);
            }
        }
        assertTrue(weights && users, "ratios per kind: " + recovery.compression());

        assertEquals(3, result.series().size());
        long lastBytes = 0;
        for (final KilledRun run : result.series())
        {
            assertEquals(ChildJvm.SIGKILL_EXIT_VALUE, run.exitValue());
            assertTrue(run.recovery().verified(), run.recovery().verification());
            assertTrue(run.recovery().stateBytes() > lastBytes, "state grows along the series: " + run.name());
            assertTrue(run.recovery().checkpointVersion() > 0, "each series run recovers from its checkpoint");
            assertTrue(run.recovery().framesReplayed() >= CHECKPOINT_EVERY_FRAMES / 2,
                "the tail after the checkpoint is replayed: " + run.recovery().framesReplayed());
            lastBytes = run.recovery().stateBytes();
        }

        final String hgrm = Files.readString(reportDir.resolve(DemoReport.LATENCY_HGRM));
        assertTrue(hgrm.contains("Percentile") && hgrm.contains("#[Max"), hgrm);
        for (final String png : new String[] {DemoReport.LATENCY_PNG, DemoReport.RECOVERY_PNG})
        {
            final BufferedImage image = ImageIO.read(reportDir.resolve(png).toFile());
            assertNotNull(image, png);
            assertEquals(DemoPlots.WIDTH, image.getWidth());
            assertEquals(DemoPlots.HEIGHT, image.getHeight());
        }
        assertTrue(Files.exists(root.resolve("state").resolve("main")), "--dir keeps the state");
        deleteRecursively(root);
    }

    private static void deleteRecursively(final Path root) throws Exception
    {
        if (!Files.exists(root))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
    }
}
