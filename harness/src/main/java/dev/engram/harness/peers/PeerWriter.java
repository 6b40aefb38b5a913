package dev.engram.harness.peers;

import dev.engram.harness.recovery.ChildOutput;
import dev.engram.harness.recovery.StateWorkload;
import dev.engram.journal.EngramSystemProperties;
import org.HdrHistogram.Histogram;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Child JVM: one system under the workload, then waits for the parent's SIGKILL.
 * <pre>
 *   SYSTEM DIR WORKLOAD(5) RATE WARMUP_NS LATENCY_PUTS FLAT_OUT_PUTS SNAPSHOT_EVERY_MS CPU_RATES CPU_NS
 * </pre>
 * CPU_RATES: comma-separated put rates ("-" for none), each run for CPU_NS after the latency phase with its
 * CPU recorded ({@code @cpu-rate-R}); the latency and flat-out phases record theirs too ({@link PhaseCpu}).
 * Records: {@code @loaded} (state load, flat out, then the system's checkpoint/flush), {@code @latency}
 * (fixed-rate tail puts), {@code @throughput} (flat-out tail puts, timed to the last acknowledgement),
 * {@code @tail-written} (every put acknowledged: {@code acked} versions).
 */
public final class PeerWriter
{
    /** System property of the writer child: {@code --settle-before-latency}. */
    static final String SETTLE_BEFORE_LATENCY_PROPERTY = "engram.bench.settleBeforeLatency";

    private PeerWriter()
    {
    }

    static List<String> args(final PeerSystem system, final Path dir, final StateWorkload workload, final PeersOptions.Phases phases,
        final long snapshotEveryMs, final List<Integer> cpuRates, final long cpuNs)
    {
        final List<String> args = new ArrayList<>(List.of(system.label(), dir.toString()));
        args.addAll(List.of(workload.toArgs()));
        args.addAll(List.of(Integer.toString(phases.rate()), Long.toString(phases.warmupNs()), Integer.toString(phases.latencyPuts()),
            Integer.toString(phases.flatOutPuts()), Long.toString(snapshotEveryMs),
            cpuRates.isEmpty() ? "-" : String.join(",", cpuRates.stream().map(String::valueOf).toList()), Long.toString(cpuNs)));
        return args;
    }

    public static void main(final String[] args)
    {
        EngramSystemProperties.apply();
        try
        {
            final PeerSystem system = PeerSystem.byLabel(args[0]);
            final Path dir = Path.of(args[1]);
            final StateWorkload workload = StateWorkload.fromArgs(args, 2);
            int i = 2 + StateWorkload.ARG_COUNT;
            final int rate = Integer.parseInt(args[i++]);
            final long warmupNs = Long.parseLong(args[i++]);
            final int latencyPuts = Integer.parseInt(args[i++]);
            final int flatOutPuts = Integer.parseInt(args[i++]);
            final long snapshotEveryMs = Long.parseLong(args[i++]);
            final String cpuRates = args[i++];
            final long cpuNs = Long.parseLong(args[i]);
            final int[] rates = cpuRates.equals("-") ? new int[0] :
                java.util.Arrays.stream(cpuRates.split(",")).mapToInt(Integer::parseInt).toArray();
            run(open(system, dir, workload, snapshotEveryMs), workload, rate, warmupNs, latencyPuts, flatOutPuts, rates, cpuNs);
        }
        catch (final Throwable ex)
        {
            ChildOutput.fail(ex);
        }
    }

    private static PeerStore open(final PeerSystem system, final Path dir, final StateWorkload workload, final long snapshotEveryMs)
        throws Exception
    {
        java.nio.file.Files.createDirectories(dir);
        return switch (system)
        {
            case ENGRAM -> EngramPeerStore.open(dir, EngramPeerStore.Await.NONE);
            case ENGRAM_WRITTEN -> EngramPeerStore.open(dir, EngramPeerStore.Await.WRITTEN);
            case ENGRAM_SYNCED -> EngramPeerStore.open(dir, EngramPeerStore.Await.SYNCED);
            case ROCKSDB -> RocksPeerStore.open(dir, false);
            case ROCKSDB_SYNC -> RocksPeerStore.open(dir, true);
            case ZSTD_SNAPSHOT -> SnapshotPeerStore.open(dir, workload.keyCount(), snapshotEveryMs);
        };
    }

    private static void run(final PeerStore store, final StateWorkload workload, final int rate, final long warmupNs,
        final int latencyPuts, final int flatOutPuts, final int[] cpuRates, final long cpuNs) throws Exception
    {
        final StringBuilder key = new StringBuilder(32);
        final byte[] value = new byte[workload.valueLength()];
        final long loadStartNs = System.nanoTime();
        for (int k = 0; k < workload.keyCount(); k++)
        {
            workload.fillValue(value, value.length, k, 0);
            store.put(StateWorkload.key(key, k), value);
        }
        store.awaitAcknowledged();
        final long loadNs = System.nanoTime() - loadStartNs;
        final long persistMs = store.loaded();
        ChildOutput.record("loaded", "keys", workload.keyCount(), "loadNs", loadNs, "persistMs", persistMs);

        final TailPuts tail = new TailPuts(workload);
        if (Boolean.getBoolean(SETTLE_BEFORE_LATENCY_PROPERTY))
        {
            store.settle();
        }
        store.measured(true);
        final long queueFullBefore = store.queueFullEvents();
        final PhaseCpu latencyCpu = new PhaseCpu();
        final FixedRatePuts.Result latency = FixedRatePuts.run(store, tail, latencyPuts, rate, warmupNs);
        latencyCpu.record("latency", latencyPuts, latency.serviceTotalNs());
        final Histogram h = latency.latencyNs();
        ChildOutput.record("latency", "rate", rate, "puts", latencyPuts, "measured", latency.measured(),
            "achievedRate", Math.round(latency.achievedRate()), "p50Ns", h.getValueAtPercentile(50), "p99Ns", h.getValueAtPercentile(99),
            "p999Ns", h.getValueAtPercentile(99.9), "p9999Ns", h.getValueAtPercentile(99.99), "maxNs", h.getMaxValue(),
            "meanNs", Math.round(h.getMean()), "serviceP50Ns", latency.serviceNs().getValueAtPercentile(50),
            "serviceP99Ns", latency.serviceNs().getValueAtPercentile(99), "serviceP9999Ns", latency.serviceNs().getValueAtPercentile(99.99),
            "maxServiceNs", latency.serviceNs().getMaxValue(),
            "queueFull", queueFullBefore < 0 ? -1 : store.queueFullEvents() - queueFullBefore);

        // after the latency phase, whose warm-up has compiled the put path: the JIT's CPU would swamp the first rate
        for (final int cpuRate : cpuRates)
        {
            final int puts = (int)Math.max(1, cpuRate * cpuNs / 1_000_000_000L);
            store.settle();
            final PhaseCpu cpu = new PhaseCpu();
            final FixedRatePuts.Result phase = FixedRatePuts.run(store, tail, puts, cpuRate, 0, true);
            store.awaitAcknowledged();
            cpu.record("rate-" + cpuRate, puts, phase.callerCpuNs() >= 0 ? phase.callerCpuNs() : phase.serviceTotalNs());
        }

        store.settle();
        final PhaseCpu flatCpu = new PhaseCpu();
        final long flatStartNs = System.nanoTime();
        for (int j = 0; j < flatOutPuts; j++)
        {
            tail.prepare();
            tail.put(store);
        }
        store.awaitAcknowledged();
        final long flatNs = System.nanoTime() - flatStartNs;
        ChildOutput.record("throughput", "puts", flatOutPuts, "ns", flatNs);
        flatCpu.record("flat-out", flatOutPuts, -1);

        store.measured(false);
        while (tail.count() < workload.tailCount())
        {
            tail.prepare();
            tail.put(store);
        }
        final long puts = (long)workload.keyCount() + workload.tailCount();
        final long reported = store.awaitAcknowledged();
        if (reported >= 0 && reported != puts)
        {
            throw new IllegalStateException("store acknowledges " + reported + " versions after " + puts + " puts");
        }
        final List<Object> fields = new ArrayList<>(List.of("acked", puts));
        for (final Map.Entry<String, Object> entry : store.diagnostics().entrySet())
        {
            fields.add(entry.getKey());
            fields.add(entry.getValue());
        }
        ChildOutput.record("tail-written", fields.toArray());
        // the parent kills this process (SIGKILL) now: recovery is measured after a crash, not a clean close
        new CountDownLatch(1).await();
    }
}
