package dev.engram.harness.recovery;

import dev.engram.journal.EngramSystemProperties;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code ./engram bench recovery}: how fast a crashed state is back, Engram against a naive zstd snapshot
 * and RocksDB, for each state size; plus whether building a checkpoint disturbs producers.
 * <p>
 * Every writer runs in a child JVM that is killed with SIGKILL once its tail is written (the snapshot
 * writer, which has no tail, exits); every reader runs in a fresh child JVM, repeated, and reads every key
 * once, checking the count and a checksum of all values against the workload's own checksum. A failed
 * check stops the bench and keeps the data and the children's logs. See docs/benchmarks.md ("Recovery").
 */
public final class RecoveryBench
{
    private RecoveryBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        EngramSystemProperties.apply();
        run(args);
    }

    public static void run(final String[] args) throws Exception
    {
        final RecoveryBenchOptions options;
        try
        {
            options = RecoveryBenchOptions.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }
        final String stamp = ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        final Path root = options.dir != null ? Files.createDirectories(options.dir) : Files.createTempDirectory("engram-recovery-bench");
        final Path runDir = Files.createDirectories(root.resolve("run-" + stamp));
        final Path logDir = runDir.resolve("logs");
        final Path reportFile = options.report != null ? options.report :
            Path.of("engram-report-recovery", "recovery-" + stamp + ".md");
        final String machine = machine(root, options.childJvm);
        System.out.println(options.commandLine);
        System.out.println(machine);
        System.out.println("data and child logs: " + runDir);

        MeasureGate.configure(options.quietCores, options.quietWaitSeconds, true);
        final RecoveryBenchReport report = new RecoveryBenchReport(options);
        for (final long size : options.sizes)
        {
            final StateWorkload workload = options.workload(size);
            final String label = RecoveryBenchOptions.sizeLabel(size).replace(" ", "").toLowerCase();
            checkDisk(root, size, options);
            progress("%s: computing the expected checksum of %,d keys + %,d tail deltas", label, workload.keyCount(),
                workload.tailCount());
            final long expectedChecksum = workload.expectedChecksum();
            if (options.parts.contains("engram"))
            {
                final Path dir = runDir.resolve("engram-" + label);
                progress("%s: Engram: build in a child JVM, kill -9, %d recoveries in fresh JVMs (+ mx, warm and profile " +
                    "diagnostics%s)", label, options.reps, options.variantsSize == size ? ", cold-start variants" : "");
                final boolean variants = options.variantsSize == size;
                final EngramRun.Result result = EngramRun.run(workload, expectedChecksum, dir, logDir, label, options.childJvm,
                    options.reps, true, variants);
                report.engram(size, result);
                progress("%s: Engram open() %s ms, from JVM start %s ms, read all %s ms", label, result.openNs().nsAsMs(),
                    result.fromJvmStartMs().msAsMs(), result.readNs().nsAsMs());
                deleteUnlessKept(dir, options);
            }
            if (options.parts.contains("snapshot"))
            {
                final Path file = runDir.resolve("snapshot-" + label + ".zst");
                progress("%s: zstd snapshot: save in a child JVM, %d loads in fresh JVMs", label, options.peerReps);
                final PeerRuns.Result result = PeerRuns.snapshot(workload, expectedChecksum, file, logDir, label, options.childJvm,
                    options.peerReps);
                report.snapshot(size, result);
                progress("%s: snapshot load %s ms, read all %s ms", label, result.openNs().nsAsMs(), result.readNs().nsAsMs());
                deleteUnlessKept(file, options);
            }
            if (options.parts.contains("rocksdb"))
            {
                final Path dir = runDir.resolve("rocksdb-" + label);
                progress("%s: RocksDB: build in a child JVM, kill -9, %d opens in fresh JVMs", label, options.peerReps);
                final PeerRuns.Result result = PeerRuns.rocksdb(workload, expectedChecksum, dir, logDir, label, options.childJvm,
                    options.peerReps);
                report.rocksdb(size, result);
                progress("%s: RocksDB open %s ms, read all %s ms", label, result.openNs().nsAsMs(), result.readNs().nsAsMs());
                deleteUnlessKept(dir, options);
            }
        }
        if (options.parts.contains("impact"))
        {
            final Path dir = runDir.resolve("impact");
            final int keys = (int)(options.impactSize / options.valueLength);
            progress("checkpoint impact: %s state, %,d deltas/s, %d s warm-up, %d s quiet, %d s checkpointing",
                RecoveryBenchOptions.sizeLabel(options.impactSize), options.impactRate, options.impactWarmUpSeconds,
                options.impactSeconds, options.impactSeconds);
            MeasureGate.beforeMeasuredRun("impact", List.of());
            final List<Map<String, String>> records = ChildProcess.runToRecords("impact", logDir, CheckpointImpactChild.class,
                options.childJvm, List.of(dir.toString(), Integer.toString(keys), Integer.toString(options.valueLength),
                    Integer.toString(options.tailValueLength), Integer.toString(options.impactRate),
                    Integer.toString(options.impactWarmUpSeconds), Integer.toString(options.impactSeconds),
                    Long.toString(options.seed)), "impact");
            report.impact(ImpactResult.of(options.impactSize, records, options.impactRate, options.impactSeconds));
            deleteUnlessKept(dir, options);
        }

        System.out.print(report.toConsole());
        if (reportFile.getParent() != null)
        {
            Files.createDirectories(reportFile.getParent());
        }
        Files.writeString(reportFile, report.toMarkdown(machine));
        System.out.println("\nmarkdown: " + reportFile.toAbsolutePath());
        if (!options.keep)
        {
            EngramChild.deleteTree(runDir);
            if (options.dir == null)
            {
                Files.deleteIfExists(root);
            }
        }
    }

    private static void progress(final String format, final Object... args)
    {
        System.out.printf("[%s] %s%n", ZonedDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), String.format(format, args));
    }

    private static void deleteUnlessKept(final Path path, final RecoveryBenchOptions options) throws IOException
    {
        if (!options.keep)
        {
            EngramChild.deleteTree(path);
        }
    }

    /**
     * The largest single part at a size: Engram's journal (state + tail) and checkpoint, about 2.3 x the state.
     */
    private static void checkDisk(final Path root, final long size, final RecoveryBenchOptions options) throws IOException
    {
        final long needed = (long)(2.5 * size) + (1L << 30);
        final long usable = Files.getFileStore(root).getUsableSpace();
        if (usable < needed)
        {
            throw new IllegalStateException(String.format("not enough disk under %s for a %s state: ~%s needed, %s free; " +
                    "use smaller --sizes or another --dir", root, RecoveryBenchOptions.sizeLabel(size),
                RecoveryBenchReport.bytes(needed), RecoveryBenchReport.bytes(usable)));
        }
    }

    public static String machine(final Path root, final List<String> childJvm) throws IOException
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("Date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append("  \n");
        sb.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs");
        final Path cpuinfo = Path.of("/proc/cpuinfo");
        if (Files.isReadable(cpuinfo))
        {
            try (Stream<String> lines = Files.lines(cpuinfo))
            {
                lines.filter(l -> l.startsWith("model name")).findFirst()
                    .ifPresent(l -> sb.append(" (").append(l.substring(l.indexOf(':') + 1).trim()).append(')'));
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)
        {
            sb.append(", ").append(RecoveryBenchReport.bytes(os.getTotalMemorySize())).append(" RAM (")
                .append(RecoveryBenchReport.bytes(os.getFreeMemorySize())).append(" free at start)");
        }
        sb.append(", ").append(RecoveryBenchReport.bytes(Files.getFileStore(root).getUsableSpace())).append(" disk free under ")
            .append(root).append("  \n");
        sb.append("OS: ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
            .append("; Java: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"))
            .append("  \n");
        sb.append("Child JVMs: the build's --add-opens/--add-exports flags + `").append(String.join(" ", childJvm))
            .append("` (snapshot JVMs: -Xmx raised to hold the state on the heap)\n");
        return sb.toString();
    }
}
