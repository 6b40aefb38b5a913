package dev.engram.harness;

import dev.engram.harness.latency.JournalLatencyHarness;
import dev.engram.harness.latency.RatesHarness;
import dev.engram.journal.EngramSystemProperties;

import java.util.Arrays;

/**
 * Entry point of the harness jar ({@code ./engram <command>}): dispatches the demo, smoke, crash soak, replica soak,
 * backup soak, stress suite and the {@code bench} harnesses (journal, rates, recovery, peers, open-close, history, disk,
 * backup). {@code ./engram bench jmh} runs the JMH jar of
 * bench/ instead; the operator commands run the tools jar.
 */
public final class Main
{
    static
    {
        EngramSystemProperties.apply();
    }

    private Main()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final String command = args.length == 0 ? "smoke" : args[0];
        final String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command)
        {
            case "smoke" -> SmokeWorkload.run(rest);
            case dev.engram.harness.demo.DemoCommand.COMMAND -> dev.engram.harness.demo.DemoCommand.main(rest);
            case "crash-test" -> dev.engram.harness.crash.CrashSoak.main(rest);
            case dev.engram.harness.crash.CrashChild.COMMAND -> dev.engram.harness.crash.CrashChild.main(rest);
            case "replica-soak" -> dev.engram.harness.replica.ReplicaSoak.main(rest);
            case dev.engram.harness.replica.ReplicaSoakNode.COMMAND -> dev.engram.harness.replica.ReplicaSoakNode.main(rest);
            case "backup-soak" -> dev.engram.harness.backupsoak.BackupSoak.main(rest);
            case dev.engram.harness.backupsoak.BackupSoakChild.COMMAND -> dev.engram.harness.backupsoak.BackupSoakChild.main(rest);
            case "stress" -> dev.engram.harness.stress.StressCommand.main(rest);
            case dev.engram.harness.stress.StressChild.COMMAND -> dev.engram.harness.stress.StressChild.main(rest);
            case "bench" -> bench(rest);
            case "help", "--help", "-h" -> usage();
            default ->
            {
                System.err.println("unknown command: " + command);
                usage();
                System.exit(2);
            }
        }
    }

    private static void bench(final String[] args) throws Exception
    {
        final String which = args.length == 0 ? "" : args[0];
        final String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (which)
        {
            case "journal" -> JournalLatencyHarness.main(rest);
            case "jmh" ->
            {
                System.err.println("bench jmh runs from the JMH jar (bench/target/engram-bench.jar): ./engram bench jmh [JMH args]");
                System.exit(2);
            }
            case "recovery" -> dev.engram.harness.recovery.RecoveryBench.run(rest);
            case "rates" -> RatesHarness.main(rest);
            case "peers" -> dev.engram.harness.peers.PeersBench.run(rest);
            case "open-close" -> dev.engram.harness.openclose.OpenCloseBench.run(rest);
            case "history" -> dev.engram.harness.history.HistoryBench.run(rest);
            case "disk" -> dev.engram.harness.disk.DiskBench.run(rest);
            case "backup" -> dev.engram.harness.backup.BackupBench.run(rest);
            case "continuous" -> dev.engram.harness.continuous.ContinuousBench.main(rest);
            default ->
            {
                System.err.println("unknown bench: '" + which + "' (journal, jmh, recovery, rates, peers, open-close, history, disk, backup or continuous)");
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage()
    {
        System.out.println("""
            usage: ./engram <command> [args]
              smoke [DELTAS] [DIR]   append DELTAS (default 1,000,000) from 2 producers, sync, reopen, verify
              demo [--help]          run the example workload in a child JVM, kill -9 it, recover, verify, report
              crash-test [--cycles N] [--seed S] [--dir D] [--rate STEPS/S]
                                     kill -9 a worker N times, recover, verify against the model
              replica-soak [--cycles N] [--seconds-per-cycle S] [--freeze-every K] [--writers W] [--dir D] [--keep]
                                     3 replica nodes in 3 JVMs, clients writing: N times (default 100) the leader is
                                     killed with SIGKILL (every K-th cycle, default 4, frozen with SIGSTOP, then
                                     SIGCONT), a new leader must take writes, the node comes back and catches up; a
                                     history checker checks every acknowledged version on every node, no two nodes
                                     disagreeing at a version, dense versions, and at the end each node's Engram
                                     opened on its own; prints failover p50/p99/max (exit 1 on a violation, 2 if
                                     the soak could not complete). See docs/replication.md ("Soak").
              backup-soak [--cycles 50] [--dir D] [--seed S]
                                     the backup engine under kill -9 (issue 16): each cycle a live backup, continuous
                                     shipping, a prune or a restore in a child JVM, killed at a seeded random storage
                                     call; then verify with read-data, restores against the model, a point-in-time
                                     restore, the store, the next backup; counts per operation, exit 1 on any
                                     failure. See docs/backup.md ("The soak").
              stress [--minutes N] [--scenario NAME[,NAME]] [--seconds-per-run S] [--dir D] [--keep] [--seed S]
                                     the concurrency stress suite (issue 11): get racing updates, close while
                                     reading, checkpoint racing close, reads nested in forEach during checkpoint
                                     swaps, forEach/keys exactly once, and all of them mixed; round-robin for N
                                     minutes (default 30), each run in its own JVM (a crash fails the run, not the
                                     suite); prints per-scenario counts and PASS/FAIL (exit 1 on any failure)
              bench journal [--rate R] [--seconds S] [--producers P] [--warmup W] [--throughput-deltas N]
                            [--ring-slots N] [--frame B] [--ring-arena B] [--dir D] [--keep]
                                     caller latency of Journal.append at a fixed rate (default 500k/s, 3 s
                                     warm-up, 10 s measured, 1 and 2 producers; coordinated omission corrected)
                                     beside raw Chronicle appends of the same bytes (--frame, default 128; over
                                     496 a delta goes through the ring's arena, --ring-arena 0 = the heap), then sustained
                                     journaled throughput flat out (default 10M deltas) beside raw Chronicle;
                                     prints HdrHistogram percentiles, targets met/missed, self-checks
                                     (exit 1 only if a self-check fails). See docs/benchmarks.md.
              bench jmh [JMH args]   JMH benchmarks (bench/target/engram-bench.jar: Journal.append vs raw Chronicle,
                                     reads, open, read-your-writes); e.g. bench jmh -f 1 -wi 3 -i 5 -w 1s -r 1s -prof gc
                                     (forks get the JVM flags from the pom automatically; -l: list, -h: JMH help)
              bench recovery [--sizes 256m,1g,4g] [--tail 1000000] [--value 1024] [--dir D] [--help for more]
                                     crash (kill -9) then recovery in fresh JVMs: Engram vs a zstd snapshot vs
                                     RocksDB, every key read back and checked; checkpoint vs append latency.
                                     See docs/benchmarks.md ("Recovery").
              bench rates [--rates 100k,250k,500k,1m] [--seconds S] [--warmup W] [--rounds N] [--producers P] [--state 256m]
                          [--value 1024] [--max-chain-length 1] [--ring-slots N] [--dir D] [--keep]
                          [--isolate-producer]
                                     engine append latency at each fixed rate (CO-corrected) beside a no-op floor,
                                     quiet and while full checkpoints are built back to back; p99 ratio vs 2x.
                                     --isolate-producer: the producer alone on CPU 0, the JVM's other threads on
                                     the other CPUs (Linux).
                                     See docs/benchmarks.md ("Latency at several rates").
              bench peers [--state 256m] [--tail 1000000] [--rate 50000] [--reps 3] [--help for more]
                                     one workload against Engram, RocksDB (WAL, sync off / on) and a zstd
                                     full-snapshot baseline, each in child JVMs: fixed-rate put latency, flat-out
                                     puts/s, kill -9, fresh-JVM recovery verified key by key, disk bytes; one
                                     table with ratios to Engram. See docs/benchmarks.md ("Peers side by side").
              bench open-close [--state 256m] [--chain 8] [--reps 3] [--dir D]
                                     fresh JVMs: open an existing state and close it at once (after-open checks
                                     still running), reopen in the same JVM; open and close a brand-new directory.
              bench history [--keys 100k] [--value 200] [--deltas 100k] [--changes 100] [--reps 3] [--mode default|scan]
                                     stateAt(v), history(key) of a key with ~100 changes and diff over 1k versions
                                     on keys x value then deltas of 1-3 Zipf keys, every version kept; medians of
                                     --reps. See docs/benchmarks.md ("Version history").
              bench disk [--keys 100k] [--value 200] [--updates 1m] [--sample 100k] [--dir D] [--before]
                                     issue 15's disk measurement: keys x value, then updates of 1-3 Zipf keys
                                     through an Engram with default settings; disk (du, and by part) over the live
                                     state every --sample updates and at the end. --before: rolls by size and the
                                     checkpoint trigger by journal bytes off, for a before/after in one build.
                                     See docs/benchmarks.md ("Disk").
              bench backup [--state 1g] [--value 1024] [--change 1] [--patch 1] [--only engram,rocksdb,restic,tar] [--help for more]
                                     one state, one run: Engram's backups beside RocksDB's BackupEngine, restic (when
                                     on the PATH) and tar + zstd: full backup, incremental after --change % of the
                                     keys PUT and after --patch % PATCHed, restore (+ open), point-in-time restore,
                                     verify reading all data; time and bytes read/written, every restored state
                                     checked key by key; the issue's targets met or not. See docs/benchmarks.md
                                     ("Backup engines side by side").
              bench continuous [--keys 100k] [--value 200] [--rate 20000] [--seconds 20] [--interval-ms 1000]
                                     issue 16's continuous mode: appends at --rate without, with and again without a
                                     ContinuousBackup every --interval-ms; the RPO lag while shipping (p50, p99, max)
                                     and the append latency of each phase. See docs/benchmarks.md ("Continuous backup").
            """);
    }
}
