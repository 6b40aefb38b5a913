package dev.engram.harness.recovery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the results of {@code bench recovery} and renders them: the main table, the targets with
 * pass/fail, where Engram's open time goes, and checkpoint building vs append latency.
 */
final class RecoveryBenchReport
{
    static final long OPEN_TARGET_NS = 500_000_000L;
    static final long FROM_START_TARGET_MS = 1000;
    static final double FLATNESS_TARGET = 1.2;
    static final double IMPACT_TARGET = 2.0;
    static final long TARGET_SIZE = 1L << 30;

    private final RecoveryBenchOptions options;
    private final Map<Long, EngramRun.Result> engram = new LinkedHashMap<>();
    private final Map<Long, PeerRuns.Result> snapshot = new LinkedHashMap<>();
    private final Map<Long, PeerRuns.Result> rocksdb = new LinkedHashMap<>();
    private ImpactResult impact;

    RecoveryBenchReport(final RecoveryBenchOptions options)
    {
        this.options = options;
    }

    void engram(final long size, final EngramRun.Result result)
    {
        engram.put(size, result);
    }

    void snapshot(final long size, final PeerRuns.Result result)
    {
        snapshot.put(size, result);
    }

    void rocksdb(final long size, final PeerRuns.Result result)
    {
        rocksdb.put(size, result);
    }

    void impact(final ImpactResult result)
    {
        this.impact = result;
    }

    private String title()
    {
        return String.format("Recovery after kill -9: state of %,d-byte values (keys user/<i>) + a %,d-delta tail of %,d-byte PUTs " +
            "over random keys%s journaled after the last checkpoint; every number from a fresh JVM, min / median / max of " +
            "%d (Engram) or %d (peers) runs, every data file read once just before each run (page cache warm); last column: cores other processes on this shared " +
            "machine kept busy during the runs (min-max)", options.valueLength, options.tail, options.tailValueLength,
            options.tailKeys > 0 ? String.format(" (only user/0 .. user/%,d)", options.tailKeys - 1) : "",
            options.reps, options.peerReps);
    }

    TextTable mainTable()
    {
        final TextTable table = new TextTable("state", "system", "ready: open()/load, ms", "ready from JVM start, ms",
            "read every key once, ms", "self-check", "writing it", "others' cores");
        for (final long size : options.sizes)
        {
            final String state = RecoveryBenchOptions.sizeLabel(size);
            final EngramRun.Result e = engram.get(size);
            if (e != null)
            {
                table.row(state, "Engram (open(): mmap checkpoint + index tail)", e.openNs().nsAsMs(), e.fromJvmStartMs().msAsMs(),
                    e.readNs().nsAsMs(),
                    String.format("%,d keys, checksum ok, %,d frames replayed", e.workload().keyCount(), e.workload().tailCount()),
                    String.format("PUTs %s s, checkpoint %s s (%s file), tail %s s",
                        seconds(Samples.get(e.built(), "stateMs")), seconds(Samples.get(e.built(), "checkpointMs")),
                        bytes(Samples.get(e.built(), "checkpointBytes")), seconds(Samples.get(e.built(), "tailMs"))),
                    otherCores(e.reps()));
            }
            final PeerRuns.Result s = snapshot.get(size);
            if (s != null)
            {
                final long fileBytes = Samples.get(s.saved(), "fileBytes");
                table.row(state, "zstd-3 full snapshot (load: read + decompress + HashMap)", s.openNs().nsAsMs(),
                    s.fromJvmStartMs().msAsMs(), s.readNs().nsAsMs(),
                    String.format("%,d keys, checksum ok", Samples.get(s.saved(), "keys")),
                    String.format("save %s s (serialise + zstd-3 + fsync), %s file, ratio %.2f",
                        seconds(Samples.get(s.saved(), "saveNs") / 1_000_000), bytes(fileBytes),
                        (double)Samples.get(s.saved(), "rawBytes") / fileBytes),
                    otherCores(s.reps()));
            }
            final PeerRuns.Result r = rocksdb.get(size);
            if (r != null)
            {
                table.row(state, "RocksDB 10.10.1 (RocksDB.open: WAL replay + flush)", r.openNs().nsAsMs(),
                    r.fromJvmStartMs().msAsMs() + " (loadLibrary " + r.of("loadLibraryNs").nsAsMs() + ")",
                    r.readNs().nsAsMs(), String.format("%,d keys, checksum ok", Samples.get(r.reps().get(0), "count")),
                    String.format("puts %s s, flush %s s, tail %s s (WAL, no sync); SST %s",
                        seconds(Samples.get(r.saved(), "stateMs")), seconds(Samples.get(r.saved(), "flushMs")),
                        seconds(Samples.get(r.saved(), "tailMs")), bytes(Samples.get(r.saved(), "liveSstBytes"))),
                    otherCores(r.reps()));
            }
        }
        return table;
    }

    List<String> targets()
    {
        final List<String> lines = new ArrayList<>();
        final EngramRun.Result at1g = engram.get(TARGET_SIZE);
        if (at1g == null)
        {
            lines.add("[n/a ] 1 GiB + 1 M tail ready targets: 1 GiB was not in --sizes");
        }
        else
        {
            final long open = at1g.openNs().median();
            lines.add(String.format("[%s] 1 GiB + %,d tail, ready from open() in a fresh JVM <= 500 ms: median %s ms (max %s ms)",
                pass(open <= OPEN_TARGET_NS), options.tail, Samples.ms(open), Samples.ms(at1g.openNs().max())));
            final long fromStart = at1g.fromJvmStartMs().median();
            lines.add(String.format("[%s] 1 GiB + %,d tail, ready from JVM start <= 1000 ms: median %d ms (max %d ms)",
                pass(fromStart <= FROM_START_TARGET_MS), options.tail, fromStart, at1g.fromJvmStartMs().max()));
        }
        if (engram.size() >= 2)
        {
            final long smallest = engram.keySet().stream().min(Long::compare).orElseThrow();
            final long largest = engram.keySet().stream().max(Long::compare).orElseThrow();
            final long small = engram.get(smallest).openNs().median();
            final long large = engram.get(largest).openNs().median();
            lines.add(String.format("[%s] ready time flat in state size: %s median %s ms <= %.1f x %s median %s ms = %s ms " +
                    "(ratio %.2f)%s", pass(large <= FLATNESS_TARGET * small), RecoveryBenchOptions.sizeLabel(largest),
                Samples.ms(large), FLATNESS_TARGET, RecoveryBenchOptions.sizeLabel(smallest), Samples.ms(small),
                Samples.ms((long)(FLATNESS_TARGET * small)), (double)large / small,
                largest == (4L << 30) && smallest == (256L << 20) ? "" : " [target is stated for 4 GiB vs 256 MiB]"));
        }
        if (impact != null)
        {
            final double call = impact.callP99Ratio();
            lines.add(String.format("[%s] checkpoint building raises producers' append p99 by <= 2x (append call, CO-corrected): " +
                    "%s us while checkpointing vs %s us with none (ratio %.2f)", pass(call <= IMPACT_TARGET),
                us(Samples.get(impact.checkpointingCall(), "p99Ns")), us(Samples.get(impact.quietCall(), "p99Ns")), call));
            final double schedule = impact.scheduleP99Ratio();
            lines.add(String.format("[%s] the same from each delta's intended start (also counts the producer being descheduled): " +
                    "%s us vs %s us (ratio %.2f)", pass(schedule <= IMPACT_TARGET),
                us(Samples.get(impact.checkpointing(), "p99Ns")), us(Samples.get(impact.quiet(), "p99Ns")), schedule));
        }
        return lines;
    }

    TextTable breakdownTable()
    {
        final TextTable table = new TextTable("state", "open()", "journal open before ready",
            "journal queue open (background after ready on the fast path)", "checkpoint open", "tail replay",
            "rest of recovery", "outside the report", "JVM start to main()", "spawn to ready",
            "classes loaded / JIT ms / GC ms in open() (mx run)", "open() after warm-up (warm run)",
            "first commit written after open() returned (ms, median / max of the writable runs)",
            "first commit visible to reads after open() returned (ms, median / max, same runs)");
        for (final Map.Entry<Long, EngramRun.Result> entry : engram.entrySet())
        {
            final EngramRun.Result e = entry.getValue();
            final Samples rest = Samples.of(e.reps(), r -> Samples.get(r, "reportReadyNs") - Samples.get(r, "journalOpenNs") -
                Samples.get(r, "checkpointOpenNs") - Samples.get(r, "replayNs"));
            final Samples outside = Samples.of(e.reps(), r -> Samples.get(r, "openNs") - Samples.get(r, "reportReadyNs"));
            final Samples toMain = Samples.of(e.reps(), r -> Samples.get(r, "mainEntryWallMs") - Samples.get(r, "jvmStartMs"));
            final Map<String, String> mx = e.mx();
            final Map<String, String> warm = e.warm();
            table.row(RecoveryBenchOptions.sizeLabel(entry.getKey()), Samples.ms(e.openNs().median()),
                Samples.ms(e.of("journalOpenNs").median()), Samples.ms(e.of("queueOpenNs").median()),
                Samples.ms(e.of("checkpointOpenNs").median()),
                Samples.ms(e.of("replayNs").median()), Samples.ms(rest.median()), Samples.ms(outside.median()),
                Long.toString(toMain.median()), Long.toString(e.fromSpawnMs().median()),
                mx == null ? "-" : String.format("%,d / %,d / %,d (open() %s ms)", Samples.get(mx, "classesDuringOpen"),
                    Samples.get(mx, "compileMsDuringOpen"), Samples.get(mx, "gcMsDuringOpen"), Samples.ms(Samples.get(mx, "openNs"))),
                warm == null ? "-" : String.format("%s ms (journal %s, checkpoint %s, replay %s)", Samples.ms(Samples.get(warm, "openNs")),
                    Samples.ms(Samples.get(warm, "journalOpenNs")), Samples.ms(Samples.get(warm, "checkpointOpenNs")),
                    Samples.ms(Samples.get(warm, "replayNs"))),
                e.writable().isEmpty() ? "-" : e.firstCommitWrittenMs().median() + " / " + e.firstCommitWrittenMs().max(),
                e.writable().isEmpty() ? "-" : e.firstCommitVisibleMs().median() + " / " + e.firstCommitVisibleMs().max());
        }
        return table;
    }

    /** @return the sizes whose profiles are shown: 1 GiB if run, and the largest size. */
    private List<Long> detailSizes()
    {
        final List<Long> sizes = new ArrayList<>();
        if (engram.containsKey(TARGET_SIZE))
        {
            sizes.add(TARGET_SIZE);
        }
        final long largest = engram.keySet().stream().max(Long::compare).orElseThrow();
        if (!sizes.contains(largest))
        {
            sizes.add(largest);
        }
        return sizes;
    }

    TextTable variantsTable()
    {
        final TextTable table = new TextTable("cold recovery variant", "open(), ms", "ready from JVM start, ms", "journal open (median), ms");
        for (final Map.Entry<Long, EngramRun.Result> entry : engram.entrySet())
        {
            final EngramRun.Result e = entry.getValue();
            if (e.variants().isEmpty())
            {
                continue;
            }
            final String size = RecoveryBenchOptions.sizeLabel(entry.getKey());
            table.row(size + ": as measured above (" + String.join(" ", options.childJvm) + ")", e.openNs().nsAsMs(),
                e.fromJvmStartMs().msAsMs(), Samples.ms(e.of("journalOpenNs").median()));
            for (final Map.Entry<String, List<Map<String, String>>> variant : e.variants().entrySet())
            {
                final List<Map<String, String>> reps = variant.getValue();
                table.row(size + ": " + variant.getKey(), Samples.of(reps, r -> Samples.get(r, "openNs")).nsAsMs(),
                    Samples.of(reps, r -> Samples.get(r, "readyWallMs") - Samples.get(r, "jvmStartMs")).msAsMs(),
                    Samples.ms(Samples.of(reps, r -> Samples.get(r, "journalOpenNs")).median()));
            }
        }
        return table;
    }

    TextTable profileTable(final long size, final String phase, final int limit)
    {
        final TextTable table = new TextTable("on stack (incl.)", "on top (self)", "method");
        final EngramRun.Result e = engram.get(size);
        final List<Map<String, String>> lines = e.profile().stream().filter(p -> phase.equals(p.get("phase"))).toList();
        for (final Map<String, String> p : lines)
        {
            if (p.get("method").equals("java.lang.ClassLoader.loadClass"))
            {
                table.row(p.get("inclusive"), p.get("self"), "java.lang.ClassLoader.loadClass (all class loading; static initialisers not included)");
            }
        }
        lines.stream()
            .filter(p -> !p.get("method").matches("(java|jdk|sun)\\..*"))
            .limit(limit)
            .forEach(p -> table.row(p.get("inclusive"), p.get("self"), p.get("method")));
        return table;
    }

    private static String profileTitle(final long size, final String phase)
    {
        return "Sampled cold " + (phase.equals("open") ? "open()" : "read of every key") + " at " +
            RecoveryBenchOptions.sizeLabel(size) + " (one extra fresh JVM, main thread's stack every 1 ms; share of " +
            "samples with the method on the stack / on top; JDK frames left out except class loading)";
    }

    TextTable impactTable()
    {
        final TextTable table = new TextTable("latency", "phase", "appends", "p50 us", "p90 us", "p99 us", "p99.9 us", "p99.99 us",
            "max us");
        if (impact == null)
        {
            return table;
        }
        impactRows(table, "append call", impact.quietCall(), impact.checkpointingCall());
        impactRows(table, "from intended start", impact.quiet(), impact.checkpointing());
        return table;
    }

    private static void impactRows(final TextTable table, final String kind, final Map<String, String> quiet,
        final Map<String, String> checkpointing)
    {
        for (final Map<String, String> phase : List.of(quiet, checkpointing))
        {
            table.row(kind, phase.get("phase").equals("quiet") ? "no checkpoint" : "store.checkpoint() running",
                String.format("%,d", Samples.get(phase, "count")), us(Samples.get(phase, "p50Ns")), us(Samples.get(phase, "p90Ns")),
                us(Samples.get(phase, "p99Ns")), us(Samples.get(phase, "p999Ns")), us(Samples.get(phase, "p9999Ns")),
                us(Samples.get(phase, "maxNs")));
        }
        table.row(kind, "ratio", "", ratio(quiet, checkpointing, "p50Ns"), ratio(quiet, checkpointing, "p90Ns"),
            ratio(quiet, checkpointing, "p99Ns"), ratio(quiet, checkpointing, "p999Ns"), ratio(quiet, checkpointing, "p9999Ns"),
            ratio(quiet, checkpointing, "maxNs"));
    }

    private String impactTitle()
    {
        return String.format("Checkpoint building vs producers: caller-side journal.append latency, one producer thread at a " +
                "fixed %,d deltas/s (%d-byte PUTs over random keys, spin-paced), %d s with no checkpoint, then %d s while " +
                "store.checkpoint() runs back to back on another thread (full checkpoints of the %s state: maxChainLength=1). " +
                "HdrHistogram, coordinated omission corrected two ways: 'append call' = call start to return, recorded with " +
                "the schedule interval as expected interval; 'from intended start' = from the delta's slot on the schedule to " +
                "return (also counts the producer thread itself being descheduled)", options.impactRate,
            options.tailValueLength, options.impactSeconds, options.impactSeconds, RecoveryBenchOptions.sizeLabel(options.impactSize));
    }

    private String impactNote()
    {
        final Map<String, String> i = impact.impact();
        return String.format("%d full checkpoints completed during the checkpointing phase, each %s-%s ms (median %s ms); " +
                "first checkpoint of the state, with no producer running: %s ms, %s file; ring back-pressure events: %s; " +
                "the producer's own latest start: %s us with no checkpoint, %s us while checkpointing; other processes kept " +
                "%s cores busy on average during the run",
            Samples.get(i, "checkpoints"), i.get("checkpointMsMin"), i.get("checkpointMsMax"), i.get("checkpointMsMedian"),
            impact.stateReady().get("checkpointMs"), bytes(Samples.get(impact.stateReady(), "checkpointBytes")),
            i.get("backPressureEvents"), us(Samples.get(impact.quiet(), "maxLateStartNs")),
            us(Samples.get(impact.checkpointing(), "maxLateStartNs")), i.getOrDefault("otherCores", "-1"));
    }

    private static String ratio(final Map<String, String> quiet, final Map<String, String> checkpointing, final String key)
    {
        return String.format("%.2f", (double)Samples.get(checkpointing, key) / Samples.get(quiet, key));
    }

    String toConsole()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append('\n').append(title()).append("\n\n").append(mainTable().toConsole()).append('\n');
        targets().forEach(line -> sb.append(line).append('\n'));
        if (!engram.isEmpty())
        {
            sb.append("\nEngram: where open() goes (medians of the cold runs; ms unless stated)\n\n")
                .append(breakdownTable().toConsole());
            final TextTable variants = variantsTable();
            if (!variants.isEmpty())
            {
                sb.append("\nCold-start variants (same crashed directory, fresh JVMs, min / median / max)\n\n").append(variants.toConsole());
            }
            for (final long size : detailSizes())
            {
                for (final String phase : List.of("open", "read"))
                {
                    final TextTable profile = profileTable(size, phase, phase.equals("open") ? 18 : 14);
                    if (!profile.isEmpty())
                    {
                        sb.append('\n').append(profileTitle(size, phase)).append("\n\n").append(profile.toConsole());
                    }
                }
            }
        }
        if (impact != null)
        {
            sb.append('\n').append(impactTitle()).append("\n\n").append(impactTable().toConsole())
                .append(impactNote()).append('\n');
        }
        return sb.toString();
    }

    String toMarkdown(final String machine)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("Command: `").append(options.commandLine).append("`\n\n");
        sb.append(machine).append('\n');
        sb.append(title()).append(".\n\n").append(mainTable().toMarkdown()).append('\n');
        sb.append("Targets (reported, not enforced):\n\n");
        targets().forEach(line -> sb.append("- ").append(line.replace("[", "**").replace("]", "**")).append('\n'));
        if (!engram.isEmpty())
        {
            sb.append("\nEngram: where open() goes (medians of the cold runs; ms unless stated):\n\n")
                .append(breakdownTable().toMarkdown());
            final TextTable variants = variantsTable();
            if (!variants.isEmpty())
            {
                sb.append("\nCold-start variants (same crashed directory, fresh JVMs, min / median / max):\n\n").append(variants.toMarkdown());
            }
            for (final long size : detailSizes())
            {
                for (final String phase : List.of("open", "read"))
                {
                    final TextTable profile = profileTable(size, phase, phase.equals("open") ? 18 : 14);
                    if (!profile.isEmpty())
                    {
                        sb.append('\n').append(profileTitle(size, phase)).append(":\n\n").append(profile.toMarkdown());
                    }
                }
            }
        }
        if (impact != null)
        {
            sb.append('\n').append(impactTitle()).append("\n\n").append(impactTable().toMarkdown()).append('\n')
                .append(impactNote()).append(".\n");
        }
        return sb.toString();
    }

    /**
     * @return min-max over the runs of the cores other processes kept busy while each run's JVM lived (2 cores here:
     *         0 = the bench had the machine to itself).
     */
    static String otherCores(final List<Map<String, String>> reps)
    {
        double min = Double.MAX_VALUE;
        double max = -1;
        for (final Map<String, String> rep : reps)
        {
            final double cores = Double.parseDouble(rep.getOrDefault("otherCores", "-1"));
            min = Math.min(min, cores);
            max = Math.max(max, cores);
        }
        return max < 0 ? "-" : String.format("%.2f-%.2f", min, max);
    }

    private static String pass(final boolean pass)
    {
        return pass ? "PASS" : "FAIL";
    }

    static String seconds(final long ms)
    {
        return String.format("%.1f", ms / 1000.0);
    }

    static String us(final long ns)
    {
        final double us = ns / 1000.0;
        return us < 100 ? String.format("%.2f", us) : String.format("%,.0f", us);
    }

    static String bytes(final long bytes)
    {
        if (bytes >= 1L << 30)
        {
            return String.format("%.2f GiB", bytes / (double)(1L << 30));
        }
        if (bytes >= 1L << 20)
        {
            return String.format("%.0f MiB", bytes / (double)(1L << 20));
        }
        return String.format("%.0f KiB", bytes / 1024.0);
    }
}
