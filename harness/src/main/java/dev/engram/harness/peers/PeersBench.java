package dev.engram.harness.peers;

import dev.engram.harness.recovery.EngramChild;
import dev.engram.harness.recovery.MeasureGate;
import dev.engram.harness.recovery.RecoveryBench;
import dev.engram.harness.recovery.StateWorkload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code ./engram bench peers}: one workload, in one run, against Engram, RocksDB (WAL, sync off and on) and
 * a naive "serialise everything with zstd and fsync" baseline, each in its own child JVMs: write latency at a
 * fixed rate, flat-out throughput, {@code kill -9}, recovery in fresh JVMs with every key read back and the
 * state checked against the workload's reference model, disk bytes; one table with ratios to Engram.
 * Exit status 1 if any recovered state fails its check. See docs/benchmarks.md ("Peers side by side").
 */
public final class PeersBench
{
    /** What a run produced. */
    record Outcome(PeersReport report, String console, Path markdown)
    {
    }

    private PeersBench()
    {
    }

    public static void run(final String[] args) throws Exception
    {
        final PeersOptions options;
        try
        {
            options = PeersOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        final Outcome outcome = run(options, (system, record) -> record);
        System.exit(outcome.report().ok() ? 0 : 1);
    }

    /** Runs the bench; every system's data directory is deleted after its run unless {@code --keep}, child logs are kept. */
    static Outcome run(final PeersOptions options, final PeerRun.RecordFilter filter) throws IOException, InterruptedException
    {
        final String stamp = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        final Path root = Files.createDirectories(options.dir != null ? options.dir : Path.of("/tmp", "peers-" + stamp));
        final Path runDir = Files.createDirectories(root.resolve("run-" + stamp));
        final Path logDir = runDir.resolve("logs");
        final Path markdown = options.report != null ? options.report : Path.of("engram-report-peers", "peers-" + stamp + ".md");
        final String loadAtStart = loadAverage();
        final StringBuilder machine = new StringBuilder(RecoveryBench.machine(root, options.childJvm));
        System.out.println(options.commandLine);
        System.out.print(machine);
        System.out.println("load average at start: " + loadAtStart);
        System.out.println("data and child logs: " + runDir);
        checkDisk(root, options);

        final StateWorkload workload = new StateWorkload(options.seed, options.keyCount(), options.valueLength, options.tail,
            options.tailValueLength);
        progress("reference model: %,d keys + %,d tail puts", workload.keyCount(), workload.tailCount());
        final ExpectedStates expected = new ExpectedStates(workload);
        MeasureGate.configure(Double.MAX_VALUE, 0, true);
        final List<PeerRun.Result> results = new ArrayList<>();
        for (final PeerSystem system : options.systems)
        {
            progress("%s: write in a child JVM, kill -9, %d recoveries in fresh JVMs", system.title(), options.reps);
            final PeerRun.Result result = PeerRun.run(system, options, workload, expected, runDir, logDir, filter);
            results.add(result);
            final Map<String, String> latency = result.writer().get("latency");
            progress("%s: p50 %s us, p99 %s us, p99.99 %s us; ready %s ms from JVM start; %s", system.title(),
                PeersReport.micros(Long.parseLong(latency.get("p50Ns")) / 1e3), PeersReport.micros(Long.parseLong(latency.get("p99Ns")) / 1e3),
                PeersReport.micros(Long.parseLong(latency.get("p9999Ns")) / 1e3), result.fromJvmStartMs().median(),
                result.verdicts().get(result.verdicts().size() - 1).message());
            if (!options.keep)
            {
                EngramChild.deleteTree(runDir.resolve(system.label()));
            }
        }
        final String loadAtEnd = loadAverage();
        machine.append("Load average (1/5/15 min): ").append(loadAtStart).append(" at start, ").append(loadAtEnd).append(" at the end  \n");
        final PeersReport report = new PeersReport(options, results);
        final String console = report.toConsole();
        System.out.println();
        System.out.print(console);
        System.out.println("load average at end: " + loadAtEnd);
        if (markdown.getParent() != null)
        {
            Files.createDirectories(markdown.getParent());
        }
        Files.writeString(markdown, report.toMarkdown(machine.toString()));
        System.out.println("\nmarkdown: " + markdown.toAbsolutePath());
        System.out.println(report.ok() ? "all recovered states verified" : "VERIFICATION FAILED (see FAILED lines)");
        // the data of each system is deleted after its run unless --keep; the children's logs (small) stay
        System.out.println("child logs: " + logDir);
        return new Outcome(report, console, markdown);
    }

    /** Engram's journal (state + tail) and checkpoint, RocksDB twice over, the snapshot: about 5 x the state, plus 1 GiB. */
    private static void checkDisk(final Path root, final PeersOptions options) throws IOException
    {
        final long needed = 5 * options.stateBytes + (1L << 30);
        final long usable = Files.getFileStore(root).getUsableSpace();
        if (usable < needed)
        {
            throw new IllegalStateException(String.format("not enough disk under %s: ~%s needed, %s free; use a smaller --state or " +
                "another --dir", root, PeersReport.bytes(needed), PeersReport.bytes(usable)));
        }
    }

    static String loadAverage()
    {
        try
        {
            final Path file = Path.of("/proc/loadavg");
            if (!Files.isReadable(file))
            {
                return "?";
            }
            final String[] f = Files.readString(file).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        }
        catch (final IOException ex)
        {
            return "?";
        }
    }

    private static void progress(final String format, final Object... args)
    {
        System.out.printf("[%s] %s%n", ZonedDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), String.format(format, args));
    }
}
