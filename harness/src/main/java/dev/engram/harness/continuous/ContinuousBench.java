package dev.engram.harness.continuous;

import dev.engram.backup.Backups;
import dev.engram.backup.ContinuousBackup;
import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.harness.CommandLineValues;
import dev.engram.journal.Delta;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code ./engram bench continuous}: issue 16's continuous mode. A state of {@code --keys} keys of {@code --value}
 * bytes, then a producer appending deltas of 1-3 random keys at {@code --rate} per second (CO-corrected latency of
 * {@code append}, recorded after {@code --warmup} s for {@code --seconds} s) in three phases on the same store: without
 * shipping, with a {@link ContinuousBackup} every {@code --interval-ms} into a local repository, and without again (the
 * JIT is warm by then: the fair baseline). While shipping, a sampler reads {@link ContinuousBackup#rpoLagMillis()}
 * every {@code --sample-ms}: the recovery point lag, what a lost source disk would lose. Prints one table and a
 * {@code RESULT} line: RPO p50 / p99 / max, backups made, and the append p99 with shipping over the warm baseline's.
 */
public final class ContinuousBench
{
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(60);

    private ContinuousBench()
    {
    }

    /** What one producer phase measured. */
    record Phase(String name, Histogram latency, long appends)
    {
    }

    /** What the shipping phase measured besides the producer's latency. */
    record Shipping(Histogram rpoMs, long maxRpoMs, long backups, long failures, long shippedVersion, long writtenVersion,
        long repositoryBytes)
    {
    }

    public static void main(final String[] args) throws Exception
    {
        run(args, System.out);
    }

    /**
     * @return the shipping phase's figures (tests).
     */
    public static Shipping run(final String[] args, final PrintStream out) throws Exception
    {
        long keys = 100_000;
        int valueLength = 200;
        long rate = 20_000;
        double seconds = 20;
        double warmup = 3;
        long intervalMs = ContinuousBackup.DEFAULT_INTERVAL_MS;
        long sampleMs = 10;
        long seed = 16;
        Path dir = null;
        for (int i = 0; i < args.length; i++)
        {
            final String option = args[i];
            switch (option)
            {
                case "--keys" -> keys = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--value" -> valueLength = (int)CommandLineValues.bytes(option, CommandLineValues.value(args, ++i, option));
                case "--rate" -> rate = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--seconds" -> seconds = Double.parseDouble(CommandLineValues.value(args, ++i, option));
                case "--warmup" -> warmup = Double.parseDouble(CommandLineValues.value(args, ++i, option));
                case "--interval-ms" -> intervalMs = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--sample-ms" -> sampleMs = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--seed" -> seed = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--dir" -> dir = Path.of(CommandLineValues.value(args, ++i, option));
                default -> throw new IllegalArgumentException("""
                    unknown option '%s'. usage: bench continuous [--keys 100k] [--value 200] [--rate 20000] [--seconds 20]
                      [--warmup 3] [--interval-ms 1000] [--sample-ms 10] [--seed 16] [--dir D]
                      a state of keys x value, then appends of 1-3 random keys at --rate without, with and again without
                      a ContinuousBackup every --interval-ms; prints the RPO lag while shipping and the append latency
                      of each phase""".formatted(option));
            }
        }
        if (keys < 1 || keys > Integer.MAX_VALUE || valueLength < 1 || rate < 1 || !(seconds > 0) || !(warmup >= 0) ||
            intervalMs < 1 || sampleMs < 1)
        {
            throw new IllegalArgumentException("--keys in [1, 2^31), --value, --rate, --interval-ms, --sample-ms >= 1, " +
                "--seconds > 0, --warmup >= 0");
        }
        final Path root = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("engram-continuous-bench");
        final Path state = root.resolve("state");
        final Path repository = root.resolve("repository");
        if (Files.exists(state) || Files.exists(repository))
        {
            throw new IllegalArgumentException(state + " or " + repository + " exists: give an empty --dir");
        }
        out.printf("bench continuous --keys %d --value %d --rate %d --seconds %s --warmup %s --interval-ms %d --sample-ms %d%n",
            keys, valueLength, rate, seconds, warmup, intervalMs, sampleMs);
        out.println("data: " + root + " (machine load " + load() + ")");
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] value = new byte[valueLength];
        final List<Phase> phases = new ArrayList<>();
        final Shipping shipping;
        try (Engram engram = Engram.open(state, new EngramContext());
             Backups backups = Backups.open(repository))
        {
            final Delta delta = engram.newDelta();
            for (long k = 0; k < keys; k += 100)
            {
                delta.clear();
                for (long i = k; i < Math.min(keys, k + 100); i++)
                {
                    random.nextBytes(value);
                    delta.put(key(i), value);
                }
                engram.append(delta);
            }
            engram.checkpoint();
            backups.backup(engram);   // the base: shipping then sends what changes
            phases.add(produce("without shipping", engram, random, keys, value, rate, warmup, seconds));
            final Histogram rpo = new Histogram(TimeUnit.HOURS.toMillis(1), 3);
            final long[] maxRpo = {0};
            try (ContinuousBackup continuous = ContinuousBackup.start(backups, engram, intervalMs))
            {
                final Thread sampler = sampler(continuous, rpo, maxRpo, sampleMs, warmup);
                sampler.start();
                try
                {
                    phases.add(produce("with shipping every " + intervalMs + " ms", engram, random, keys, value, rate, warmup,
                        seconds));
                }
                finally
                {
                    sampler.interrupt();
                    sampler.join();
                }
                shipping = new Shipping(rpo, maxRpo[0], continuous.backups(), continuous.failures(),
                    continuous.shippedVersion(), engram.writtenVersion(), bytesUnder(repository));
                if (continuous.lastFailure() != null)
                {
                    out.println("last shipping failure: " + continuous.lastFailure());
                }
            }
            phases.add(produce("without shipping, again (warm)", engram, random, keys, value, rate, warmup, seconds));
        }
        out.printf("%-34s %10s %10s %10s %10s %12s%n", "phase", "p50 us", "p99 us", "p99.9 us", "max us", "appends");
        for (final Phase phase : phases)
        {
            out.printf("%-34s %10.2f %10.2f %10.2f %10.2f %,12d%n", phase.name(), us(phase.latency(), 50), us(phase.latency(), 99),
                us(phase.latency(), 99.9), phase.latency().getMaxValue() / 1000.0, phase.appends());
        }
        out.printf("RPO lag while shipping (sampled every %d ms): p50 %d ms, p99 %d ms, max %d ms; %d backups, %d failed; " +
                "repository %.1f MiB%n", sampleMs, shipping.rpoMs().getValueAtPercentile(50), shipping.rpoMs().getValueAtPercentile(99),
            shipping.maxRpoMs(), shipping.backups(), shipping.failures(), shipping.repositoryBytes() / 1048576.0);
        final double baseline = us(phases.get(2).latency(), 99);
        final double with = us(phases.get(1).latency(), 99);
        out.printf("RESULT interval %d ms: RPO max %d ms (p99 %d); append p99 %.2f us with shipping vs %.2f us warm baseline " +
                "(%.2fx; cold baseline %.2f us) at %d/s (machine load %s)%n", intervalMs, shipping.maxRpoMs(),
            shipping.rpoMs().getValueAtPercentile(99), with, baseline, with / Math.max(0.001, baseline),
            us(phases.get(0).latency(), 99), rate, load());
        return shipping;
    }

    private static Thread sampler(final ContinuousBackup continuous, final Histogram rpo, final long[] maxRpo,
        final long sampleMs, final double warmup)
    {
        final Thread sampler = new Thread(() ->
        {
            final long startNs = System.nanoTime() + (long)(warmup * 1e9);
            while (!Thread.currentThread().isInterrupted())
            {
                final long lag = continuous.rpoLagMillis();
                if (System.nanoTime() >= startNs)
                {
                    rpo.recordValue(Math.min(lag, rpo.getHighestTrackableValue()));
                    maxRpo[0] = Math.max(maxRpo[0], lag);
                }
                try
                {
                    Thread.sleep(sampleMs);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        }, "bench-rpo-sampler");
        sampler.setDaemon(true);
        return sampler;
    }

    /** A producer at a fixed rate: latency from each append's due time (coordinated omission corrected). */
    private static Phase produce(final String name, final Engram engram, final SplittableRandom random, final long keys,
        final byte[] value, final long rate, final double warmup, final double seconds)
    {
        final Histogram latency = new Histogram(HIGHEST_NS, 3);
        final Delta delta = engram.newDelta();
        final double nsPer = 1e9 / rate;
        final long total = (long)((warmup + seconds) * rate);
        final long warm = (long)(warmup * rate);
        final long startNs = System.nanoTime();
        long last = 0;
        for (long i = 0; i < total; i++)
        {
            final long dueNs = startNs + (long)(i * nsPer);
            while (System.nanoTime() < dueNs)
            {
                Thread.onSpinWait();
            }
            delta.clear();
            final int ops = 1 + random.nextInt(3);
            for (int op = 0; op < ops; op++)
            {
                value[0] = (byte)i;
                delta.put(key(random.nextLong(keys)), value);
            }
            last = engram.append(delta);
            if (i >= warm)
            {
                latency.recordValue(Math.min(System.nanoTime() - dueNs, HIGHEST_NS));
            }
        }
        if (!engram.awaitWritten(last, 60, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("version=" + last + " not written within 60 s");
        }
        return new Phase(name, latency, total - warm);
    }

    private static double us(final Histogram histogram, final double percentile)
    {
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    private static String key(final long i)
    {
        return "k" + i;
    }

    private static long bytesUnder(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            long total = 0;
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                if (Files.isRegularFile(file))
                {
                    total += Files.size(file);
                }
            }
            return total;
        }
    }

    private static String load()
    {
        try
        {
            return Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
        }
        catch (final IOException | RuntimeException ex)
        {
            return "?";
        }
    }
}
