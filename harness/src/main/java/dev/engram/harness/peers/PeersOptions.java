package dev.engram.harness.peers;

import dev.engram.harness.CommandLineValues;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Command line of {@code ./engram bench peers}: the one workload every system runs, and how it is measured.
 * Every field has a default; {@link #parse} names the bad input when it refuses one.
 */
public final class PeersOptions
{
    static final String USAGE = """
        usage: ./engram bench peers [options]
          --state 256m            state size: state/value keys user/<i> of --value bytes, loaded first (flat out)
          --value 1024            state value length
          --tail 1000000          128-byte PUTs after the load (the crash tail): the fixed-rate phase, then flat out
          --tail-value 128        tail value length
          --rate 50000            fixed put rate of the latency phase (puts/s; CO-corrected caller latency)
          --warmup 2              seconds of that phase sent but not recorded
          --seconds 10            seconds of that phase recorded
          --cpu-rates 10k,50k,200k  extra fixed-rate phases after the latency phase, --cpu-seconds each, for the CPU
                                  table only (default: none; systems that sync skip them); every system also reports
                                  the CPU of its latency and flat-out phases, per thread, per put
          --cpu-seconds 2
          --sync-rate 500         the same for RocksDB sync=true and Engram await synced (a force per put)
          --sync-warmup 1
          --sync-seconds 5
          --sync-ops 2000         flat-out synced puts (the rest of their tail is written without waiting for sync)
          --snapshot-every-ms 1000  zstd baseline: whole-state snapshot (zstd-3, fsync, rename) this long after the last
          --systems engram,engram-written,rocksdb,engram-synced,rocksdb-sync,zstd-snapshot   which run (default: all)
          --reps 3                fresh-JVM recoveries per system (min / median / max reported)
          --dir D                 where data and child logs go (default /tmp/peers-<time>); each system's data is
                                  deleted after its run unless --keep, the logs stay
          --report FILE           markdown report (default engram-report-peers/peers-<time>.md)
          --child-jvm "OPTS"      JVM options of every child (default "-XX:+UseParallelGC -Xms1g -Xmx4g", as ./engram;
                                  the zstd baseline's -Xmx is raised to hold the state and one snapshot on the heap)
          --background-priority P Engram's background threads' priority (NORMAL, LOW, LOWEST, IDLE; default the
                                  engine's, StateContext.BACKGROUND_PRIORITY_DEFAULT)
          --settle-before-latency let the system's background work for the load finish before the latency phase
                                  (Engram: the history follower indexes the load's frames; default off: the phase starts
                                  right after the load, its catch-up inside the window)
          --seed 42               workload seed
          --keep                  keep the data
        """;

    long stateBytes = 256L << 20;
    boolean settleBeforeLatency;
    dev.engram.journal.BackgroundPriority backgroundPriority = dev.engram.recovery.StateContext.BACKGROUND_PRIORITY_DEFAULT;
    int valueLength = 1024;
    int tail = 1_000_000;
    int tailValueLength = 128;
    int rate = 50_000;
    double warmupSeconds = 2;
    double seconds = 10;
    List<Integer> cpuRates = List.of();
    double cpuSeconds = 2;
    int syncRate = 500;
    double syncWarmupSeconds = 1;
    double syncSeconds = 5;
    int syncOps = 2000;
    long snapshotEveryMs = 1000;
    Set<PeerSystem> systems = EnumSet.allOf(PeerSystem.class);
    int reps = 3;
    Path dir;
    Path report;
    List<String> childJvm = List.of("-XX:+UseParallelGC", "-Xms1g", "-Xmx4g");
    long seed = 42;
    boolean keep;
    String commandLine = "./engram bench peers";

    public static PeersOptions parse(final String[] args)
    {
        final PeersOptions o = new PeersOptions();
        o.commandLine = "./engram bench peers" + (args.length == 0 ? "" : " " + String.join(" ", args));
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--state" -> o.stateBytes = CommandLineValues.bytes(arg, CommandLineValues.value(args, ++i, arg));
                case "--value" -> o.valueLength = CommandLineValues.intBytes(arg, CommandLineValues.value(args, ++i, arg));
                case "--tail" -> o.tail = CommandLineValues.intCount(arg, CommandLineValues.value(args, ++i, arg));
                case "--tail-value" -> o.tailValueLength = CommandLineValues.intBytes(arg, CommandLineValues.value(args, ++i, arg));
                case "--rate" -> o.rate = CommandLineValues.intCount(arg, CommandLineValues.value(args, ++i, arg));
                case "--warmup" -> o.warmupSeconds = CommandLineValues.number(arg, CommandLineValues.value(args, ++i, arg));
                case "--seconds" -> o.seconds = CommandLineValues.number(arg, CommandLineValues.value(args, ++i, arg));
                case "--cpu-rates" -> o.cpuRates = parseRates(CommandLineValues.value(args, ++i, arg));
                case "--cpu-seconds" -> o.cpuSeconds = CommandLineValues.number(arg, CommandLineValues.value(args, ++i, arg));
                case "--sync-rate" -> o.syncRate = CommandLineValues.intCount(arg, CommandLineValues.value(args, ++i, arg));
                case "--sync-warmup" -> o.syncWarmupSeconds = CommandLineValues.number(arg, CommandLineValues.value(args, ++i, arg));
                case "--sync-seconds" -> o.syncSeconds = CommandLineValues.number(arg, CommandLineValues.value(args, ++i, arg));
                case "--sync-ops" -> o.syncOps = CommandLineValues.intCount(arg, CommandLineValues.value(args, ++i, arg));
                case "--snapshot-every-ms" -> o.snapshotEveryMs = CommandLineValues.intCount(arg, CommandLineValues.value(args, ++i, arg));
                case "--systems" -> o.systems = parseSystems(CommandLineValues.value(args, ++i, arg));
                case "--reps" -> o.reps = CommandLineValues.intCount(arg, CommandLineValues.value(args, ++i, arg));
                case "--dir" -> o.dir = Path.of(CommandLineValues.value(args, ++i, arg));
                case "--report" -> o.report = Path.of(CommandLineValues.value(args, ++i, arg));
                case "--child-jvm" -> o.childJvm = List.of(CommandLineValues.value(args, ++i, arg).trim().split("\\s+"));
                case "--background-priority" -> o.backgroundPriority =
                    dev.engram.journal.BackgroundPriority.valueOf(CommandLineValues.value(args, ++i, arg).toUpperCase(java.util.Locale.ROOT));
                case "--settle-before-latency" -> o.settleBeforeLatency = true;
                case "--seed" -> o.seed = Long.parseLong(CommandLineValues.value(args, ++i, arg));
                case "--keep" -> o.keep = true;
                case "--help", "-h" -> throw new IllegalArgumentException(USAGE);
                default -> throw new IllegalArgumentException("unknown option: " + arg + "\n" + USAGE);
            }
        }
        if (o.backgroundPriority != null || o.settleBeforeLatency)
        {
            o.childJvm = new java.util.ArrayList<>(o.childJvm);
            if (o.backgroundPriority != null)
            {
                o.childJvm.add("-D" + EngramPeerStore.BACKGROUND_PRIORITY_PROPERTY + "=" + o.backgroundPriority.name());
            }
            if (o.settleBeforeLatency)
            {
                o.childJvm.add("-D" + PeerWriter.SETTLE_BEFORE_LATENCY_PROPERTY + "=true");
            }
            o.childJvm = List.copyOf(o.childJvm);
        }
        o.validate();
        return o;
    }

    private void validate()
    {
        if (valueLength < 1 || tailValueLength < 1 || stateBytes < valueLength)
        {
            throw new IllegalArgumentException("--state must hold at least one --value: state=" + stateBytes + " value=" + valueLength +
                " tail-value=" + tailValueLength);
        }
        if (stateBytes / valueLength > Integer.MAX_VALUE / 2)
        {
            throw new IllegalArgumentException("--state / --value gives too many keys: " + stateBytes / valueLength);
        }
        if (rate < 1 || syncRate < 1 || seconds <= 0 || syncSeconds <= 0 || warmupSeconds < 0 || syncWarmupSeconds < 0 || reps < 1 ||
            syncOps < 0 || snapshotEveryMs < 1 || cpuSeconds <= 0)
        {
            throw new IllegalArgumentException("rates, --seconds, --sync-seconds, --reps and --snapshot-every-ms must be positive, " +
                "warm-ups and --sync-ops not negative: rate=" + rate + " sync-rate=" + syncRate + " seconds=" + seconds +
                " sync-seconds=" + syncSeconds + " reps=" + reps + " sync-ops=" + syncOps + " snapshot-every-ms=" + snapshotEveryMs);
        }
        if (systems.isEmpty())
        {
            throw new IllegalArgumentException("--systems names no system");
        }
        for (final PeerSystem system : systems)
        {
            final Phases phases = phases(system);
            final long wanted = latencyPutsWanted(system) + cpuPuts(system);
            if (wanted + phases.flatOutPuts() > tail)
            {
                throw new IllegalArgumentException(String.format("--tail %,d is shorter than what %s measures: %,d fixed-rate puts " +
                    "(rate x (warmup + seconds)) + %,d flat-out puts; raise --tail or lower the rate", tail, system.label(),
                    wanted, phases.flatOutPuts()));
            }
        }
    }

    int keyCount()
    {
        return (int)(stateBytes / valueLength);
    }

    /**
     * How a system's tail is split: fixed-rate puts first, then flat-out puts, then the rest (written as fast
     * as possible, not measured: only RocksDB sync has a rest, written with sync off so every system ends
     * with the same state).
     */
    record Phases(int rate, long warmupNs, long measureNs, int latencyPuts, int flatOutPuts)
    {
    }

    Phases phases(final PeerSystem system)
    {
        final boolean sync = system.syncs();
        final int r = sync ? syncRate : rate;
        final double warm = sync ? syncWarmupSeconds : warmupSeconds;
        final double measure = sync ? syncSeconds : seconds;
        final long latencyPuts = latencyPutsWanted(system);
        if (latencyPuts > tail)
        {
            return new Phases(r, (long)(warm * 1e9), (long)(measure * 1e9), Integer.MAX_VALUE / 2, 0);
        }
        final int flatOut = sync ? syncOps : (int)Math.max(0, tail - latencyPuts - cpuPuts(system));
        return new Phases(r, (long)(warm * 1e9), (long)(measure * 1e9), (int)latencyPuts, flatOut);
    }

    /**
     * @return the puts a system's fixed-rate phase sends: its rate x (warm-up + recorded seconds).
     */
    private long latencyPutsWanted(final PeerSystem system)
    {
        final boolean sync = system.syncs();
        return (long)Math.ceil((sync ? syncRate : rate) * ((sync ? syncWarmupSeconds : warmupSeconds) + (sync ? syncSeconds : seconds)));
    }

    /**
     * @return the CPU rates a system runs: none for the systems that sync each put.
     */
    List<Integer> cpuRates(final PeerSystem system)
    {
        return system.syncs() ? List.of() : cpuRates;
    }

    long cpuNs()
    {
        return (long)(cpuSeconds * 1e9);
    }

    private long cpuPuts(final PeerSystem system)
    {
        long puts = 0;
        for (final int r : cpuRates(system))
        {
            puts += Math.max(1, r * cpuNs() / 1_000_000_000L);
        }
        return puts;
    }

    private static List<Integer> parseRates(final String list)
    {
        final List<Integer> rates = new ArrayList<>();
        for (final String rate : list.split(","))
        {
            rates.add(CommandLineValues.intCount("--cpu-rates", rate.trim()));
        }
        return List.copyOf(rates);
    }

    private static Set<PeerSystem> parseSystems(final String list)
    {
        final Set<PeerSystem> set = EnumSet.noneOf(PeerSystem.class);
        for (final String name : list.split(","))
        {
            set.add(PeerSystem.byLabel(name.trim()));
        }
        return set;
    }

    List<String> describe()
    {
        final List<String> lines = new ArrayList<>();
        lines.add(String.format("workload: %,d keys x %,d B (%s) loaded flat out, then a %,d-put tail of %d B values to seeded random keys",
            keyCount(), valueLength, PeersReport.bytes((long)keyCount() * valueLength), tail, tailValueLength));
        lines.add(String.format("latency phase: %,d puts/s for %.1f s warm-up + %.1f s recorded (synced systems: %,d puts/s, %.1f + %.1f s," +
            " then %,d flat-out synced puts; the rest of their tail without waiting for sync)", rate, warmupSeconds, seconds, syncRate, syncWarmupSeconds,
            syncSeconds, syncOps));
        return lines;
    }
}
