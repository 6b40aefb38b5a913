package dev.engram.harness.peers;

import dev.engram.harness.recovery.ChildProcess;
import dev.engram.harness.recovery.EngramChild;
import dev.engram.harness.recovery.MeasureGate;
import dev.engram.harness.recovery.PeerRuns;
import dev.engram.harness.recovery.Samples;
import dev.engram.harness.recovery.StateWorkload;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One system through the whole bench: the writer child runs the workload and is killed with SIGKILL once
 * it reports every put acknowledged; the directory's size is taken; fresh child JVMs recover it, read every
 * key, and each recovered state is checked against {@link ExpectedStates}.
 */
final class PeerRun
{
    /**
     * @param writer   the writer's records by tag ({@code loaded}, {@code latency}, {@code throughput}, {@code tail-written}).
     * @param disk     the directory after the crash.
     * @param recoveries one {@code @recovered} record per fresh JVM.
     * @param verdicts one per recovery.
     */
    record Result(PeerSystem system, PeersOptions.Phases phases, Map<String, Map<String, String>> writer, DiskUsage disk,
        List<Map<String, String>> recoveries, List<ExpectedStates.Verdict> verdicts, PeerRuns.Result fullSnapshot)
    {
        boolean ok()
        {
            return verdicts.stream().allMatch(ExpectedStates.Verdict::ok);
        }

        long writerValue(final String tag, final String key)
        {
            return Samples.get(writer.get(tag), key);
        }

        Samples recovery(final String key)
        {
            return Samples.of(recoveries, r -> Samples.get(r, key));
        }

        Samples fromJvmStartMs()
        {
            return Samples.of(recoveries, r -> Samples.get(r, "readyWallMs") - Samples.get(r, "jvmStartMs"));
        }

        Samples lost()
        {
            return new Samples(verdicts.stream().map(ExpectedStates.Verdict::lost).toList());
        }
    }

    /** Applied to each {@code @recovered} record before it is checked (tests use it to feed a wrong state). */
    interface RecordFilter
    {
        Map<String, String> apply(PeerSystem system, Map<String, String> record);
    }

    private PeerRun()
    {
    }

    static Result run(final PeerSystem system, final PeersOptions options, final StateWorkload workload, final ExpectedStates expected,
        final Path runDir, final Path logDir, final RecordFilter filter) throws IOException, InterruptedException
    {
        final Path dir = runDir.resolve(system.label());
        final List<String> jvm = system == PeerSystem.ZSTD_SNAPSHOT ? PeerRuns.snapshotJvm(workload, options.childJvm) : options.childJvm;
        final PeersOptions.Phases phases = options.phases(system);
        final Map<String, Map<String, String>> writer = new LinkedHashMap<>();
        final Map<String, String> machine = new LinkedHashMap<>();
        machine.put("@", "machine");
        machine.put("loadAtWriteStart", PeersBench.loadAverage().split(" ")[0]);
        try (ChildProcess child = ChildProcess.start(system.label() + "-write", logDir, PeerWriter.class, jvm,
            PeerWriter.args(system, dir, workload, phases, options.snapshotEveryMs,
                options.cpuRates(system), options.cpuNs())))
        {
            for (final Map<String, String> record : child.awaitRecordsUntil("tail-written", 3, TimeUnit.HOURS))
            {
                writer.put(record.get("@"), record);
            }
            machine.put("loadAtKill", PeersBench.loadAverage().split(" ")[0]);
            writer.put("machine", machine);
            final int exitValue = child.killHard();
            if (exitValue != ChildProcess.SIGKILL_EXIT_VALUE)
            {
                throw new IllegalStateException(system.title() + " writer " + child.describe() + " was not ended by SIGKILL: exitValue=" +
                    exitValue);
            }
        }
        final DiskUsage disk = DiskUsage.of(dir);
        final long acked = Samples.get(writer.get("tail-written"), "acked");
        final List<Map<String, String>> recoveries = new ArrayList<>();
        final List<ExpectedStates.Verdict> verdicts = new ArrayList<>();
        for (int rep = 1; rep <= options.reps; rep++)
        {
            final boolean rocks = system == PeerSystem.ROCKSDB || system == PeerSystem.ROCKSDB_SYNC;
            // RocksDB.open replays and flushes its WAL, changing the directory: each repetition opens a copy of the crash
            final Path target = rocks ? dir.resolveSibling(dir.getFileName() + "-rep" + rep) : dir;
            if (rocks)
            {
                PeerRuns.copyCrashed(dir, target);
            }
            try
            {
                final String name = system.label() + "-recover-" + rep;
                MeasureGate.beforeMeasuredRun(name, List.of(target));
                final Map<String, String> record = filter.apply(system, ChildProcess.runToRecord(name, logDir, PeerRecover.class, jvm,
                    List.of(system.label(), target.toString(), Integer.toString(workload.keyCount())), "recovered"));
                recoveries.add(record);
                verdicts.add(expected.verify(system, Samples.get(record, "count"), Samples.get(record, "checksum"),
                    Samples.get(record, "version"), acked));
            }
            finally
            {
                if (rocks)
                {
                    EngramChild.deleteTree(target);
                }
            }
        }
        PeerRuns.Result fullSnapshot = null;
        if (system == PeerSystem.ZSTD_SNAPSHOT)
        {
            // what the baseline costs when a save of the final state does complete: save it whole in a child JVM
            // (the bench recovery's SnapshotChild), load it in fresh JVMs, each checked against the final checksum
            final Path file = runDir.resolve("zstd-full-state.zst");
            try
            {
                fullSnapshot = PeerRuns.snapshot(workload, expected.finalChecksum(), file, logDir, "full-state", options.childJvm,
                    options.reps);
            }
            finally
            {
                java.nio.file.Files.deleteIfExists(file);
            }
        }
        return new Result(system, phases, writer, disk, List.copyOf(recoveries), List.copyOf(verdicts), fullSnapshot);
    }
}
