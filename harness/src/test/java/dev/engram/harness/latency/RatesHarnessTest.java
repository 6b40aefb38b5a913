package dev.engram.harness.latency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RatesHarnessTest
{
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRecordEveryAppendAndOverlapACheckpointBuildWhenRunBriefly(@TempDir final Path dir) throws Exception
    {
        // 0.1 s warm-up + 0.5 s measured at 20k/s: 12,000 appends per run, 10,000 of them measured
        final RatesSettings settings = new RatesSettings(new long[]{20_000}, 0.1, 0.5, 1, 1, 2L << 20, 1024, 1, 0, dir, false, false);
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();

        final RatesHarness.Report report = RatesHarness.run(settings, new PrintStream(printed, true, StandardCharsets.UTF_8));

        final String output = printed.toString(StandardCharsets.UTF_8);
        assertTrue(report.selfChecksPassed(), output);
        assertEquals(1, report.rates().size(), output);
        final RateResult rate = report.rates().get(0);
        for (final LatencyResult run : new LatencyResult[]{rate.floor(), rate.quiet(), rate.during()})
        {
            assertTrue(run.check().passed(), run.check().detail());
            assertEquals(12_000, run.appends(), run.target());
            assertEquals(10_000, run.measuredAppends(), run.target());
            assertEquals(run.measuredAppends(), run.latencyNs().getTotalCount(), run.target());
            assertEquals(run.measuredAppends(), run.serviceNs().getTotalCount(), run.target());
        }
        assertEquals(EngineAppendTarget.NAME, rate.quiet().target());
        assertEquals(NoOpAppendTarget.NAME, rate.floor().target());
        assertEquals(0, rate.quietCheckpoints(), "no checkpoint may complete in the quiet run: " + output);
        assertTrue(rate.duringBuildsInWindow() >= 1, "a build overlapped the measured window: " + output);
        assertTrue(rate.duringCheckpoints() >= 1, "the engine's checkpoint count rose: " + output);
        assertTrue(rate.duringCoverage() > 0 && rate.duringCoverage() <= 1.0, "coverage " + rate.duringCoverage());
        assertTrue(report.checkpointBytes() > report.stateBytes() / 2, "the first checkpoint holds the 2 MiB state: " + output);
        assertTrue(rate.duringCpu().threads().get("checkpoint-builder") > 0, "the builder used CPU: " + output);
        assertTrue(output.contains("ALL SELF-CHECKS PASSED"), output);
        assertTrue(output.contains("p99 during/quiet"), output);
        assertFalse(Files.exists(dir.resolve("state")), "the state directory is deleted afterwards");
    }

    @Test
    void shouldNameTheBadOptionWhenParsing()
    {
        final IllegalArgumentException badRate = assertThrows(IllegalArgumentException.class,
            () -> RatesSettings.parse(new String[]{"--rates", "100k,fast"}));
        assertTrue(badRate.getMessage().contains("--rates") && badRate.getMessage().contains("fast"), badRate.getMessage());
        final IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
            () -> RatesSettings.parse(new String[]{"--rates", "0"}));
        assertTrue(zero.getMessage().contains("rates"), zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RatesSettings.parse(new String[]{"--bogus"}));
        final IllegalArgumentException rounds = assertThrows(IllegalArgumentException.class,
            () -> RatesSettings.parse(new String[]{"--rounds", "0"}));
        assertTrue(rounds.getMessage().contains("rounds=0"), rounds.getMessage());

        final IllegalArgumentException isolateMany = assertThrows(IllegalArgumentException.class,
            () -> RatesSettings.parse(new String[]{"--isolate-producer", "--producers", "2"}));
        assertTrue(isolateMany.getMessage().contains("--isolate-producer") && isolateMany.getMessage().contains("producers=2"),
            isolateMany.getMessage());
        final RatesSettings parsed = RatesSettings.parse(new String[]{"--rates", "100k,1m", "--state", "64m", "--value", "2k"});
        assertEquals(100_000, parsed.rates()[0]);
        assertEquals(1_000_000, parsed.rates()[1]);
        assertEquals(64L << 20, parsed.stateBytes());
        assertEquals(2048, parsed.valueLength());
        assertEquals(32 * 1024, parsed.keyCount());
    }
}
