package dev.engram.harness.demo;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.examples.consciousness.ConsciousnessWorkload;
import dev.engram.journal.SyncPolicy;
import dev.engram.recovery.CheckpointInfo;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * Checkpoint bytes and build CPU of the demo world with page deltas off and on, in one run: the demo's engine settings
 * ({@link DemoEngine#context}), the default world (64 populations × 1 MiB of weights, 10,000 users), 100,000 steps and a
 * full checkpoint first (not counted), then checkpoints taken
 * on the caller's thread every {@code steps} workload steps, so the thread CPU time of {@code checkpoint()} is the
 * build's (plus the publish). docs/benchmarks.md, "Page deltas".
 * <pre>
 *   java -cp ... dev.engram.harness.demo.PageDeltaBench [DIR] [STEPS_PER_CHECKPOINT,...] [CHECKPOINTS] [PAGE_LENGTH,...]
 *   (defaults: a temp directory, 5000,50000, 6, 0,16384; page length 0 = page deltas off)
 * </pre>
 */
public final class PageDeltaBench
{
    private static final int WARM_UP_STEPS = 100_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private PageDeltaBench()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path root = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("engram-pages");
        final String[] intervals = (args.length > 1 ? args[1] : "5000,50000").split(",");
        final int checkpoints = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        final String[] pageLengths = (args.length > 3 ? args[3] : "0,16384").split(",");
        System.out.println("| steps per checkpoint | page deltas | checkpoints (full/delta) | mean bytes per checkpoint | " +
            "mean bytes per delta | build CPU per checkpoint (core-s) | build wall per checkpoint (s) |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (final String interval : intervals)
        {
            for (final String pageLength : pageLengths)
            {
                run(root.resolve(interval + "-" + pageLength), Integer.parseInt(interval.trim()), Integer.parseInt(pageLength.trim()),
                    checkpoints);
            }
        }
    }

    private static void run(final Path dir, final int steps, final int pageLength, final int checkpoints) throws IOException
    {
        delete(dir);
        final ConsciousnessWorkload.Sizes sizes = ConsciousnessWorkload.Sizes.DEFAULT;
        final EngramContext ctx = DemoEngine.context(sizes, Long.MAX_VALUE, SyncPolicy.ASYNC, true);
        ctx.state().background(false).pageLength(pageLength);
        long bytes = 0;
        long deltaBytes = 0;
        int deltas = 0;
        long cpuNs = 0;
        long wallNs = 0;
        try (Engram engram = Engram.open(dir, ctx))
        {
            final ConsciousnessWorkload workload = new ConsciousnessWorkload(42, sizes);
            for (int i = 0; i < WARM_UP_STEPS; i++)
            {
                workload.step(engram);   // most users have joined: later steps change keys, they add few
            }
            engram.checkpoint();   // the first full checkpoint: not counted
            for (int c = 0; c < checkpoints; c++)
            {
                for (int i = 0; i < steps; i++)
                {
                    workload.step(engram);
                }
                final long cpu0 = THREADS.getCurrentThreadCpuTime();
                final long wall0 = System.nanoTime();
                final CheckpointInfo info = engram.checkpoint();
                cpuNs += THREADS.getCurrentThreadCpuTime() - cpu0;
                wallNs += System.nanoTime() - wall0;
                final long size = Files.size(info.path());
                bytes += size;
                if (info.isDelta())
                {
                    deltas++;
                    deltaBytes += size;
                }
            }
        }
        System.out.printf("| %,d | %s | %d/%d | %.1f MiB | %s | %.3f | %.3f |%n", steps, pageLength == 0 ? "off" : pageLength / 1024 + " KiB",
            checkpoints - deltas, deltas, bytes / (double)checkpoints / (1 << 20),
            deltas == 0 ? "-" : String.format("%.1f MiB", deltaBytes / (double)deltas / (1 << 20)),
            cpuNs / 1e9 / checkpoints, wallNs / 1e9 / checkpoints);
        delete(dir);
    }

    private static void delete(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (var walk = Files.walk(dir))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }
}
