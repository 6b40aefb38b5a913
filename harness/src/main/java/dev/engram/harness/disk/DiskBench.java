package dev.engram.harness.disk;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.harness.CommandLineValues;
import dev.engram.journal.Delta;
import dev.engram.recovery.DiskUsage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./engram bench disk}: issue 15's disk measurement. A state of {@code --keys} keys of {@code --value} bytes
 * (loaded in deltas of 100 keys), then {@code --updates} deltas of 1-3 keys drawn Zipf (s = 1), flat out, through an
 * {@link Engram} with the default settings (rolls by size every 16 MiB, the default). Every {@code --sample} updates (and at the end)
 * it measures the directory: {@code du} (blocks allocated) and {@link Engram#diskUsage()} (by part), and prints disk
 * over the live state (keys × (key + value) bytes). {@code --before} turns off what issue 15 added (rolls by size,
 * {@code rollBytes 0}, with the earlier hourly roll cycle; the checkpoint trigger by journal bytes, {@code checkpointJournalRatio 0}) for a before/after in
 * one build; it keeps the smaller reservation ahead of the journal writer and the punched finished cycle files.
 */
public final class DiskBench
{
    private DiskBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        run(args);
    }

    public static void run(final String[] args) throws Exception
    {
        long keys = 100_000;
        int valueLength = 200;
        long updates = 1_000_000;
        long sample = 100_000;
        long seed = 15;
        long rate = 0;
        boolean before = false;
        Path dir = null;
        for (int i = 0; i < args.length; i++)
        {
            final String option = args[i];
            switch (option)
            {
                case "--keys" -> keys = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--value" -> valueLength = (int)CommandLineValues.bytes(option, CommandLineValues.value(args, ++i, option));
                case "--updates" -> updates = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--sample" -> sample = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--seed" -> seed = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--rate" -> rate = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--dir" -> dir = Path.of(CommandLineValues.value(args, ++i, option));
                case "--before" -> before = true;
                default ->
                {
                    System.err.println("""
                        usage: bench disk [--keys 100k] [--value 200] [--updates 1m] [--sample 100k] [--seed 15] [--dir D]
                                          [--rate R] [--before]
                          a state of keys x value, then updates of 1-3 Zipf keys, default settings; prints disk (du and
                          by part) over the live state every --sample updates and at the end. --rate: updates per second
                          (default 0: flat out). --before: rolls by size
                          and the checkpoint trigger by journal bytes off (issue 15's behaviour), same build""");
                    System.exit(2);
                    return;
                }
            }
        }
        if (keys < 1 || keys > Integer.MAX_VALUE || valueLength < 1 || sample < 1)
        {
            throw new IllegalArgumentException("--keys must be in [1, 2^31), --value and --sample >= 1");
        }
        final Path root = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("engram-disk-bench");
        final Path state = root.resolve("state");
        if (Files.exists(state))
        {
            throw new IllegalArgumentException(state + " exists: give an empty --dir");
        }
        System.out.printf("bench disk --keys %d --value %d --updates %d --sample %d --seed %d --rate %d%s%n", keys, valueLength,
            updates, sample, seed, rate, before ? " --before" : "");
        System.out.println("data: " + state);
        final EngramContext ctx = new EngramContext();
        if (before)
        {
            ctx.journal().rollBytes(0);
            ctx.state().checkpointJournalRatio(0);
            ctx.journal().rollCycle(dev.engram.journal.JournalRollCycles.EARLIER_DEFAULT);
        }
        final long live = keys * (valueLength + key(0).getBytes(StandardCharsets.UTF_8).length);
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] value = new byte[valueLength];
        long peakDu = 0;
        final long start = System.nanoTime();
        try (Engram engram = Engram.open(state, ctx))
        {
            final Delta delta = engram.newDelta();
            long version = 0;
            for (long k = 0; k < keys; k += 100)
            {
                delta.clear();
                for (long i = k; i < Math.min(keys, k + 100); i++)
                {
                    random.nextBytes(value);
                    delta.put(key(i), value);
                }
                version = engram.append(delta);
            }
            System.out.printf("%10s %10s %12s %8s  %s%n", "updates", "seconds", "du", "du/live", "by part (Engram.diskUsage)");
            final dev.engram.harness.history.ZipfKeys zipf = new dev.engram.harness.history.ZipfKeys((int)keys, 1.0);
            final long updatesStartNs = System.nanoTime();
            for (long u = 1; u <= updates; u++)
            {
                if (rate > 0)
                {
                    final long dueNs = updatesStartNs + (long)((u - 1) * (1e9 / rate));
                    while (System.nanoTime() < dueNs)
                    {
                        Thread.onSpinWait();   // the schedule of a fixed-rate producer
                    }
                }
                delta.clear();
                final int ops = 1 + random.nextInt(3);
                for (int i = 0; i < ops; i++)
                {
                    random.nextBytes(value);
                    delta.put(key(zipf.next(random)), value);
                }
                version = engram.append(delta);
                if (u % sample == 0 || u == updates)
                {
                    final long du = du(state);
                    peakDu = Math.max(peakDu, du);
                    print(u, start, du, live, engram.diskUsage());
                }
            }
            if (!engram.awaitApplied(version, 10, TimeUnit.MINUTES))
            {
                throw new IllegalStateException("version " + version + " not applied in 10 minutes");
            }
            final long du = du(state);
            final DiskUsage parts = engram.diskUsage();
            System.out.println("applied:");
            print(updates, start, du, live, parts);
            // settled: the background checkpoints (and the retention after each) once the producer has stopped, until
            // the checkpoint version has not moved for 5 s (at most 2 minutes)
            long lastCheckpoint = engram.checkpointVersion();
            long stillSince = System.nanoTime();
            final long settleDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (System.nanoTime() - stillSince < TimeUnit.SECONDS.toNanos(5) && System.nanoTime() < settleDeadline)
            {
                Thread.sleep(250);   // pacing the poll of a bench, not synchronisation
                final long now = engram.checkpointVersion();
                if (now != lastCheckpoint)
                {
                    lastCheckpoint = now;
                    stillSince = System.nanoTime();
                }
            }
            final long settledDu = du(state);
            System.out.println("settled (background checkpoints done, checkpoint version " + lastCheckpoint + " of " +
                version + " written):");
            print(updates, start, settledDu, live, engram.diskUsage());
            System.out.printf("live state %s (keys x (key + value)); estimate from the newest full checkpoint %s; " +
                    "checkpoints written %d%n", mib(live), mib(parts.liveStateBytes()), engram.checkpointCount());
            System.out.printf("RESULT disk/live at the end %.2f (du %s), settled %.2f (du %s), peak %.2f (du %s) over %,d updates%n",
                (double)du / live, mib(du), (double)settledDu / live, mib(settledDu), (double)peakDu / live, mib(peakDu), updates);
        }
    }

    private static void print(final long updates, final long startNs, final long du, final long live, final DiskUsage parts)
    {
        System.out.printf("%,10d %10.1f %12s %8.2f  %s%n", updates, (System.nanoTime() - startNs) / 1e9, mib(du),
            (double)du / live, parts.describe());
    }

    private static String key(final long i)
    {
        return String.format("key/%08d", i);
    }

    private static String mib(final long bytes)
    {
        return bytes < 0 ? "unknown" : String.format("%.1f MiB", bytes / 1048576.0);
    }

    /** {@code du -s -B1}: bytes allocated to the directory (-1 if du fails). */
    private static long du(final Path directory) throws IOException, InterruptedException
    {
        final Process du = new ProcessBuilder("du", "-s", "-B1", directory.toString()).redirectErrorStream(true).start();
        final String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (du.waitFor() != 0 || out.isEmpty())
        {
            return -1;
        }
        try
        {
            return Long.parseLong(out.split("\\s+")[0]);
        }
        catch (final NumberFormatException ex)
        {
            return -1;   // du also said "cannot access" about a file retention removed meanwhile
        }
    }
}
