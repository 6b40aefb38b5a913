package dev.engram.harness.demo;

import dev.engram.harness.demo.CompressionSampler.KindRatio;
import dev.engram.harness.demo.DemoResult.KilledRun;
import dev.engram.engine.MetricsSnapshot;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the demo's report folder: {@value #REPORT_TXT} (what is also printed), {@value #LATENCY_HGRM}
 * (HdrHistogram's percentile distribution of the append latency, in µs), {@value #LATENCY_PNG} and
 * {@value #RECOVERY_PNG}.
 */
final class DemoReport
{
    static final String REPORT_TXT = "report.txt";
    static final String LATENCY_HGRM = "append-latency.hgrm";
    static final String LATENCY_PNG = "append-latency.png";
    static final String RECOVERY_PNG = "recovery-vs-state-size.png";

    private DemoReport()
    {
    }

    /**
     * Write every file of the report.
     *
     * @return the text of {@value #REPORT_TXT}.
     */
    static String write(final DemoResult result) throws IOException
    {
        final Path dir = result.reportDir();
        Files.createDirectories(dir);
        final KilledRun main = result.main();
        final List<String> files = new ArrayList<>(List.of(REPORT_TXT));
        final List<String> notes = new ArrayList<>();
        if (main.progress() != null)
        {
            final Histogram append = main.progress().metrics().appendLatency();
            try (PrintStream out = new PrintStream(dir.resolve(LATENCY_HGRM).toFile(), StandardCharsets.UTF_8))
            {
                append.outputPercentileDistribution(out, 1000.0);
            }
            files.add(LATENCY_HGRM + " (µs)");
            final WorkerProgress p = main.progress();
            plot(() -> DemoPlots.latencyPercentiles(append, "Engram append latency by percentile (caller side)",
                String.format("%,.0f deltas/s for %.0f s (target %s), %s", p.stepsPerSecond(), p.elapsedNs() / 1e9,
                    rate(result.options()), worldShort(main)), dir.resolve(LATENCY_PNG)), LATENCY_PNG, files, notes);
        }
        plot(() -> DemoPlots.recoveryVsStateSize(result.series(), main, "Engram recovery after kill -9 vs state size",
            "each point: a worker JVM killed with SIGKILL, then a fresh JVM opens the state; every key verified against the model",
            dir.resolve(RECOVERY_PNG)), RECOVERY_PNG, files, notes);
        final String text = text(result, files, notes);
        Files.writeString(dir.resolve(REPORT_TXT), text, StandardCharsets.UTF_8);
        return text;
    }

    private interface PngWriter
    {
        void write() throws IOException;
    }

    /** A chart that cannot be drawn (a JVM without fonts, say) is named in the report; the rest still stands. */
    private static void plot(final PngWriter writer, final String name, final List<String> files, final List<String> notes)
        throws IOException
    {
        try
        {
            writer.write();
            files.add(name);
        }
        catch (final RuntimeException | LinkageError | InternalError ex)
        {
            notes.add(name + " not drawn: " + ex);
        }
    }

    static String text(final DemoResult result, final List<String> files, final List<String> notes)
    {
        final DemoOptions o = result.options();
        final KilledRun main = result.main();
        final RecoveryResult rec = main.recovery();
        final StringBuilder sb = new StringBuilder();
        sb.append("Engram demo report, ").append(LocalDateTime.now().format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19))
            .append('\n');
        sb.append(String.format("world:   %s; seed %d%n", DemoRunner.describe(o.sizes()), o.seed()));
        sb.append(String.format("engine:  sync=%s, background checkpoint every %,d frames, zstd checkpoint blocks %s, no snapshot index%n",
            o.syncPolicy(), o.checkpointEveryFrames(), o.compress() ? "on" : "off"));
        sb.append(String.format("machine: %d cores, Java %s; worker and recoverer JVMs: -XX:+UseParallelGC%s%n%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
            o.childJvmFlags().isEmpty() ? "" : " " + String.join(" ", o.childJvmFlags())));

        sb.append(String.format("WORKER (child JVM pid %d), target %s steps/s, one delta per step, killed after %.1f s%n",
            main.workerPid(), rate(o), main.killedAtSeconds()));
        if (main.progress() == null)
        {
            sb.append("  no progress report from the worker\n");
        }
        else
        {
            final WorkerProgress p = main.progress();
            final MetricsSnapshot m = p.metrics();
            sb.append(String.format("  throughput       %,d steps in %.1f s = %,.0f deltas/s; journal %s (%s/s)%n", p.steps(),
                p.elapsedNs() / 1e9, p.stepsPerSecond(), mib(m.bytesWritten()), mib((long)(m.bytesWritten() / Math.max(1e-9, p.elapsedNs() / 1e9)))));
            sb.append(String.format("  append latency   %s%n", percentiles(m.appendLatency())));
            sb.append(String.format("  (caller side, Engram.append around the lock-free journal append; worker's last report at %.2f s)%n",
                p.elapsedNs() / 1e9));
            sb.append(String.format("  write lag        %s%n", percentiles(m.writeLag())));
            sb.append(String.format("  apply lag        %s%n", percentiles(m.applyLag())));
            sb.append(String.format("  fsync            %s%n", percentiles(m.syncLatency())));
            final Histogram bytes = m.checkpointBytes();
            sb.append(String.format("  checkpoints      %d published (%d full, %d delta)", m.checkpoints(),
                m.checkpoints() - m.deltaCheckpoints(), m.deltaCheckpoints()));
            if (bytes.getTotalCount() > 0)
            {
                sb.append(String.format("; size min %s / median %s / max %s; build p50 %.0f ms, max %.0f ms; last compression %.2fx",
                    mib(bytes.getMinValue()), mib(bytes.getValueAtPercentile(50)), mib(bytes.getMaxValue()),
                    m.checkpointDuration().getValueAtPercentile(50) / 1e6, m.checkpointDuration().getMaxValue() / 1e6,
                    m.lastCompressionRatio()));
            }
            sb.append('\n');
            sb.append(String.format("  back-pressure    %,d events, ring occupancy at last report %,d, deltas copied to the heap %,d%n",
                m.backPressureEvents(), m.ringOccupancy(), m.heapFrames()));
        }
        sb.append(String.format("%nKILL    SIGKILL, exit status %d; last written version the worker published %,d (%,d steps)%n",
            main.exitValue(), main.writtenAtKill(), main.stepsAtKill()));

        sb.append(String.format("%nRECOVERY (fresh JVM, cold start)%n"));
        sb.append(String.format("  process start -> ready  %.0f ms (JVM start, class loading, Engram.open)%n", main.processStartToReadyUs() / 1e3));
        sb.append(String.format("  Engram.open()           %.0f ms (engine's readyNs %.1f ms)%n", rec.openNs() / 1e6, rec.engineReadyNs() / 1e6));
        sb.append(String.format("  recovered version r     %,d (>= %,d written: %s)%n", rec.recoveredVersion(), main.writtenAtKill(),
            rec.recoveredVersion() >= main.writtenAtKill() ? "ok" : "LOST WRITES"));
        sb.append("  what recovery did:\n");
        for (final String line : rec.recoveryDescribe().split("\n"))
        {
            sb.append("    ").append(line).append('\n');
        }
        sb.append(String.format("  verification            %s%n", rec.verification()));
        sb.append(String.format("                          (reference model at r built in %,d ms, compared in %,d ms)%n", rec.modelMs(), rec.verifyMs()));
        sb.append(String.format("  on disk                 %d checkpoint files %s, journal %s%n", rec.checkpointFiles(),
            mib(rec.checkpointFileBytes()), mib(rec.journalBytes())));

        sb.append(String.format("%nCOMPRESSION by component kind (zstd level 3 over 64 KiB blocks, as checkpoints do; a sample of each kind)%n"));
        for (final KindRatio k : rec.compression())
        {
            sb.append(String.format("  %-22s %,7d values %10s -> %10s  %5.2fx%n", k.kind(), k.values(), mib(k.rawBytes()),
                mib(k.compressedBytes()), k.ratio()));
        }

        if (!result.series().isEmpty())
        {
            sb.append(String.format("%nRECOVERY TIME vs STATE SIZE (each run: build the world, checkpoint, %,d more deltas, kill -9, fresh JVM)%n",
                result.series().get(0).tailSteps()));
            sb.append(String.format("  %-9s %10s %8s %10s %14s %10s  %s%n", "state", "live MiB", "keys", "replayed", "start->ready", "open()", "verified"));
            final List<KilledRun> rows = new ArrayList<>(result.series());
            rows.add(main);
            for (final KilledRun run : rows)
            {
                final RecoveryResult r = run.recovery();
                sb.append(String.format("  %-9s %10.1f %,8d %,10d %11.0f ms %7.0f ms  %s%n", run.isMain() ? "main run" : run.name().replace(" state", ""),
                    r.stateBytes() / 1048576.0, r.keys(), r.framesReplayed(), run.processStartToReadyUs() / 1e3, r.openNs() / 1e6,
                    r.verified() ? "yes, r=" + String.format("%,d", r.recoveredVersion()) : "NO"));
            }
        }

        sb.append(String.format("%nFILES in %s: %s%n", result.reportDir(), String.join(", ", files)));
        for (final String note : notes)
        {
            sb.append("  note: ").append(note).append('\n');
        }
        final List<String> failures = result.failures();
        if (failures.isEmpty())
        {
            sb.append(String.format("%nRESULT: PASSED: every run was killed with SIGKILL and recovered at r >= its last written version," +
                " equal to the reference model byte for byte%n"));
        }
        else
        {
            sb.append(String.format("%nRESULT: FAILED%n"));
            failures.forEach(f -> sb.append("  ").append(f).append('\n'));
        }
        return sb.toString();
    }

    static String percentiles(final Histogram ns)
    {
        if (ns.getTotalCount() == 0)
        {
            return "n=0";
        }
        return String.format("p50 %s  p99 %s  p99.9 %s  p99.99 %s  max %s µs  (n=%,d)", micros(ns, 50), micros(ns, 99),
            micros(ns, 99.9), micros(ns, 99.99), micros(ns, 100), ns.getTotalCount());
    }

    /** @return the value at {@code percentile} (100: the max) in µs, formatted. */
    static String micros(final Histogram ns, final double percentile)
    {
        if (ns.getTotalCount() == 0)
        {
            return "-";
        }
        final long value = percentile >= 100 ? ns.getMaxValue() : ns.getValueAtPercentile(percentile);
        return DemoPlots.formatMicros(value / 1e3);
    }

    static String mib(final long bytes)
    {
        if (bytes < 1024 * 1024)
        {
            return String.format("%.1f KiB", bytes / 1024.0);
        }
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    private static String worldShort(final KilledRun run)
    {
        return String.format("%d populations x %s, %,d users", run.sizes().populations(), mib(run.sizes().populationBytes()),
            run.sizes().users());
    }

    private static String rate(final DemoOptions o)
    {
        return o.rate() == 0 ? "max" : String.format("%,d", o.rate());
    }
}
