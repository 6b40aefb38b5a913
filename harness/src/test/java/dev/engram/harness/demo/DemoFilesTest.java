package dev.engram.harness.demo;

import dev.engram.engine.MetricsSnapshot;
import dev.engram.examples.consciousness.ConsciousnessWorkload.Sizes;
import dev.engram.journal.SyncPolicy;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The files the demo's processes talk through: the live file's layout, the progress file's round trip, the
 * recovery result's round trip, and the command line.
 */
class DemoFilesTest
{
    @Test
    void shouldPlaceEveryLiveFieldWhereTheDiagramSays()
    {
        assertEquals(0, WorkerLiveDescriptor.WRITTEN_VERSION_OFFSET);
        assertEquals(8, WorkerLiveDescriptor.STEPS_COMMITTED_OFFSET);
        assertEquals(16, WorkerLiveDescriptor.RECOVERED_VERSION_OFFSET);
        assertEquals(24, WorkerLiveDescriptor.PHASE_OFFSET);
        assertEquals(32, WorkerLiveDescriptor.CHECKPOINTS_OFFSET);
        assertEquals(40, WorkerLiveDescriptor.STEPPING_START_EPOCH_US_OFFSET);
        assertEquals(48, WorkerLiveDescriptor.REPORT_REQUEST_OFFSET);
        assertEquals(56, WorkerLiveDescriptor.REPORT_ANSWERED_OFFSET);
        assertEquals(64, WorkerLiveDescriptor.LENGTH);
        assertTrue(WorkerLiveDescriptor.PHASE_OPENING < WorkerLiveDescriptor.PHASE_STEPPING &&
            WorkerLiveDescriptor.PHASE_STEPPING < WorkerLiveDescriptor.PHASE_TAIL_DONE, "the parent waits for phase >= n");
    }

    @Test
    void shouldReadBackTheProgressTheWorkerWrote(@TempDir final Path dir) throws Exception
    {
        final Histogram append = new Histogram(3);
        for (int i = 1; i <= 10_000; i++)
        {
            append.recordValue(100L * i);
        }
        final Histogram empty = new Histogram(3);
        final MetricsSnapshot metrics = new MetricsSnapshot(append, empty, empty, empty, empty, empty,
            1000, 900, 950, 123_456, 7, 3, 2, 1.25, 11, 0, 5, 42_000_000);
        final Path file = dir.resolve("progress");
        new WorkerProgress(10_000, 2_000_000_000L, metrics).writeAtomically(file);
        final WorkerProgress read = WorkerProgress.read(file);
        assertEquals(10_000, read.steps());
        assertEquals(5_000, read.stepsPerSecond(), 1e-9);
        assertEquals(append, read.metrics().appendLatency());
        assertEquals(append.getValueAtPercentile(99.9), read.metrics().appendLatency().getValueAtPercentile(99.9));
        assertEquals(metrics.writtenVersion(), read.metrics().writtenVersion());
        assertEquals(metrics.deltaCheckpoints(), read.metrics().deltaCheckpoints());
        assertEquals(metrics.lastCompressionRatio(), read.metrics().lastCompressionRatio());
        assertEquals(5, read.metrics().heapFrames());
        assertNull(WorkerProgress.read(dir.resolve("absent")), "no progress before the worker's first report");
    }

    @Test
    void shouldReadBackARecoveryResult(@TempDir final Path dir) throws Exception
    {
        final RecoveryResult result = new RecoveryResult(10, 5, 5, 0, false, 1_000_000, 2_000_000, 123, 456,
            "shutdown: UNCLEAN\nready in 1.0 ms", true, "PASSED: 3 keys", 3, 300, 1, 4096, 8192, 12, 3,
            java.util.List.of(new CompressionSampler.KindRatio("user contexts", 3, 300, 100)));
        result.write(dir.resolve("r"));
        assertEquals(result, RecoveryResult.read(dir.resolve("r")));
    }

    @Test
    void shouldParseFlagsWithSpacesOrEqualsAndRefuseUnknownOnes()
    {
        final DemoOptions o = DemoOptions.parse("--rate", "5000", "--seconds=3", "--populations", "8",
            "--population-bytes=64KiB", "--users", "500", "--out", "x", "--sync", "always", "--no-size-series",
            "--jvm-flags", "-XX:TieredStopAtLevel=1 -Xss1m");
        assertEquals(5000, o.rate());
        assertEquals(3, o.seconds());
        assertEquals(new Sizes(8, 64 * 1024, 500, Sizes.DEFAULT.stepsPerCycle()), o.sizes());
        assertEquals(Path.of("x"), o.reportDir());
        assertEquals(SyncPolicy.ALWAYS, o.syncPolicy());
        assertFalse(o.sizeSeries());
        assertTrue(o.compress());
        assertEquals(java.util.List.of("-XX:TieredStopAtLevel=1", "-Xss1m"), o.childJvmFlags());
        final DemoOptions defaults = DemoOptions.parse();
        assertEquals(Sizes.DEFAULT, defaults.sizes());
        assertEquals(DemoOptions.RATE_DEFAULT, defaults.rate());
        assertTrue(defaults.reportDir().getFileName().toString().startsWith("engram-report-"));
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse("--rat", "1"));
        assertTrue(ex.getMessage().contains("unknown flag=--rat"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse("--seconds"));
    }

    @Test
    void shouldScaleTheWorldDownForTheSizeSeries()
    {
        final Sizes quarter = DemoOptions.scaledDown(Sizes.DEFAULT, 4);
        assertEquals(16, quarter.populations());
        assertEquals(2_500, quarter.users());
        assertEquals(Sizes.DEFAULT.populationBytes(), quarter.populationBytes());
        assertEquals(1, DemoOptions.scaledDown(new Sizes(1, 16 * 1024, 1, 5), 4).populations());
    }
}
