package dev.engram.harness.history;

import dev.engram.harness.CommandLineValues;
import dev.engram.journal.Delta;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.recovery.HistoryRange;
import dev.engram.recovery.KeyHistory;
import dev.engram.recovery.StateContext;
import dev.engram.recovery.StateDiff;
import dev.engram.recovery.StateSnapshot;
import dev.engram.recovery.StateStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./engram bench history}: what the version history costs on the issue-15 workload — {@code --keys} keys of
 * {@code --value} bytes, then {@code --deltas} deltas of 1–3 keys drawn Zipf (s = 1), every version kept — for
 * {@code stateAt(v)} (to a usable snapshot plus one read), {@code history(key)} for a key with about
 * {@code --changes} changes, {@code diff} over 1k versions and over up to 1M, and ordered {@code forEach(prefix)} of ~10
 * keys on the live state and on a snapshot ({@link OrderedScans}). Each figure is the median of {@code --reps} (3)
 * runs on different versions, with the worst beside it. See docs/benchmarks.md ("Version history").
 */
public final class HistoryBench
{
    private HistoryBench()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        EngramSystemProperties.apply();
        run(args);
    }

    public static void run(final String[] args) throws Exception
    {
        long keys = 100_000;
        int valueLength = 200;
        long deltas = 100_000;
        int reps = 3;
        long changes = 100;
        long seed = 15;
        Path dir = null;
        HistoryBenchMode mode = HistoryBenchMode.DEFAULT;
        for (int i = 0; i < args.length; i++)
        {
            final String option = args[i];
            switch (option)
            {
                case "--keys" -> keys = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--value" -> valueLength = (int)CommandLineValues.bytes(option, CommandLineValues.value(args, ++i, option));
                case "--deltas" -> deltas = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--reps" -> reps = (int)CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--changes" -> changes = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--seed" -> seed = CommandLineValues.count(option, CommandLineValues.value(args, ++i, option));
                case "--dir" -> dir = Path.of(CommandLineValues.value(args, ++i, option));
                case "--mode" -> mode = HistoryBenchMode.parse(CommandLineValues.value(args, ++i, option));
                default ->
                {
                    System.err.println("""
                        usage: bench history [--keys 100k] [--value 200] [--deltas 100k] [--changes 100] [--reps 3]
                                             [--seed 15] [--dir D] [--mode default|scan]
                          --mode scan: the history index and anchors off (today's replay from the nearest checkpoint
                          and journal scans), for the before/after comparison in one build""");
                    System.exit(2);
                    return;
                }
            }
        }
        final Path root = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("engram-history-bench");
        System.out.printf("bench history --keys %d --value %d --deltas %d --changes %d --reps %d --seed %d --mode %s%n",
            keys, valueLength, deltas, changes, reps, seed, mode.label());
        System.out.println("data: " + root);
        final StateContext ctx = new StateContext().directory(root).historyVersions(Long.MAX_VALUE / 4);
        mode.configure(ctx);
        final int[] changeCounts = new int[(int)keys];
        final long loadStart = System.nanoTime();
        try (StateStore store = StateStore.open(ctx))
        {
            final long written = load(store, keys, valueLength, deltas, seed, changeCounts);
            final double loadS = (System.nanoTime() - loadStart) / 1e9;
            mode.awaitReady(store, written);
            final HistoryRange range = store.historyRange();
            System.out.printf("loaded %,d versions in %.1f s; history range %s; checkpoints %d%n", written, loadS, range,
                store.checkpointCount());
            final SplittableRandom random = new SplittableRandom(seed * 31);
            final int keyIndex = keyWithChanges(changeCounts, changes);
            // one call of each first, not counted: class loading and JIT, the first mapping of the files
            final long firstStart = System.nanoTime();
            try (StateSnapshot snapshot = store.stateAt(range.newestVersion() / 2))
            {
                snapshot.get(key(0));
            }
            final long firstStateAtNs = System.nanoTime() - firstStart;
            final long firstHistoryStart = System.nanoTime();
            store.history(key(keyIndex));
            final long firstHistoryNs = System.nanoTime() - firstHistoryStart;
            System.out.printf("first calls (not counted): stateAt %s ms, history %s ms%n", ms(firstStateAtNs), ms(firstHistoryNs));
            final long[] stateAtNs = new long[reps];
            final long[] replayed = new long[reps];
            for (int r = 0; r < reps; r++)
            {
                final long version = range.oldestVersion() + 1 + random.nextLong(range.newestVersion() - range.oldestVersion());
                final long start = System.nanoTime();
                try (StateSnapshot snapshot = store.stateAt(version))
                {
                    snapshot.get(key(random.nextLong(keys)));
                    stateAtNs[r] = System.nanoTime() - start;
                    replayed[r] = snapshot.framesReplayed();
                }
            }
            final long[] historyNs = new long[reps];
            int found = 0;
            for (int r = 0; r < reps; r++)
            {
                final long start = System.nanoTime();
                final KeyHistory history = store.history(key(keyIndex));
                historyNs[r] = System.nanoTime() - start;
                found = history.changes().size();
            }
            final long[] diffNs = new long[reps];
            long compared = 0;
            for (int r = 0; r < reps; r++)
            {
                final long from = range.oldestVersion() + random.nextLong(Math.max(1, range.newestVersion() - range.oldestVersion() - 1000));
                final long start = System.nanoTime();
                final StateDiff diff = store.diff(from, Math.min(range.newestVersion(), from + 1000));
                diffNs[r] = System.nanoTime() - start;
                compared = diff.keysCompared();
            }
            final long[] diffLongNs = new long[Math.min(reps, 2)];
            final long longSpan = Math.min(1_000_000, range.newestVersion() - range.oldestVersion());
            long comparedLong = 0;
            for (int r = 0; r < diffLongNs.length; r++)
            {
                final long to = range.newestVersion() - r;
                final long start = System.nanoTime();
                final StateDiff diff = store.diff(to - longSpan + r, to);
                diffLongNs[r] = System.nanoTime() - start;
                comparedLong = diff.keysCompared();
            }
            final OrderedScans ordered = OrderedScans.measure(store, keys, reps, random);
            System.out.println();
            System.out.println("| call | median ms | max ms | detail |");
            System.out.println("|---|---|---|---|");
            System.out.printf("| `stateAt(v)` + one get, random v | %s | %s | frames replayed %s |%n", median(stateAtNs), max(stateAtNs),
                Arrays.toString(replayed));
            System.out.printf("| `history(key)`, %d changes | %s | %s | key %s |%n", found, median(historyNs), max(historyNs),
                key(keyIndex));
            System.out.printf("| `diff` over 1k versions | %s | %s | %d keys compared (last) |%n", median(diffNs), max(diffNs),
                compared);
            System.out.printf("| `diff` over %,d versions | %s | %s | %d keys compared (last) |%n", longSpan, median(diffLongNs),
                max(diffLongNs), comparedLong);
            ordered.print();
        }
    }

    private static long load(final StateStore store, final long keys, final int valueLength, final long deltas,
        final long seed, final int[] changeCounts)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] value = new byte[valueLength];
        final Delta delta = store.journal().newDelta();
        long version = 0;
        for (long k = 0; k < keys; )
        {
            delta.clear();
            for (int i = 0; i < 100 && k < keys; i++, k++)
            {
                fill(value, random);
                delta.put(key(k), value);
            }
            version = store.journal().append(delta);
        }
        final ZipfKeys zipf = new ZipfKeys((int)keys, 1.0);
        for (long d = 0; d < deltas; d++)
        {
            delta.clear();
            final int ops = 1 + random.nextInt(3);
            for (int i = 0; i < ops; i++)
            {
                final int k = zipf.next(random);
                fill(value, random);
                delta.put(key(k), value);
                changeCounts[k]++;
            }
            version = store.journal().append(delta);
        }
        if (!store.journal().awaitWritten(version, 10, TimeUnit.MINUTES) || !store.awaitApplied(version, 10, TimeUnit.MINUTES))
        {
            throw new IllegalStateException("version=" + version + " not written and applied within 10 minutes");
        }
        return version;
    }

    private static void fill(final byte[] value, final SplittableRandom random)
    {
        final long bits = random.nextLong();
        for (int i = 0; i < value.length; i++)
        {
            value[i] = (byte)(bits >>> ((i & 7) << 3) ^ i);
        }
    }

    static String key(final long index)
    {
        return "k/" + index;
    }

    private static int keyWithChanges(final int[] changeCounts, final long wanted)
    {
        int best = 0;
        for (int k = 1; k < changeCounts.length; k++)
        {
            if (Math.abs(changeCounts[k] + 1 - wanted) < Math.abs(changeCounts[best] + 1 - wanted))
            {
                best = k;
            }
        }
        return best;
    }

    static String median(final long[] ns)
    {
        final long[] sorted = ns.clone();
        Arrays.sort(sorted);
        return ms(sorted[sorted.length / 2]);
    }

    static String max(final long[] ns)
    {
        return ms(Arrays.stream(ns).max().orElse(0));
    }

    static String ms(final long ns)
    {
        return String.format("%.1f", ns / 1e6);
    }
}
