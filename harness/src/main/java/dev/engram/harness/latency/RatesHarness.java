package dev.engram.harness.latency;

import dev.engram.bench.BenchFiles;
import dev.engram.bench.BenchState;
import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.recovery.CheckpointInfo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./engram bench rates}: caller latency of the engine's append ({@link Engram#append}) at several fixed
 * rates, coordinated-omission corrected ({@link FixedRateRun}), each rate measured three times in the same
 * JVM on the same schedule:
 * <ol>
 *   <li>{@code no-op floor}: an append that only counts: what this machine and harness can show at all;</li>
 *   <li>{@code quiet}: the engine, no checkpoint being built (its checkpoint triggers are off);</li>
 *   <li>{@code during checkpoint}: the engine while a {@link CheckpointLoop} builds checkpoints of the whole
 *       state back to back (full rewrites with the default {@code --max-chain-length 1}).</li>
 * </ol>
 * With {@code --rounds N} each rate runs the three N times in a row (load on a shared machine drifts; the
 * ratio of each round is printed). The state ({@code --state}, default 256 MiB of 1 KiB values) is built and checkpointed once, untimed; every
 * append is a 64-byte PATCH inside one of its values, so the state keeps its size. Prints p50/p99/p99.9/
 * p99.99/max per run and p99(during)/p99(quiet) against the 2x target. Self-checks: every histogram holds
 * exactly the measured appends, every append got the next version and was applied, no checkpoint completed
 * in a quiet run, and in every "during" run at least one build overlapped the measured window and the
 * engine's checkpoint count rose. Exits 1 only if a self-check fails; a missed target is printed.
 */
public final class RatesHarness
{
    static final String PREFIX = "user/";
    /** The engine's busy threads, whose CPU each run reports. */
    private static final String[] ENGINE_THREADS = {"engram-journal-writer", "engram-applier", "engram-journal-syncer"};

    private RatesHarness()
    {
    }

    /**
     * Everything a run measured.
     *
     * @param settings           what was run.
     * @param stateBytes         bytes of values in the state.
     * @param checkpointBytes    the first (full) checkpoint's file length.
     * @param firstCheckpointMs  time to build it.
     * @param rates              per rate.
     */
    record Report(RatesSettings settings, long stateBytes, long checkpointBytes, double firstCheckpointMs, List<RateResult> rates)
    {
        boolean selfChecksPassed()
        {
            return rates.stream().allMatch(RateResult::passed);
        }
    }

    /**
     * Command-line entry ({@code ./engram bench rates ...}); exits 2 on bad options, 1 if a self-check failed.
     */
    public static void main(final String[] args) throws Exception
    {
        EngramSystemProperties.apply();
        final RatesSettings settings;
        try
        {
            settings = RatesSettings.parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("engram bench rates: " + ex.getMessage());
            System.exit(2);
            return;
        }
        if (!run(settings, System.out).selfChecksPassed())
        {
            System.exit(1);
        }
    }

    /**
     * Build the state, run every rate, print as it goes and a summary at the end.
     */
    static Report run(final RatesSettings settings, final PrintStream out) throws Exception
    {
        EngramSystemProperties.apply();
        settings.validate();
        final Path base = settings.baseDirectory() != null ?
            Files.createDirectories(settings.baseDirectory()) : BenchFiles.newDirectory("jmh-rates-");
        final Path dir = base.resolve("state");
        out.printf(Locale.ROOT, "engram bench rates: %s%n  %s, %d CPUs, Java %s, directory %s, load average %s%n", settings,
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.vm.version"), dir, ThreadStats.loadAverage());
        final long warmupNs = (long)(settings.warmupSeconds() * 1e9);
        final long measureNs = (long)(settings.seconds() * 1e9);
        final List<RateResult> results = new ArrayList<>();
        final Report report;
        try (Engram engram = Engram.open(dir, context(settings)))
        {
            final long buildStartNs = System.nanoTime();
            BenchState.putAll(engram, PREFIX, settings.keyCount(), settings.valueLength());
            final long checkpointStartNs = System.nanoTime();
            final CheckpointInfo first = engram.checkpoint();
            final double firstCheckpointMs = (System.nanoTime() - checkpointStartNs) / 1e6;
            out.printf(Locale.ROOT, "  state: %,d keys x %,d B written in %.1f s; first checkpoint %,d B in %.0f ms (load %s)%n",
                settings.keyCount(), settings.valueLength(), (checkpointStartNs - buildStartNs) / 1e9, first.fileLength(),
                firstCheckpointMs, ThreadStats.loadAverage());
            final EngineAppendTarget target = new EngineAppendTarget(engram, PREFIX, settings.keyCount(), settings.valueLength());
            for (final long rate : settings.rates())
            {
                for (int round = 1; round <= settings.rounds(); round++)
                {
                    final RateResult result = runRate(engram, target, rate, settings.producers(), warmupNs, measureNs,
                        settings.isolateProducer());
                    results.add(result);
                    printRate(result, round, settings.rounds(), out);
                }
            }
            report = new Report(settings, (long)settings.keyCount() * settings.valueLength(), first.fileLength(),
                firstCheckpointMs, results);
        }
        finally
        {
            if (settings.isolateProducer())
            {
                CpuIsolation.releaseAll();
            }
            if (!settings.keepFiles())
            {
                BenchFiles.deleteTree(dir);
                if (settings.baseDirectory() == null)
                {
                    BenchFiles.deleteTree(base);
                }
            }
        }
        printSummary(report, out);
        return report;
    }

    private static EngramContext context(final RatesSettings settings)
    {
        final EngramContext ctx = BenchState.checkpointOnDemandContext().recordAppendLatency(true);
        ctx.state().maxChainLength(settings.maxChainLength());
        ctx.journal().ringSlotLength(BenchState.BUILD_RING_SLOT_LENGTH);
        if (settings.ringSlotCount() > 0)
        {
            ctx.ringSlotCount(settings.ringSlotCount());
        }
        return ctx;
    }

    /**
     * The floor, quiet and during-checkpoint runs of one rate.
     */
    static RateResult runRate(final Engram engram, final EngineAppendTarget target, final long rate, final int producers,
        final long warmupNs, final long measureNs, final boolean isolate) throws InterruptedException
    {
        final LatencyResult floor;
        try (NoOpAppendTarget noOp = new NoOpAppendTarget())
        {
            floor = FixedRateRun.run(noOp, producers, rate, warmupNs, measureNs, isolate);
        }

        final long quietCheckpointsBefore = engram.checkpointCount();
        target.beginRun();
        final CpuShare quietShare = CpuShare.start(ENGINE_THREADS);
        final LatencyResult quiet = FixedRateRun.run(target, producers, rate, warmupNs, measureNs, isolate);
        final CpuShare.Usage quietCpu = quietShare.stop(Map.of());
        final long quietCheckpoints = engram.checkpointCount() - quietCheckpointsBefore;

        final long duringCheckpointsBefore = engram.checkpointCount();
        target.beginRun();
        final CpuShare duringShare = CpuShare.start(ENGINE_THREADS);
        final CheckpointLoop loop = CheckpointLoop.start(engram);
        final LatencyResult during;
        final CheckpointLoop.Builds builds;
        try
        {
            during = FixedRateRun.run(target, producers, rate, warmupNs, measureNs, isolate);
        }
        finally
        {
            builds = loop.stop();
        }
        final CpuShare.Usage duringCpu = duringShare.stop(Map.of("checkpoint-builder", builds.cpuNs()));
        final long duringCheckpoints = engram.checkpointCount() - duringCheckpointsBefore;
        final long windowStart = during.measureStartNs();
        final long windowEnd = windowStart + during.measureNs();
        final int inWindow = builds.overlapping(windowStart, windowEnd);
        final double coverage = builds.coverage(windowStart, windowEnd);
        final AppendTarget.SelfCheck windowCheck = AppendTarget.SelfCheck.of(quietCheckpoints == 0,
                "checkpoints completed in the quiet run=" + quietCheckpoints)
            .and(AppendTarget.SelfCheck.of(inWindow >= 1 && duringCheckpoints >= 1 && duringCheckpoints == builds.count(),
                String.format(Locale.ROOT, "during: builds overlapping the measured window=%d (%.0f%% of it covered), " +
                    "engine checkpoint count +%d, loop builds=%d", inWindow, coverage * 100, duringCheckpoints, builds.count())));
        return new RateResult(rate, floor, quiet, during, quietCheckpoints, duringCheckpoints, inWindow, coverage,
            builds.medianBuildMs(), quietCpu, duringCpu, windowCheck);
    }

    private static void printRate(final RateResult r, final int round, final int rounds, final PrintStream out)
    {
        out.printf(Locale.ROOT, "%n  rate %,d/s, %d producer(s), round %d of %d; CO-corrected latency in µs (load %s)%n", r.rate(),
            r.quiet().producers(), round, rounds, ThreadStats.loadAverage());
        out.printf(Locale.ROOT, "    %-30s %9s %9s %9s %9s %9s %12s %9s %9s %s%n", "run", "p50", "p99", "p99.9", "p99.99", "max",
            "achieved/s", "ring-full", "preempted", "checkpoint builds");
        printRow("no-op floor", r.floor(), "", out);
        printRow("quiet (no checkpoint)", r.quiet(), r.quietCheckpoints() + " completed", out);
        printRow("during checkpoint builds", r.during(), String.format(Locale.ROOT, "%d in window (%.0f%% covered), median %.0f ms",
            r.duringBuildsInWindow(), r.duringCoverage() * 100, r.medianBuildMs()), out);
        out.printf(Locale.ROOT, "    quiet:  %s%n    during: %s (builder counted to the end of its last build)%n",
            r.quietCpu().describe(), r.duringCpu().describe());
        out.printf(Locale.ROOT, "    p99 during/quiet = %.2fx (target <= %.0fx: %s); service-time p99 during/quiet = %.2fx; %s%n",
            r.p99Ratio(), RateResult.TARGET_P99_RATIO, r.targetMet() ? "met" : "MISSED", r.serviceP99Ratio(),
            r.passed() ? "self-checks OK" : "SELF-CHECK FAILED: " + detail(r));
    }

    private static void printRow(final String name, final LatencyResult l, final String note, final PrintStream out)
    {
        out.printf(Locale.ROOT, "    %-30s %9.2f %9.2f %9.2f %9.2f %9.1f %,12.0f %9d %9d %s%n", name, l.latencyUs(50), l.latencyUs(99),
            l.latencyUs(99.9), l.latencyUs(99.99), l.latencyNs().getMaxValue() / 1000.0, l.achievedRate(), l.backPressureEvents(),
            l.involuntarySwitches(), note);
    }

    private static String detail(final RateResult r)
    {
        return r.floor().check().detail() + " | " + r.quiet().check().detail() + " | " + r.during().check().detail() + " | " +
            r.windowCheck().detail();
    }

    private static void printSummary(final Report report, final PrintStream out)
    {
        out.printf(Locale.ROOT, "%nSummary (µs, CO-corrected; state %,d B, full checkpoint %,d B built in %.0f ms before the runs)%n",
            report.stateBytes(), report.checkpointBytes(), report.firstCheckpointMs());
        out.println("| rate/s | run | p50 | p99 | p99.9 | p99.99 | max | service p99 | cores: this JVM / others | p99 during/quiet |");
        out.println("|---|---|---|---|---|---|---|---|---|---|");
        for (final RateResult r : report.rates())
        {
            summaryRow(r.rate(), "no-op floor", r.floor(), null, "", out);
            summaryRow(r.rate(), "quiet", r.quiet(), r.quietCpu(), "", out);
            summaryRow(r.rate(), "during checkpoint", r.during(), r.duringCpu(), String.format(Locale.ROOT, "%.2fx (%s)",
                r.p99Ratio(), r.targetMet() ? "met" : "missed"), out);
        }
        out.println(report.selfChecksPassed() ? "ALL SELF-CHECKS PASSED" : "SOME SELF-CHECKS FAILED");
        out.printf("load average at the end: %s%n", ThreadStats.loadAverage());
    }

    private static void summaryRow(final long rate, final String run, final LatencyResult l, final CpuShare.Usage cpu,
        final String ratio, final PrintStream out)
    {
        final String cores = cpu == null ? "" : String.format(Locale.ROOT, "%.2f / %.2f", cpu.process(), cpu.others());
        out.printf(Locale.ROOT, "| %,d | %s | %.2f | %.2f | %.2f | %.2f | %.1f | %.2f | %s | %s |%n", rate, run, l.latencyUs(50),
            l.latencyUs(99), l.latencyUs(99.9), l.latencyUs(99.99), l.latencyNs().getMaxValue() / 1000.0, l.serviceUs(99), cores,
            ratio);
    }
}
