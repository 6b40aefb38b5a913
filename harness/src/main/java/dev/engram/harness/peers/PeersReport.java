package dev.engram.harness.peers;

import dev.engram.harness.cpu.ThreadCpu;
import dev.engram.harness.recovery.Samples;
import dev.engram.harness.recovery.TextTable;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The one table of {@code bench peers}: a row per metric, a column per system, every value beside its ratio
 * to Engram's ({@code system / Engram}: above 1 means more time, bytes or puts/s than Engram), then the
 * details a reader needs to trust it.
 */
final class PeersReport
{
    static final String CPU_CAPTION = "CPU time per put, us, by thread (CPU, not wall time: a thread waiting for a core is not " +
        "charged; at a fixed rate the caller's share is its CPU inside put calls (in the latency phase, which must not pay for " +
        "reading it, the calls' wall time), its pacing spin left out; flat out, its thread's CPU; " +
        "'native threads + rest' is the process less every thread named, e.g. RocksDB's flush and compaction threads):";

    private final PeersOptions options;
    private final List<PeerRun.Result> results;

    PeersReport(final PeersOptions options, final List<PeerRun.Result> results)
    {
        this.options = options;
        this.results = List.copyOf(results);
    }

    boolean ok()
    {
        return results.stream().allMatch(PeerRun.Result::ok);
    }

    List<PeerRun.Result> results()
    {
        return results;
    }

    TextTable table()
    {
        final List<String> header = new ArrayList<>(List.of("metric (ratio = system / Engram)"));
        results.forEach(r -> header.add(r.system().title()));
        final TextTable table = new TextTable(header.toArray(new String[0]));
        latencyRow(table, "put latency p50", "p50Ns");
        latencyRow(table, "put latency p99", "p99Ns");
        latencyRow(table, "put latency p99.9", "p999Ns");
        latencyRow(table, "put latency p99.99", "p9999Ns");
        latencyRow(table, "put latency max", "maxNs");
        latencyRow(table, "put service time p50 (call start -> return)", "serviceP50Ns");
        latencyRow(table, "put service time p99", "serviceP99Ns");
        latencyRow(table, "put service time p99.99", "serviceP9999Ns");
        textRow(table, "  at fixed rate (asked / achieved, puts/s)", r -> String.format("%,d / %,d", r.writerValue("latency", "rate"),
            r.writerValue("latency", "achievedRate")));
        numberRow(table, "flat-out puts/s (" + tailLabel() + ")", r ->
        {
            final long puts = r.writerValue("throughput", "puts");
            return puts == 0 ? Double.NaN : puts * 1e9 / r.writerValue("throughput", "ns");
        }, PeersReport::count);
        numberRow(table, String.format("load %,d x %s flat out, s", options.keyCount(), bytes(options.valueLength)),
            r -> r.writerValue("loaded", "loadNs") / 1e9, v -> String.format("%.2f", v));
        numberRow(table, "whole state to one file, s (checkpoint / flush after the load; zstd: save of the final state)", r ->
            r.system() != PeerSystem.ZSTD_SNAPSHOT ? r.writerValue("loaded", "persistMs") / 1e3 :
                r.fullSnapshot() == null ? Double.NaN : Samples.get(r.fullSnapshot().saved(), "saveNs") / 1e9, v -> String.format("%.2f", v));
        textRow(table, "versions acknowledged at kill -9", r -> count(r.writerValue("tail-written", "acked")));
        textRow(table, "keys in the recovered state", r -> r.recovery("count").min() == r.recovery("count").max() ?
            count(r.recovery("count").min()) : count(r.recovery("count").min()) + "-" + count(r.recovery("count").max()));
        textRow(table, "versions lost at kill -9 (min-max over recoveries)", r -> r.lost().min() == r.lost().max() ?
            count(r.lost().min()) : count(r.lost().min()) + "-" + count(r.lost().max()));
        numberRow(table, "recovery: JVM start -> ready, ms (median)", r -> r.fromJvmStartMs().median(), PeersReport::count);
        numberRow(table, "recovery: open() -> ready, ms (median)", r -> r.recovery("openNs").median() / 1e6, PeersReport::count);
        numberRow(table, "zstd: load of the final-state file in a fresh JVM, ms (median)", r -> r.fullSnapshot() == null ? Double.NaN :
            r.fullSnapshot().openNs().median() / 1e6, PeersReport::count);
        numberRow(table, "read every key after recovery, ms (median)", r -> r.recovery("readNs").median() / 1e6, PeersReport::count);
        numberRow(table, "disk after the run (du, allocated)", r -> r.disk().allocatedBytes(), v -> bytes((long)v));
        numberRow(table, "disk after the run (apparent size)", r -> r.disk().apparentBytes(), v -> bytes((long)v));
        textRow(table, "machine load, 1-min average: writer start / kill", r -> r.writer().get("machine").get("loadAtWriteStart") + " / " +
            r.writer().get("machine").get("loadAtKill"));
        textRow(table, "other processes' cores busy during recovery (median)", r -> String.format(Locale.ROOT, "%.2f",
            r.recoveries().stream().mapToDouble(x -> Double.parseDouble(x.getOrDefault("otherCores", "-1"))).sorted()
                .skip((r.recoveries().size() - 1) / 2).findFirst().orElse(-1)));
        textRow(table, "recovered state verified", r -> r.ok() ? "ok x" + r.verdicts().size() : "FAILED");
        return table;
    }

    /**
     * @return CPU time per put of each measured phase, a row per system and phase, a column per thread role: what a put
     *     costs the machine, wherever its work runs (the caller, the journal, applier and sync threads, the JVM, RocksDB's
     *     native threads).
     */
    TextTable cpuTable()
    {
        final List<String> header = new ArrayList<>(List.of("phase", "system"));
        for (final String role : ThreadCpu.ROLES)
        {
            header.add(ThreadCpu.label(role) + (role.equals(ThreadCpu.TOTAL) ? ", us/put" : ""));
        }
        header.add("total less JIT");
        final TextTable table = new TextTable(header.toArray(new String[0]));
        final List<String> phases = new ArrayList<>();
        for (final PeerRun.Result r : results)
        {
            r.writer().keySet().stream().filter(tag -> tag.startsWith(PhaseCpu.TAG) && !phases.contains(tag)).forEach(phases::add);
        }
        for (final String tag : phases)
        {
            for (final PeerRun.Result r : results)
            {
                final var record = r.writer().get(tag);
                if (record == null)
                {
                    continue;
                }
                final long puts = Math.max(1, Samples.get(record, "puts"));
                final List<String> cells = new ArrayList<>(List.of(phaseLabel(r, record.get("phase")), r.system().title()));
                for (final String role : ThreadCpu.ROLES)
                {
                    cells.add(perPut(Samples.get(record, role + "Ns"), puts));
                }
                cells.add(perPut(Samples.get(record, PhaseCpu.TOTAL_LESS_JIT + "Ns"), puts));
                table.row(cells.toArray(new String[0]));
            }
        }
        return table;
    }

    private static String perPut(final long ns, final long puts)
    {
        return ns < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", ns / 1e3 / puts);
    }

    private static String phaseLabel(final PeerRun.Result r, final String phase)
    {
        if (phase.startsWith("rate-"))
        {
            return String.format(Locale.ROOT, "%,d puts/s", Long.parseLong(phase.substring("rate-".length())));
        }
        return phase.equals("latency") ? String.format(Locale.ROOT, "%,d puts/s (latency phase)", r.phases().rate()) : phase;
    }

    private String tailLabel()
    {
        return bytes(options.tailValueLength) + " puts";
    }

    private void latencyRow(final TextTable table, final String name, final String key)
    {
        numberRow(table, name + ", us", r -> r.writerValue("latency", key) / 1e3, PeersReport::micros);
    }

    private void textRow(final TextTable table, final String name, final java.util.function.Function<PeerRun.Result, String> cell)
    {
        final List<String> cells = new ArrayList<>(List.of(name));
        results.forEach(r -> cells.add(cell.apply(r)));
        table.row(cells.toArray(new String[0]));
    }

    private void numberRow(final TextTable table, final String name, final ToDoubleFunction<PeerRun.Result> value,
        final java.util.function.DoubleFunction<String> format)
    {
        final double engram = results.stream().filter(r -> r.system() == PeerSystem.ENGRAM).mapToDouble(value).findFirst().orElse(Double.NaN);
        final List<String> cells = new ArrayList<>(List.of(name));
        for (final PeerRun.Result r : results)
        {
            final double v = value.applyAsDouble(r);
            if (Double.isNaN(v))
            {
                cells.add("-");
                continue;
            }
            final String text = format.apply(v);
            cells.add(r.system() == PeerSystem.ENGRAM || Double.isNaN(engram) || engram <= 0 ? text : text + " (" + ratio(v / engram) + ")");
        }
        table.row(cells.toArray(new String[0]));
    }

    static String ratio(final double ratio)
    {
        if (ratio <= 0 || Double.isNaN(ratio) || Double.isInfinite(ratio))
        {
            return "-";
        }
        return ratio >= 10 ? String.format(Locale.ROOT, "%,.0fx", ratio) : ratio >= 0.1 ? String.format(Locale.ROOT, "%.1fx", ratio) :
            String.format(Locale.ROOT, "1/%,.0fx", 1 / ratio);
    }

    static String micros(final double us)
    {
        return us < 10 ? String.format(Locale.ROOT, "%.2f", us) : String.format(Locale.ROOT, "%,.0f", us);
    }

    static String count(final double n)
    {
        return String.format(Locale.ROOT, "%,.0f", n);
    }

    static String bytes(final long bytes)
    {
        if (bytes < 0)
        {
            return "?";
        }
        if (bytes < 1024)
        {
            return bytes + " B";
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1)
        {
            v /= 1024;
            u++;
        }
        return (v < 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v)) + " " + units[u];
    }

    /** @return what each system did and what the recoveries found, one line each. */
    List<String> details()
    {
        final List<String> lines = new ArrayList<>(options.describe());
        lines.addAll(likeForLike());
        for (final PeerRun.Result r : results)
        {
            final PeersOptions.Phases p = r.phases();
            lines.add(String.format("%s: fixed rate %,d puts/s, %,d puts (%.1f s warm-up), %,d recorded, longest single put call %s us; " +
                    "flat out %,d puts; %s", r.system().title(), p.rate(), p.latencyPuts(), p.warmupNs() / 1e9,
                r.writerValue("latency", "measured"), micros(r.writerValue("latency", "maxServiceNs") / 1e3), p.flatOutPuts(),
                systemDetail(r)));
            lines.add(String.format("%s recoveries (min / median / max): JVM start -> ready %s ms, open() -> ready %s ms, read all %s ms; %s",
                r.system().title(), r.fromJvmStartMs().msAsMs(), r.recovery("openNs").nsAsMs(), r.recovery("readNs").nsAsMs(),
                r.verdicts().get(r.verdicts().size() - 1).message()));
            for (final var verdict : r.verdicts())
            {
                if (!verdict.ok())
                {
                    lines.add("FAILED: " + verdict.message());
                }
            }
        }
        return lines;
    }

    private String systemDetail(final PeerRun.Result r)
    {
        final var w = r.writer().get("tail-written");
        return switch (r.system())
        {
            case ENGRAM, ENGRAM_WRITTEN, ENGRAM_SYNCED -> String.format("ring full %,d times in the fixed-rate phase; checkpoint after the load " +
                    "%,d ms; journal %s written%s", r.writerValue("latency", "queueFull"), r.writerValue("loaded", "persistMs"),
                bytes(Long.parseLong(w.get("journalBytes"))), unsyncedRest(r));
            case ROCKSDB, ROCKSDB_SYNC -> String.format("flush after the load %,d ms; at the crash %s in SST files, %s in the memtable " +
                    "(only in the WAL)%s", r.writerValue("loaded", "persistMs"), bytes(Long.parseLong(w.get("liveSstBytes"))),
                bytes(Long.parseLong(w.get("memtableBytes"))), unsyncedRest(r));
            case ZSTD_SNAPSHOT -> String.format("%s saves every %,d ms after the previous one: median %s ms, max %s ms, longest copy pause " +
                    "(writers blocked) %s ms; last published save held version %,d of %,d (%,d keys); file %s", w.get("saves"),
                options.snapshotEveryMs, ms(Long.parseLong(w.get("saveMedianNs"))), ms(Long.parseLong(w.get("saveMaxNs"))),
                ms(Long.parseLong(w.get("maxCopyPauseNs"))), Long.parseLong(w.get("savedVersion")), Long.parseLong(w.get("acked")),
                Long.parseLong(w.get("savedKeys")), bytes(Long.parseLong(w.get("snapshotFileBytes")))) + fullSnapshot(r);
        };
    }

    /** @return ratios of a peer to the Engram variant that acknowledges the same thing, where both ran. */
    private List<String> likeForLike()
    {
        final List<String> lines = new ArrayList<>();
        likeForLike(lines, PeerSystem.ROCKSDB, PeerSystem.ENGRAM_WRITTEN, "written to the OS (survives the process dying)");
        likeForLike(lines, PeerSystem.ROCKSDB_SYNC, PeerSystem.ENGRAM_SYNCED, "forced to disk (survives the machine dying)");
        return lines;
    }

    private void likeForLike(final List<String> lines, final PeerSystem peer, final PeerSystem engram, final String what)
    {
        final PeerRun.Result p = result(peer);
        final PeerRun.Result e = result(engram);
        if (p == null || e == null)
        {
            return;
        }
        final StringBuilder sb = new StringBuilder(String.format("like for like, acknowledged = %s: %s / %s:", what, peer.title(),
            engram.title()));
        for (final String[] key : new String[][] {{"p50", "p50Ns"}, {"p99", "p99Ns"}, {"p99.9", "p999Ns"}, {"p99.99", "p9999Ns"},
            {"max", "maxNs"}})
        {
            sb.append(' ').append(key[0]).append(' ').append(ratio((double)p.writerValue("latency", key[1]) /
                Math.max(1, e.writerValue("latency", key[1])))).append(',');
        }
        final double pRate = p.writerValue("throughput", "puts") * 1e9 / Math.max(1, p.writerValue("throughput", "ns"));
        final double eRate = e.writerValue("throughput", "puts") * 1e9 / Math.max(1, e.writerValue("throughput", "ns"));
        sb.append(" flat-out puts/s ").append(eRate > 0 ? ratio(pRate / eRate) : "-");
        lines.add(sb.toString());
    }

    private PeerRun.Result result(final PeerSystem system)
    {
        return results.stream().filter(r -> r.system() == system).findFirst().orElse(null);
    }

    private static String fullSnapshot(final PeerRun.Result r)
    {
        if (r.fullSnapshot() == null)
        {
            return "";
        }
        final var saved = r.fullSnapshot().saved();
        return String.format("; separately, the final state (%,d keys) saved whole in %s ms to a %s file, loaded in fresh JVMs in %s ms " +
            "(min / median / max), verified", Samples.get(saved, "keys"), ms(Samples.get(saved, "saveNs")), bytes(Samples.get(saved, "fileBytes")),
            r.fullSnapshot().openNs().nsAsMs());
    }

    private String unsyncedRest(final PeerRun.Result r)
    {
        return r.system().syncs() ? String.format("; the other %,d tail puts written without waiting for a sync",
            options.tail - r.phases().latencyPuts() - r.phases().flatOutPuts()) : "";
    }

    private static String ms(final long ns)
    {
        return ns < 0 ? "-" : String.format(Locale.ROOT, "%,.0f", ns / 1e6);
    }

    String toConsole()
    {
        final StringBuilder sb = new StringBuilder(table().toConsole()).append('\n');
        sb.append(CPU_CAPTION).append('\n').append(cpuTable().toConsole()).append('\n');
        details().forEach(line -> sb.append("  ").append(line).append('\n'));
        return sb.toString();
    }

    String toMarkdown(final String machine)
    {
        final StringBuilder sb = new StringBuilder("## Peers side by side\n\nCommand: `").append(options.commandLine).append("`  \n")
            .append(machine).append('\n').append(table().toMarkdown()).append('\n')
            .append(CPU_CAPTION).append("\n\n").append(cpuTable().toMarkdown()).append('\n');
        details().forEach(line -> sb.append("- ").append(line).append('\n'));
        return sb.toString();
    }
}
