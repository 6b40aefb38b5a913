package dev.engram.harness.recovery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The Engram part of {@code bench recovery} end to end on a tiny state: a child JVM builds 2 MiB of
 * 1 KiB values, checkpoints, journals a 10k-delta tail and is killed with SIGKILL; fresh child JVMs
 * recover it and read every key back against the workload's checksum.
 */
class EngramRecoveryHarnessTest
{
    private static final List<String> CHILD_JVM = List.of("-XX:+UseSerialGC", "-Xmx256m", "-XX:TieredStopAtLevel=1");

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRecoverTheBuiltStateAfterKillMinus9WhenRunInFreshJvms() throws Exception
    {
        final StateWorkload workload = new StateWorkload(42, 2048, 1024, 10_000, 128);
        final long expectedChecksum = workload.expectedChecksum();

        final EngramRun.Result result = EngramRun.run(workload, expectedChecksum, dir.resolve("state"), dir.resolve("logs"), "2mib",
            CHILD_JVM, 2, false, false);

        assertEquals(Long.toString(expectedChecksum), result.built().get("checksum"), "builder's checksum");
        assertEquals(2, result.reps().size());
        for (final Map<String, String> rep : result.reps())
        {
            // EngramRun already refuses a run whose self-check failed; these restate what that check means
            assertEquals("true", rep.get("ok"), () -> "self-check: " + rep);
            assertEquals("false", rep.get("clean"), "recovered after a crash, not a clean close");
            assertEquals(Integer.toString(workload.keyCount()), rep.get("count"));
            assertEquals(Integer.toString(workload.tailCount()), rep.get("framesReplayed"));
            assertEquals(Integer.toString(workload.keyCount()), rep.get("checkpointVersion"));
            assertTrue(Samples.get(rep, "openNs") > 0 && Samples.get(rep, "readNs") > 0, () -> "timings: " + rep);
            assertTrue(Samples.get(rep, "readyWallMs") >= Samples.get(rep, "jvmStartMs"), () -> "ready after JVM start: " + rep);
        }
        // the writable runs: one commit right after open() returns, written (survives a crash) and timed
        assertEquals(2, result.writable().size());
        long version = Long.parseLong(result.reps().get(0).get("recoveredVersion"));
        for (final Map<String, String> run : result.writable())
        {
            assertEquals("true", run.get("ok"), () -> "self-check: " + run);
            assertEquals(version, Long.parseLong(run.get("recoveredVersion")), () -> "the commit of the run before survived: " + run);
            assertTrue(Double.parseDouble(run.get("firstCommitWrittenMs")) >= 0, () -> "first commit written: " + run);
            version++;
        }
        assertTrue(Files.exists(dir.resolve("logs").resolve("engram-build-2mib.out")), "child logs kept");
    }

    @Test
    void shouldChangeTheChecksumWhenOneTailValueDiffers()
    {
        final long checksum = new StateWorkload(42, 2048, 1024, 10_000, 128).expectedChecksum();
        assertEquals(checksum, new StateWorkload(42, 2048, 1024, 10_000, 128).expectedChecksum(), "deterministic");
        assertNotEquals(checksum, new StateWorkload(42, 2048, 1024, 9_999, 128).expectedChecksum(), "one tail delta fewer");
        assertNotEquals(checksum, new StateWorkload(43, 2048, 1024, 10_000, 128).expectedChecksum(), "another seed");
    }
}
