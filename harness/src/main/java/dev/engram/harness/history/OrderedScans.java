package dev.engram.harness.history;

import dev.engram.recovery.StateReader;
import dev.engram.recovery.StateSnapshot;
import dev.engram.recovery.StateStore;

import java.util.SplittableRandom;

/**
 * The ordered-scan rows of {@link HistoryBench}: {@code forEach(prefix)} returning ~10 of the bench's keys
 * ({@code k/<i>}: a prefix of all but the last digit of a key matches it and its ten extensions, 11 keys), on the
 * live state and on a {@code stateAt} snapshot of the newest version. The first scan of a chain builds its sorted
 * keys and is shown apart; each counted figure is the median and worst of {@code 100 × reps} scans at random
 * prefixes.
 */
final class OrderedScans
{
    private final long firstLiveNs;
    private final long[] liveNs;
    private final long firstSnapshotNs;
    private final long[] snapshotNs;
    private final long returned;

    private OrderedScans(final long firstLiveNs, final long[] liveNs, final long firstSnapshotNs, final long[] snapshotNs,
        final long returned)
    {
        this.firstLiveNs = firstLiveNs;
        this.liveNs = liveNs;
        this.firstSnapshotNs = firstSnapshotNs;
        this.snapshotNs = snapshotNs;
        this.returned = returned;
    }

    static OrderedScans measure(final StateStore store, final long keys, final int reps, final SplittableRandom random)
    {
        final int scans = 100 * reps;
        final long[] count = {0};
        final StateReader.EntryConsumer counter = (k, ko, kl, value, vo, vl) -> count[0]++;
        try (StateReader reader = store.newReader())
        {
            long start = System.nanoTime();
            reader.forEach(prefix(keys, random), counter);
            final long firstLive = System.nanoTime() - start;
            final long[] live = new long[scans];
            for (int i = 0; i < scans; i++)
            {
                final String prefix = prefix(keys, random);
                count[0] = 0;
                start = System.nanoTime();
                reader.forEach(prefix, counter);
                live[i] = System.nanoTime() - start;
            }
            final long returned = count[0];
            try (StateSnapshot snapshot = store.stateAt(store.historyRange().newestVersion()))
            {
                final StateSnapshot.EntryVisitor visitor = (key, value, offset, length) -> count[0]++;
                start = System.nanoTime();
                snapshot.forEach(prefix(keys, random), visitor);
                final long firstSnapshot = System.nanoTime() - start;
                final long[] snapshotScans = new long[scans];
                for (int i = 0; i < scans; i++)
                {
                    final String prefix = prefix(keys, random);
                    start = System.nanoTime();
                    snapshot.forEach(prefix, visitor);
                    snapshotScans[i] = System.nanoTime() - start;
                }
                return new OrderedScans(firstLive, live, firstSnapshot, snapshotScans, returned);
            }
        }
    }

    /**
     * @return {@code k/} and an index one digit shorter than the largest key's: it matches that key and its ten
     * one-digit extensions, 11 keys (with at least 100 keys).
     */
    static String prefix(final long keys, final SplittableRandom random)
    {
        final int digits = Long.toString(keys - 1).length();
        final long low = pow10(digits - 2);
        final long high = Math.min(pow10(digits - 1) - 1, (keys - 10) / 10);
        return "k/" + (low + random.nextLong(Math.max(1, high - low + 1)));
    }

    private static long pow10(final int n)
    {
        long p = 1;
        for (int i = 0; i < n; i++)
        {
            p *= 10;
        }
        return p;
    }

    void print()
    {
        System.out.printf("| `forEach(prefix)`, ~10 keys of the live state, first (builds the sorted keys) | %s | | |%n",
            HistoryBench.ms(firstLiveNs));
        System.out.printf("| `forEach(prefix)`, ~10 keys of the live state | %s | %s | %d keys (last); %d scans; p99 %s ms |%n",
            median3(liveNs), HistoryBench.max(liveNs), returned, liveNs.length, p99(liveNs));
        System.out.printf("| `forEach(prefix)` on `stateAt(newest)`, first | %s | | |%n", HistoryBench.ms(firstSnapshotNs));
        System.out.printf("| `forEach(prefix)` on `stateAt(newest)` | %s | %s | %d scans; p99 %s ms |%n",
            median3(snapshotNs), HistoryBench.max(snapshotNs), snapshotNs.length, p99(snapshotNs));
    }

    private static String median3(final long[] ns)
    {
        final long[] sorted = ns.clone();
        java.util.Arrays.sort(sorted);
        return String.format("%.3f", sorted[sorted.length / 2] / 1e6);
    }

    private static String p99(final long[] ns)
    {
        final long[] sorted = ns.clone();
        java.util.Arrays.sort(sorted);
        return String.format("%.3f", sorted[(int)Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6);
    }
}
