package dev.engram.harness.peers;

import dev.engram.harness.recovery.StateWorkload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code bench peers} end to end on a tiny workload (every system: child JVM, SIGKILL, fresh-JVM recovery),
 * and its verification refusing states that are wrong.
 */
class PeersBenchTest
{
    private static final String CHILD_JVM = "-XX:+UseSerialGC -Xms64m -Xmx256m -XX:TieredStopAtLevel=1";

    @TempDir
    Path dir;

    private PeersOptions tiny(final String... extra)
    {
        final List<String> args = new java.util.ArrayList<>(List.of("--state", "256k", "--value", "1024", "--tail", "3000",
            "--rate", "2000", "--warmup", "0.1", "--seconds", "0.5", "--sync-rate", "100", "--sync-warmup", "0", "--sync-seconds", "0.3",
            "--sync-ops", "20", "--snapshot-every-ms", "100", "--reps", "1", "--dir", dir.resolve("data").toString(),
            "--report", dir.resolve("report.md").toString(), "--child-jvm", CHILD_JVM));
        args.addAll(List.of(extra));
        return PeersOptions.parse(args.toArray(new String[0]));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunEverySystemEndToEndAndVerifyEveryRecoveredState() throws Exception
    {
        final PeersBench.Outcome outcome = PeersBench.run(tiny(), (system, record) -> record);

        assertTrue(outcome.report().ok(), outcome.console());
        for (final PeerSystem system : PeerSystem.values())
        {
            assertTrue(outcome.console().lines().findFirst().orElseThrow().contains(system.title()), "column " + system.title());
        }
        assertEquals(PeerSystem.values().length, outcome.console().split("ok x1", -1).length - 1, outcome.console());
        for (final PeerRun.Result result : outcome.report().results())
        {
            final long acked = result.writerValue("tail-written", "acked");
            assertEquals(256 + 3000, acked, "every put acknowledged: " + result.system());
            if (!result.system().losesOnCrash())
            {
                assertEquals(0, result.lost().max(), "nothing acknowledged lost: " + result.system());
                assertEquals(acked, result.verdicts().get(0).recoveredVersion(), result.system().title());
            }
            assertTrue(result.writerValue("latency", "measured") > 0, "latency recorded: " + result.system());
            // a system that loses on a crash may not have saved anything yet when a loaded machine kills it
            assertTrue(result.disk().apparentBytes() > 0 || result.system().losesOnCrash() && result.disk().apparentBytes() == 0,
                "disk measured: " + result.system());
            assertEquals(result.system() == PeerSystem.ZSTD_SNAPSHOT, result.fullSnapshot() != null, "final-state save: " + result.system());
            if (result.fullSnapshot() != null)
            {
                assertEquals("256", result.fullSnapshot().saved().get("keys"), "the final state saved whole");
            }
        }
        final String markdown = Files.readString(outcome.markdown());
        assertTrue(markdown.contains("## Peers side by side") && markdown.contains("| recovered state verified |"), markdown);
        try (var runs = Files.list(dir.resolve("data")))
        {
            final Path run = runs.filter(p -> p.getFileName().toString().startsWith("run-")).findFirst().orElseThrow();
            try (var entries = Files.list(run))
            {
                assertEquals(List.of("logs"), entries.map(p -> p.getFileName().toString()).toList(), "data deleted without --keep, logs kept");
            }
            assertTrue(Files.exists(run.resolve("logs").resolve("engram-write.out")), "writer log kept");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldReportCpuPerPutByThreadForEveryMeasuredPhase() throws Exception
    {
        final PeersBench.Outcome outcome = PeersBench.run(tiny("--systems", "engram,rocksdb", "--cpu-rates", "1000", "--cpu-seconds", "0.2"),
            (system, record) -> record);

        assertTrue(outcome.report().ok(), outcome.console());
        for (final PeerRun.Result result : outcome.report().results())
        {
            for (final String phase : List.of("cpu-latency", "cpu-rate-1000", "cpu-flat-out"))
            {
                assertTrue(result.writerValue(phase, "puts") > 0, phase + " of " + result.system());
                assertTrue(result.writerValue(phase, "totalNs") > 0, phase + " of " + result.system());
                assertTrue(result.writerValue(phase, "callerNs") > 0, phase + " of " + result.system());
            }
            // Engram's journal thread writes every put; RocksDB has no such thread
            assertEquals(result.system() == PeerSystem.ENGRAM, result.writerValue("cpu-rate-1000", "writerNs") > 0, result.system().title());
        }
        assertTrue(outcome.console().contains("CPU time per put") && outcome.console().contains("1,000 puts/s"), outcome.console());
        assertTrue(Files.readString(outcome.markdown()).contains("| journal writer |"), "CPU table in the markdown");
    }

    @Test
    void shouldNameTheCpuRatesATooShortTailCannotHold()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> tiny("--cpu-rates", "10000",
            "--cpu-seconds", "1"));
        assertTrue(ex.getMessage().startsWith("--tail 3,000 is shorter than what"), ex.getMessage());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldReportFailureWhenARecoveredStateHasAWrongChecksum() throws Exception
    {
        final PeersBench.Outcome outcome = PeersBench.run(tiny("--systems", "zstd-snapshot"), (system, record) ->
        {
            final Map<String, String> wrong = new LinkedHashMap<>(record);
            wrong.put("checksum", Long.toString(Long.parseLong(record.get("checksum")) + 1));
            return wrong;
        });

        assertFalse(outcome.report().ok(), outcome.console());
        assertTrue(outcome.console().contains("FAILED"), outcome.console());
        assertTrue(outcome.console().contains("at no version"), outcome.console());
    }

    @Test
    void shouldNameTheFixedRatePutsATooShortTailCannotHold()
    {
        // 2,000 puts/s x (0.1 + 0.5) s = 1,200 fixed-rate puts; engram's flat-out phase takes the rest
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> tiny("--tail", "1000"));
        assertTrue(ex.getMessage().contains("--tail 1,000 is shorter than what engram measures: 1,200 fixed-rate puts"), ex.getMessage());
    }

    @Test
    void shouldAcceptOnlyStatesOfTheWorkloadAndCountWhatWasLost()
    {
        final StateWorkload workload = new StateWorkload(7, 100, 64, 500, 16);
        final ExpectedStates expected = new ExpectedStates(workload);
        final long acked = 600;
        // the final state, as every correct recovery of a lossless system reports it
        final ExpectedStates.Verdict exact = expected.verify(PeerSystem.ENGRAM, 100, expected.finalChecksum(), 600, acked);
        assertTrue(exact.ok(), exact.message());
        assertEquals(0, exact.lost());

        assertFalse(expected.verify(PeerSystem.ENGRAM, 100, expected.finalChecksum() + 1, -1, acked).ok(), "wrong checksum");
        assertFalse(expected.verify(PeerSystem.ROCKSDB, 99, expected.finalChecksum(), -1, acked).ok(), "a key missing");
        assertFalse(expected.verify(PeerSystem.ENGRAM, 100, expected.finalChecksum(), 599, acked).ok(), "version says otherwise");

        // an older version of the workload: a loss, allowed only for the snapshot baseline
        final long v550 = checksumAt(workload, 550);
        final ExpectedStates.Verdict older = expected.verify(PeerSystem.ZSTD_SNAPSHOT, 100, v550, 550, acked);
        assertTrue(older.ok(), older.message());
        assertEquals(550, older.recoveredVersion());
        assertEquals(50, older.lost());
        assertFalse(expected.verify(PeerSystem.ROCKSDB, 100, v550, -1, acked).ok(), "RocksDB must not lose acknowledged puts");
        // part of the load only (snapshot taken while loading)
        final ExpectedStates.Verdict partial = expected.verify(PeerSystem.ZSTD_SNAPSHOT, 40, checksumAt(workload, 40), 40, acked);
        assertTrue(partial.ok(), partial.message());
        assertEquals(560, partial.lost());
    }

    /** The checksum of the workload's state after its first {@code version} puts, computed the slow way. */
    private static long checksumAt(final StateWorkload workload, final int version)
    {
        final int tail = Math.max(0, version - workload.keyCount());
        final int keys = Math.min(version, workload.keyCount());
        if (version >= workload.keyCount())
        {
            return new StateWorkload(workload.seed(), workload.keyCount(), workload.valueLength(), tail, workload.tailValueLength())
                .expectedChecksum();
        }
        // only the first keys loaded: a workload of that many keys has the same values (keys do not depend on the key count)
        return new StateWorkload(workload.seed(), keys, workload.valueLength(), 0, workload.tailValueLength()).expectedChecksum();
    }
}
