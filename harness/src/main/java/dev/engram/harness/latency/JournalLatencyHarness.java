package dev.engram.harness.latency;

import dev.engram.bench.AppendPayload;
import dev.engram.harness.CommandLineValues;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.journal.JournalContext;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import net.openhft.chronicle.core.io.BackgroundResourceReleaser;

/**
 * {@code ./engram bench journal}: caller latency of {@code Journal.append} at a fixed rate next to raw
 * Chronicle appends of the same bytes from the caller's thread, then sustained journaled throughput next
 * to raw Chronicle flat out. Every run checks itself (all versions written and replayed, histogram count
 * equal to appends sent) and the targets are printed as met or missed; only a failed self-check fails.
 */
public final class JournalLatencyHarness
{
    /** Target: caller p99.99 of Engram at 500 k/s from one producer, in microseconds. */
    static final double TARGET_P9999_US = 5.0;
    /** Target: sustained journaled deltas per second. */
    static final double TARGET_SUSTAINED_RATE = 2_000_000;
    /** The rate the latency targets are defined at. */
    static final long TARGET_RATE = 500_000;

    private JournalLatencyHarness()
    {
    }

    /**
     * What to run.
     *
     * @param rate             total appends per second of the fixed-rate runs.
     * @param warmupSeconds    sent, not recorded, before each measured window.
     * @param seconds          measured window of each fixed-rate run.
     * @param producerCounts   producer thread counts to run (the total rate is split among them).
     * @param throughputDeltas appends per flat-out run; 0 skips the throughput runs.
     * @param ringSlotCount    the journal's ring slots; 0 keeps the journal's default.
     * @param frameLength      bytes of each appended frame (Engram's encoded delta, raw Chronicle's excerpt).
     * @param ringArenaLength  the journal's ring arena for frames over a slot; -1 keeps the default, 0 = none.
     * @param baseDirectory    where the fresh queue directories go; null: a new temporary directory.
     * @param keepFiles        keep the queue directories instead of deleting each after its run.
     */
    public record Settings(
        long rate,
        double warmupSeconds,
        double seconds,
        int[] producerCounts,
        long throughputDeltas,
        int ringSlotCount,
        int frameLength,
        int ringArenaLength,
        Path baseDirectory,
        boolean keepFiles)
    {
        /** @return the defaults of {@code ./engram bench journal}. */
        public static Settings defaults()
        {
            return new Settings(500_000, 3, 10, new int[]{1, 2}, 10_000_000, 0, AppendPayload.FRAME_LENGTH, -1, null, false);
        }

        /**
         * @param args {@code --rate R --seconds S --warmup W --producers P --throughput-deltas N --ring-slots N
         *             --frame B --ring-arena B --dir D --keep}.
         * @return the settings.
         */
        public static Settings parse(final String[] args)
        {
            final Settings d = defaults();
            long rate = d.rate;
            double warmup = d.warmupSeconds;
            double seconds = d.seconds;
            int[] producers = d.producerCounts;
            long throughputDeltas = d.throughputDeltas;
            int ringSlots = d.ringSlotCount;
            int frame = d.frameLength;
            int arena = d.ringArenaLength;
            Path dir = d.baseDirectory;
            boolean keep = d.keepFiles;
            for (int i = 0; i < args.length; i++)
            {
                final String arg = args[i];
                switch (arg)
                {
                    case "--rate" -> rate = CommandLineValues.count(arg, CommandLineValues.value(args, ++i, arg));
                    case "--seconds" -> seconds = Double.parseDouble(CommandLineValues.value(args, ++i, arg));
                    case "--warmup" -> warmup = Double.parseDouble(CommandLineValues.value(args, ++i, arg));
                    case "--producers" -> producers = new int[]{Integer.parseInt(CommandLineValues.value(args, ++i, arg))};
                    case "--throughput-deltas" -> throughputDeltas = CommandLineValues.count(arg, CommandLineValues.value(args, ++i, arg));
                    case "--ring-slots" -> ringSlots = (int)CommandLineValues.count(arg, CommandLineValues.value(args, ++i, arg));
                    case "--frame" -> frame = (int)CommandLineValues.bytes(arg, CommandLineValues.value(args, ++i, arg));
                    case "--ring-arena" -> arena = (int)CommandLineValues.bytes(arg, CommandLineValues.value(args, ++i, arg));
                    case "--dir" -> dir = Path.of(CommandLineValues.value(args, ++i, arg));
                    case "--keep" -> keep = true;
                    default -> throw new IllegalArgumentException("unknown option: " + arg + " (see ./engram help)");
                }
            }
            return new Settings(rate, warmup, seconds, producers, throughputDeltas, ringSlots, frame, arena, dir, keep).validate();
        }

        Settings validate()
        {
            if (rate < 1 || seconds <= 0 || warmupSeconds < 0 || throughputDeltas < 0 || ringSlotCount < 0 || ringArenaLength < -1)
            {
                throw new IllegalArgumentException("bad settings: " + this);
            }
            if (frameLength < AppendPayload.minFrameLength() || frameLength > JournalContext.MAX_DELTA_LENGTH_DEFAULT)
            {
                throw new IllegalArgumentException("--frame must be " + AppendPayload.minFrameLength() + ".." +
                    JournalContext.MAX_DELTA_LENGTH_DEFAULT + " bytes: frame=" + frameLength);
            }
            for (final int p : producerCounts)
            {
                if (p < 1)
                {
                    throw new IllegalArgumentException("producers must be >= 1: producers=" + p);
                }
            }
            return this;
        }

        @Override
        public String toString()
        {
            return String.format(Locale.ROOT, "rate=%,d/s warmup=%.2fs seconds=%.2fs producers=%s throughputDeltas=%,d ringSlots=%s " +
                    "frame=%,d B ringArena=%s",
                rate, warmupSeconds, seconds, Arrays.toString(producerCounts), throughputDeltas,
                ringSlotCount == 0 ? "default" : Integer.toString(ringSlotCount), frameLength,
                ringArenaLength < 0 ? "default" : ringArenaLength == 0 ? "none" : String.format(Locale.ROOT, "%,d B", ringArenaLength));
        }

    }

    /**
     * A target and whether this run met it.
     *
     * @param target   what was asked.
     * @param measured what was measured.
     * @param met      true if met.
     */
    public record TargetVerdict(String target, String measured, boolean met)
    {
    }

    /**
     * Everything a run measured.
     *
     * @param latency    fixed-rate runs.
     * @param throughput flat-out runs.
     * @param targets    target verdicts.
     */
    public record Report(List<LatencyResult> latency, List<ThroughputResult> throughput, List<TargetVerdict> targets)
    {
        /**
         * @return true if every run's self-check passed.
         */
        public boolean selfChecksPassed()
        {
            return latency.stream().allMatch(LatencyResult::passed) &&
                throughput.stream().allMatch(r -> r.check().passed());
        }
    }

    /** The paths each run compares, in the order they run; the no-op control runs at fixed rate only. */
    private enum AppendPath
    {
        NO_OP(NoOpAppendTarget.NAME, false),
        ENGRAM(EngramAppendTarget.NAME, true),
        RAW_WRITE_BYTES(ChronicleAppendTarget.Api.WRITE_BYTES.targetName(), true),
        RAW_WRITING_DOCUMENT(ChronicleAppendTarget.Api.WRITING_DOCUMENT.targetName(), true);

        final String targetName;
        final boolean flatOut;

        AppendPath(final String targetName, final boolean flatOut)
        {
            this.targetName = targetName;
            this.flatOut = flatOut;
        }
    }

    /**
     * Command-line entry ({@code ./engram bench journal ...}); exits 1 if a self-check failed.
     */
    public static void main(final String[] args) throws Exception
    {
        EngramSystemProperties.apply();
        final Settings settings;
        try
        {
            settings = Settings.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("engram bench journal: " + ex.getMessage());
            System.exit(2);
            return;
        }
        final Report report = run(settings, System.out);
        if (!report.selfChecksPassed())
        {
            System.exit(1);
        }
    }

    /**
     * Run everything the settings ask for, printing as it goes and a summary at the end.
     *
     * @param settings what to run.
     * @param out      where to print.
     * @return the measurements.
     */
    public static Report run(final Settings settings, final PrintStream out) throws IOException, InterruptedException
    {
        EngramSystemProperties.apply();
        settings.validate();
        final Path base = settings.baseDirectory() != null ?
            Files.createDirectories(settings.baseDirectory()) : Files.createTempDirectory("engram-bench-journal");
        out.printf(Locale.ROOT, "engram bench journal: %s%n  %s, %d CPUs, Java %s (%s), directory %s, load average %s%n",
            settings, ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"),
            System.getProperty("java.vm.name"), base, ThreadStats.loadAverage());

        final long warmupNs = (long)(settings.warmupSeconds() * 1e9);
        final long measureNs = (long)(settings.seconds() * 1e9);
        final List<LatencyResult> latency = new ArrayList<>();
        for (final int producers : settings.producerCounts())
        {
            for (final AppendPath path : AppendPath.values())
            {
                final Path dir = base.resolve("latency-" + producers + "p-" + path.name().toLowerCase(Locale.ROOT));
                final LatencyResult result;
                try (AppendTarget target = open(path, dir, settings))
                {
                    result = FixedRateRun.run(target, producers, settings.rate(), warmupNs, measureNs);
                }
                finally
                {
                    cleanUp(dir, settings);
                }
                latency.add(result);
                out.printf(Locale.ROOT, "  fixed rate %,d/s, %d producer(s), %-30s p99=%.2f µs p99.99=%.2f µs max=%.1f µs  %s  (load %s)%n",
                    settings.rate(), producers, result.target(), result.latencyUs(99), result.latencyUs(99.99),
                    result.latencyNs().getMaxValue() / 1000.0, result.passed() ? "self-check OK" : "SELF-CHECK FAILED",
                    ThreadStats.loadAverage());
            }
        }
        final List<ThroughputResult> throughput = new ArrayList<>();
        if (settings.throughputDeltas() > 0)
        {
            // an untimed pass of each path first, so no timed run is the first to fault in fresh memory (page
            // cache, ring) or to run a code path cold; the first of a series otherwise looks slower
            for (final AppendPath path : AppendPath.values())
            {
                if (!path.flatOut)
                {
                    continue;
                }
                final Path dir = base.resolve("throughput-warmup-" + path.name().toLowerCase(Locale.ROOT));
                try (AppendTarget target = open(path, dir, settings))
                {
                    final ThroughputResult warmup = FlatOutRun.run(target, 1, Math.max(1, settings.throughputDeltas() / 4));
                    if (!warmup.check().passed())
                    {
                        throw new IllegalStateException("warm-up pass failed its self-check: " + warmup.check().detail());
                    }
                }
                finally
                {
                    cleanUp(dir, settings);
                }
            }
            for (final int producers : settings.producerCounts())
            {
                for (final AppendPath path : AppendPath.values())
                {
                    if (!path.flatOut)
                    {
                        continue;
                    }
                    final Path dir = base.resolve("throughput-" + producers + "p-" + path.name().toLowerCase(Locale.ROOT));
                    final ThroughputResult result;
                    try (AppendTarget target = open(path, dir, settings))
                    {
                        result = FlatOutRun.run(target, producers, settings.throughputDeltas());
                    }
                    finally
                    {
                        cleanUp(dir, settings);
                    }
                    throughput.add(result);
                    out.printf(Locale.ROOT, "  flat out, %d producer(s), %-30s written %,.0f/s  %s  (load %s)%n", producers,
                        result.target(), result.writtenRate(), result.check().passed() ? "self-check OK" : "SELF-CHECK FAILED",
                        ThreadStats.loadAverage());
                }
            }
        }
        if (settings.baseDirectory() == null && !settings.keepFiles())
        {
            Files.deleteIfExists(base);
        }
        final Report report = new Report(latency, throughput, verdicts(settings, latency, throughput));
        print(settings, report, out);
        out.printf("load average at the end: %s (other work on the machine shows here and in the tail percentiles)%n",
            ThreadStats.loadAverage());
        return report;
    }

    private static AppendTarget open(final AppendPath path, final Path dir, final Settings settings) throws IOException
    {
        Files.createDirectories(dir);
        return switch (path)
        {
            case NO_OP -> new NoOpAppendTarget();
            case ENGRAM -> new EngramAppendTarget(dir, settings.ringSlotCount(), settings.frameLength(), settings.ringArenaLength());
            case RAW_WRITE_BYTES -> new ChronicleAppendTarget(dir, ChronicleAppendTarget.Api.WRITE_BYTES, settings.frameLength());
            case RAW_WRITING_DOCUMENT -> new ChronicleAppendTarget(dir, ChronicleAppendTarget.Api.WRITING_DOCUMENT, settings.frameLength());
        };
    }

    private static void cleanUp(final Path dir, final Settings settings) throws IOException
    {
        if (settings.keepFiles() || !Files.exists(dir))
        {
            return;
        }
        // Chronicle runs store-file listeners (the journal's chmod of a new cycle file) on its background
        // releaser thread, possibly after close: let them finish before the files go
        BackgroundResourceReleaser.releasePendingResources();
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p ->
            {
                try
                {
                    Files.delete(p);
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("cannot delete benchmark file " + p, ex);
                }
            });
        }
    }

    static List<TargetVerdict> verdicts(
        final Settings settings, final List<LatencyResult> latency, final List<ThroughputResult> throughput)
    {
        final List<TargetVerdict> verdicts = new ArrayList<>();
        final String at = settings.rate() == TARGET_RATE ? "" :
            String.format(Locale.ROOT, " (run at %,d/s; target defined at %,d/s)", settings.rate(), TARGET_RATE);
        final LatencyResult engram = find(latency, 1, AppendPath.ENGRAM);
        if (engram != null)
        {
            for (final AppendPath raw : List.of(AppendPath.RAW_WRITE_BYTES, AppendPath.RAW_WRITING_DOCUMENT))
            {
                final LatencyResult rawResult = find(latency, 1, raw);
                verdicts.add(new TargetVerdict("1 producer: Engram caller p99 <= " + rawResult.target() + " p99" + at,
                    String.format(Locale.ROOT, "%.2f µs vs %.2f µs", engram.latencyUs(99), rawResult.latencyUs(99)),
                    engram.latencyNs().getValueAtPercentile(99) <= rawResult.latencyNs().getValueAtPercentile(99)));
            }
            verdicts.add(new TargetVerdict("1 producer: Engram caller p99.99 <= " + TARGET_P9999_US + " µs" + at,
                String.format(Locale.ROOT, "%.2f µs", engram.latencyUs(99.99)), engram.latencyUs(99.99) <= TARGET_P9999_US));
            final LatencyResult floor = find(latency, 1, AppendPath.NO_OP);
            if (floor != null)
            {
                verdicts.add(new TargetVerdict("(context) 1 producer: no-op floor p99.99 <= " + TARGET_P9999_US +
                    " µs, i.e. can this machine show the target at all", String.format(Locale.ROOT, "%.2f µs", floor.latencyUs(99.99)),
                    floor.latencyUs(99.99) <= TARGET_P9999_US));
            }
        }
        for (final ThroughputResult result : throughput)
        {
            if (result.target().equals(EngramAppendTarget.NAME))
            {
                verdicts.add(new TargetVerdict(String.format(Locale.ROOT, "%d producer(s): sustained journaled >= %,.0f deltas/s",
                    result.producers(), TARGET_SUSTAINED_RATE), String.format(Locale.ROOT, "%,.0f/s", result.writtenRate()),
                    result.writtenRate() >= TARGET_SUSTAINED_RATE));
            }
        }
        return verdicts;
    }

    private static LatencyResult find(final List<LatencyResult> results, final int producers, final AppendPath path)
    {
        for (final LatencyResult result : results)
        {
            if (result.producers() == producers && result.target().equals(path.targetName))
            {
                return result;
            }
        }
        return null;
    }

    private static void print(final Settings settings, final Report report, final PrintStream out)
    {
        for (final int producers : settings.producerCounts())
        {
            out.printf(Locale.ROOT, "%n### Caller latency, %,d appends/s total from %d producer(s), %.0f s warm-up + %.0f s measured%n",
                settings.rate(), producers, settings.warmupSeconds(), settings.seconds());
            out.println("Latency from each append's intended send time (coordinated omission corrected), µs. ring peak: most");
            out.println("deltas waiting for the journal thread in the measured window (sampled every 10 ms); ring full: times a");
            out.println("producer found it full, measured window / whole run; preempted: involuntary context switches of the");
            out.println("producer threads (warm-up included); caller B/append: heap allocated by the producer threads.");
            out.println();
            out.println("| path | p50 | p90 | p99 | p99.9 | p99.99 | max | achieved/s | measured | caller B/append | ring peak | ring full | preempted | GCs |");
            out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (final LatencyResult r : report.latency())
            {
                if (r.producers() != producers)
                {
                    continue;
                }
                out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %,.0f | %,d | %s | %,d | %,d / %,d | %s | %d |%n",
                    r.target(), r.latencyUs(50), r.latencyUs(90), r.latencyUs(99), r.latencyUs(99.9), r.latencyUs(99.99),
                    r.latencyNs().getMaxValue() / 1000.0, r.achievedRate(), r.measuredAppends(),
                    r.callerAllocatedBytes() < 0 ? "n/a" :
                        String.format(Locale.ROOT, "%.3f", (double)r.callerAllocatedBytes() / Math.max(1, r.measuredAppends())),
                    r.ringPeak(), r.backPressureEvents(), r.backPressureTotal(), r.involuntarySwitches() < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", r.involuntarySwitches()),
                    r.gcCount());
            }
            out.println();
            out.println("Service time (call start to return, not corrected; shows what the call itself cost), µs:");
            out.println();
            out.println("| path | p50 | p99 | p99.9 | p99.99 | max |");
            out.println("|---|---|---|---|---|---|");
            for (final LatencyResult r : report.latency())
            {
                if (r.producers() == producers)
                {
                    out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.1f |%n", r.target(), r.serviceUs(50),
                        r.serviceUs(99), r.serviceUs(99.9), r.serviceUs(99.99), r.serviceNs().getMaxValue() / 1000.0);
                }
            }
        }
        if (!report.throughput().isEmpty())
        {
            out.printf(Locale.ROOT, "%n### Flat out: %,d appends per run, timed to the last one written " +
                "(after an untimed pass of each path)%n%n", settings.throughputDeltas());
            out.println("| path | producers | appended/s (producer side) | written/s (sustained) | ring full | " +
                "writing thread CPU ns/delta (user + kernel) |");
            out.println("|---|---|---|---|---|---|");
            for (final ThroughputResult r : report.throughput())
            {
                out.printf(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %,d | %s |%n", r.target(), r.producers(), r.appendRate(),
                    r.writtenRate(), r.backPressureEvents(), r.writeCpuNs() < 0 || r.writeUserNs() < 0 ? "n/a" :
                        String.format(Locale.ROOT, "%.0f (%.0f + %.0f)", (double)r.writeCpuNs() / r.appends(),
                            (double)r.writeUserNs() / r.appends(), (double)(r.writeCpuNs() - r.writeUserNs()) / r.appends()));
            }
            out.println();
            out.println("Writing thread: the journal thread for Engram, the producers for raw Chronicle. Kernel time there is");
            out.println("almost all page faults on the memory-mapped cycle file as it grows.");
        }
        out.printf("%n### Targets (informational: a miss does not fail the run)%n%n");
        out.println("| target | measured | result |");
        out.println("|---|---|---|");
        for (final TargetVerdict v : report.targets())
        {
            out.printf("| %s | %s | %s |%n", v.target(), v.measured(), v.met() ? "met" : "MISSED");
        }
        out.printf("%n### Self-checks%n%n");
        for (final LatencyResult r : report.latency())
        {
            out.printf(Locale.ROOT, "- fixed rate, %d producer(s), %s: %s (%s)%n", r.producers(), r.target(),
                r.passed() ? "OK" : "FAILED", r.check().detail());
        }
        for (final ThroughputResult r : report.throughput())
        {
            out.printf(Locale.ROOT, "- flat out, %d producer(s), %s: %s (%s)%n", r.producers(), r.target(),
                r.check().passed() ? "OK" : "FAILED", r.check().detail());
        }
        out.println(report.selfChecksPassed() ? "ALL SELF-CHECKS PASSED" : "SELF-CHECK FAILED");
    }
}
