package dev.engram.harness.demo;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.examples.consciousness.ConsciousnessKeys;
import dev.engram.examples.consciousness.ConsciousnessWorkload;
import dev.engram.examples.consciousness.ConsciousnessWorkload.Sizes;
import dev.engram.examples.consciousness.ReferenceModel;
import dev.engram.examples.consciousness.StateVerifier;
import dev.engram.examples.consciousness.StateVerifier.Verification;
import dev.engram.journal.SyncPolicy;
import dev.engram.recovery.RecoveryReport;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The recoverer child JVM: a cold start after the kill. It opens the engine first thing (so the parent can
 * time process start → ready), then computes the reference model at the recovered version r, compares every
 * key byte for byte, samples each component kind's compressibility and writes a {@link RecoveryResult}.
 */
final class DemoRecoverer
{
    /** Bytes of each kind's values sampled for the compression ratios. */
    static final long COMPRESSION_SAMPLE_BYTES = 8L << 20;
    /** Single keys whose values are sampled along the history (at about {@link #HISTORY_SAMPLES} points), not once. */
    static final String[] HISTORY_KEYS = {
        ConsciousnessKeys.SYSTEM_METRICS, ConsciousnessKeys.CONSCIOUSNESS, ConsciousnessKeys.ACTIVE_GROUPS};
    static final int HISTORY_SAMPLES = 256;

    private DemoRecoverer()
    {
    }

    static ChildArgs args(final DemoOptions options, final Sizes sizes, final Path dir, final Path resultFile)
    {
        final ChildArgs args = new ChildArgs().put("dir", dir).put("seed", options.seed())
            .put("checkpoint-every-frames", options.checkpointEveryFrames()).put("sync", options.syncPolicy())
            .put("compress", options.compress()).put("result", resultFile);
        return args.putSizes(sizes);
    }

    static void main(final ChildArgs args) throws IOException
    {
        final Sizes sizes = args.sizes();
        final Path dir = Path.of(args.get("dir"));
        final EngramContext ctx = DemoEngine.context(sizes, args.getLong("checkpoint-every-frames"),
            SyncPolicy.valueOf(args.get("sync")), Boolean.parseBoolean(args.get("compress")));
        ctx.state().background(false); // nothing is written here: no checkpoint competes with the verification
        final long openStartNs = System.nanoTime();
        try (Engram engram = Engram.open(dir, ctx))
        {
            final long openNs = System.nanoTime() - openStartNs;
            final long readyEpochUs = DemoWorker.epochMicros(Instant.now());
            final RecoveryReport report = engram.recoveryReport();
            final RecoveryResult result = verify(engram, new ConsciousnessWorkload(args.getLong("seed"), sizes), dir, report,
                openNs, readyEpochUs);
            result.write(Path.of(args.get("result")));
        }
    }

    /**
     * Compare the recovered engine with the workload's reference model at the recovered version.
     */
    static RecoveryResult verify(
        final Engram engram, final ConsciousnessWorkload workload, final Path dir, final RecoveryReport report,
        final long openNs, final long readyEpochUs) throws IOException
    {
        final long r = report.recoveredVersion();
        final CompressionSampler sampler = new CompressionSampler(COMPRESSION_SAMPLE_BYTES);
        final long modelStartNs = System.nanoTime();
        final ReferenceModel model = workload.newModel();
        final long chunk = Math.max(1, r / HISTORY_SAMPLES);
        final byte[][] lastSampled = new byte[HISTORY_KEYS.length][];
        while (model.step() < r)
        {
            model.advanceTo(Math.min(r, model.step() + chunk));
            for (int i = 0; i < HISTORY_KEYS.length; i++)
            {
                final byte[] value = model.state().get(HISTORY_KEYS[i]);
                if (value != null && value != lastSampled[i])
                {
                    sampler.add(kindOf(HISTORY_KEYS[i]), value);
                    lastSampled[i] = value;
                }
            }
        }
        final long modelMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - modelStartNs);
        final Map<String, byte[]> expected = model.state();
        final long verifyStartNs = System.nanoTime();
        final Verification verification = StateVerifier.verify(engram, expected);
        final long verifyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - verifyStartNs);
        long stateBytes = 0;
        final List<String> historyKeys = List.of(HISTORY_KEYS);
        for (final Map.Entry<String, byte[]> entry : expected.entrySet())
        {
            stateBytes += entry.getValue().length;
            if (!historyKeys.contains(entry.getKey()))
            {
                sampler.add(kindOf(entry.getKey()), entry.getValue());
            }
        }
        final long[] checkpoints = filesUnder(dir.resolve("checkpoints"), ".ckp");
        final long[] journal = filesUnder(dir.resolve("journal"), "");
        return new RecoveryResult(r, report.framesReplayed(), report.checkpointVersion(), report.rejected().size(),
            report.cleanShutdown(), report.readyNs(), openNs, ManagementFactory.getRuntimeMXBean().getStartTime(),
            readyEpochUs, report.describe(), verification.passed(), verification.describe(), verification.keysFound(),
            stateBytes, (int)checkpoints[0], checkpoints[1], journal[1], modelMs, verifyMs, sampler.ratios());
    }

    /** @return the component kind a key belongs to (docs/workload.md). */
    static String kindOf(final String key)
    {
        if (key.startsWith(ConsciousnessKeys.POPULATION_PREFIX))
        {
            return key.endsWith(ConsciousnessKeys.WEIGHTS_SUFFIX) ? "population weights" : "population headers";
        }
        if (key.startsWith(ConsciousnessKeys.USER_PREFIX))
        {
            return "user contexts";
        }
        return switch (key)
        {
            case ConsciousnessKeys.SYSTEM_METRICS -> "system metrics";
            case ConsciousnessKeys.CONSCIOUSNESS -> "consciousness summary";
            case ConsciousnessKeys.ACTIVE_GROUPS -> "active neural groups";
            default -> "other";
        };
    }

    /** @return {files, bytes} of regular files under {@code root} whose name ends with {@code suffix}. */
    private static long[] filesUnder(final Path root, final String suffix) throws IOException
    {
        if (!Files.isDirectory(root))
        {
            return new long[2];
        }
        final long[] result = new long[2];
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : (Iterable<Path>)paths::iterator)
            {
                if (Files.isRegularFile(path) && path.getFileName().toString().endsWith(suffix))
                {
                    result[0]++;
                    result[1] += Files.size(path);
                }
            }
        }
        return result;
    }
}
