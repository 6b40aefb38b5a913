package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The child JVM of {@link OrderedScanStressTest}: ordered scans racing the applier and the background checkpointer
 * (a checkpoint every 400 frames swaps the generation and derives the next chain's sorted keys). A producer appends
 * {@link #LAST} versions: first {@link #STABLE} stable keys {@code s/NNNN}, then per version an update of one stable
 * key and a put or delete of a churn key {@code c/NNN}; every value is the version that wrote it. Two readers scan
 * the live state by prefix and by range and check what the engine promises: keys strictly in order and each once,
 * every stable key in the range visited, with a value written at or after the last write of it at or before the
 * version applied when the scan started; a third scans {@code stateAt} snapshots and compares them with the model
 * exactly. Args: {@code DIR SEED}. Prints {@code ok scans=<n> snapshots=<n>}; a wrong answer exits non-zero.
 */
public final class OrderedScanStressChild
{
    static final int STABLE = 1000;
    static final int CHURN = 600;
    static final long LAST = 16_000;

    private OrderedScanStressChild()
    {
    }

    static String stableKey(final long i)
    {
        return String.format("s/%04d", i);
    }

    /** The stable key version v updates (v > STABLE), and the churn key it puts (odd v) or deletes (even v). */
    static long stableOf(final long v)
    {
        return (v * 7919) % STABLE;
    }

    static String churnOf(final long v)
    {
        return String.format("c/%03d", (v % 2 == 1 ? v * 31 : v * 17) % CHURN);
    }

    static byte[] value(final long v)
    {
        return ByteBuffer.allocate(8 + (int)(v % 13)).putLong(0, v).array();
    }

    static void fill(final long v, final Delta delta)
    {
        delta.clear();
        if (v <= STABLE)
        {
            delta.put(stableKey(v - 1), value(v));
            return;
        }
        delta.put(stableKey(stableOf(v)), value(v));
        if (v % 2 == 1)
        {
            delta.put(churnOf(v), value(v));
        }
        else
        {
            delta.delete(churnOf(v));
        }
    }

    static NavigableMap<String, Long> model(final long version)
    {
        final NavigableMap<String, Long> model = new TreeMap<>(OrderedKeysTest.UTF8_ORDER);
        for (long v = 1; v <= version; v++)
        {
            if (v <= STABLE)
            {
                model.put(stableKey(v - 1), v);
                continue;
            }
            model.put(stableKey(stableOf(v)), v);
            if (v % 2 == 1)
            {
                model.put(churnOf(v), v);
            }
            else
            {
                model.remove(churnOf(v));
            }
        }
        return model;
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final long seed = Long.parseLong(args[1]);
        // the versions writing each stable key, ascending
        final List<List<Long>> writes = new ArrayList<>();
        for (int i = 0; i < STABLE; i++)
        {
            writes.add(new ArrayList<>(List.of(i + 1L)));
        }
        for (long v = STABLE + 1; v <= LAST; v++)
        {
            writes.get((int)stableOf(v)).add(v);
        }
        final StateContext ctx = new StateContext().directory(dir).snapshotIndex(false).maxChainLength(4)
            .deltaChangedKeysRatio(10).maxChainSizeRatio(100).checkpointIntervalMs(0).checkpointEveryFrames(400)
            .historyVersions(Long.MAX_VALUE).historyAnchorEveryFrames(300);
        try (StateStore store = StateStore.open(ctx))
        {
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final Thread producer = new Thread(() ->
            {
                try
                {
                    final Journal journal = store.journal();
                    final Delta delta = journal.newDelta();
                    for (long v = 1; v <= LAST; v++)
                    {
                        fill(v, delta);
                        journal.append(delta);
                        if (v % 4 == 0)
                        {
                            // pacing, not synchronisation: spreads the run over seconds so checkpoints and snapshots
                            // happen while the readers scan
                            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }, "stress-producer");
            final long[] scans = new long[2];
            final List<Thread> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++)
            {
                final int id = r;
                readers.add(new Thread(() ->
                {
                    final SplittableRandom random = new SplittableRandom(seed + id);
                    try (StateReader reader = store.newReader())
                    {
                        while (producer.isAlive() && failure.get() == null)
                        {
                            liveScan(store, reader, random, writes);
                            scans[id]++;
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                }, "stress-reader-" + r));
            }
            producer.start();
            readers.forEach(Thread::start);
            final SplittableRandom random = new SplittableRandom(seed * 5);
            long snapshots = 0;
            while (producer.isAlive() && failure.get() == null)
            {
                final long version = random.nextLong(store.appliedVersion() + 1);
                try (StateSnapshot snapshot = store.stateAt(version))
                {
                    final NavigableMap<String, Long> model = model(version);
                    final String from = random.nextBoolean() ? "" : stableKey(random.nextInt(STABLE));
                    final List<String> keys = new ArrayList<>();
                    snapshot.forEach(from, null, (key, value, offset, length) ->
                    {
                        final Long want = model.get(key);
                        if (want == null || value.getLong(offset, java.nio.ByteOrder.BIG_ENDIAN) != want)
                        {
                            throw new AssertionError("stateAt(" + version + ") " + key + ": want " + want);
                        }
                        keys.add(key);
                    });
                    if (!keys.equals(new ArrayList<>(model.tailMap(from, true).keySet())))
                    {
                        throw new AssertionError("stateAt(" + version + ") from " + from + ": keys differ");
                    }
                    snapshots++;
                }
            }
            producer.join();
            for (final Thread reader : readers)
            {
                reader.join();
            }
            if (failure.get() != null)
            {
                throw new AssertionError("seed=" + seed, failure.get());
            }
            if (!store.awaitApplied(LAST, 60, TimeUnit.SECONDS))
            {
                throw new AssertionError("not applied");
            }
            final NavigableMap<String, Long> model = model(LAST);
            final List<String> keys = new ArrayList<>();
            try (StateReader reader = store.newReader())
            {
                reader.forEach("", (k, ko, kl, value, vo, vl) -> keys.add(k.getStringWithoutLengthUtf8(ko, kl)));
            }
            if (!keys.equals(new ArrayList<>(model.keySet())))
            {
                throw new AssertionError("after the run: keys differ");
            }
            if (store.checkpointCount() < 2 || snapshots < 1)
            {
                throw new AssertionError("the run raced too little: checkpoints=" + store.checkpointCount() +
                    " snapshots=" + snapshots);
            }
            System.out.println("ok scans=" + (scans[0] + scans[1]) + " snapshots=" + snapshots + " checkpoints=" +
                store.checkpointCount() + " chains built=" + store.sortedKeysCache().builds() + " extended=" +
                store.sortedKeysCache().extensions());
        }
    }

    private static void liveScan(final StateStore store, final StateReader reader, final SplittableRandom random,
        final List<List<Long>> writes)
    {
        final boolean byPrefix = random.nextBoolean();
        final String prefix = random.nextInt(3) == 0 ? "" : random.nextBoolean() ? "s/" + random.nextInt(10) : "c/" + random.nextInt(6);
        final String from = random.nextInt(4) == 0 ? "" : random.nextBoolean() ? stableKey(random.nextInt(STABLE)) : "c/" + random.nextInt(CHURN);
        final String to = random.nextInt(3) == 0 ? null : stableKey(random.nextInt(STABLE));
        final long start = store.appliedVersion();
        final byte[][] previous = {null};
        final List<String> stableSeen = new ArrayList<>();
        final var consumer = (StateReader.EntryConsumer)(k, ko, kl, value, vo, vl) ->
        {
            final byte[] key = new byte[kl];
            k.getBytes(ko, key);
            if (previous[0] != null && Arrays.compareUnsigned(previous[0], key) >= 0)
            {
                throw new AssertionError("out of order or twice: " + new String(previous[0], StandardCharsets.UTF_8) + " then " +
                    new String(key, StandardCharsets.UTF_8));
            }
            previous[0] = key;
            final String name = new String(key, StandardCharsets.UTF_8);
            final long wrote = value.getLong(vo, java.nio.ByteOrder.BIG_ENDIAN);
            if (name.startsWith("s/"))
            {
                stableSeen.add(name);
                final List<Long> versions = writes.get(Integer.parseInt(name.substring(2)));
                long lastAtStart = 0;
                for (final long v : versions)
                {
                    if (v <= start)
                    {
                        lastAtStart = v;
                    }
                }
                if (wrote < lastAtStart || !versions.contains(wrote))
                {
                    throw new AssertionError(name + " has the value of version=" + wrote + ", older than version=" +
                        lastAtStart + " it had when the scan started at " + start);
                }
            }
        };
        if (byPrefix)
        {
            reader.forEach(prefix, consumer);
        }
        else
        {
            reader.forEach(from, to, consumer);
        }
        // every stable key live at the start (all written by version i + 1) in the range was visited
        final List<String> want = new ArrayList<>();
        for (int i = 0; i < STABLE && i + 1 <= start; i++)
        {
            final String key = stableKey(i);
            final boolean in = byPrefix ? key.startsWith(prefix) :
                OrderedKeysTest.UTF8_ORDER.compare(key, from) >= 0 && (to == null || OrderedKeysTest.UTF8_ORDER.compare(key, to) < 0);
            if (in)
            {
                want.add(key);
            }
        }
        stableSeen.retainAll(want);
        if (!stableSeen.equals(want))
        {
            final List<String> missing = new ArrayList<>(want);
            missing.removeAll(stableSeen);
            throw new AssertionError("scan from version=" + start + " missed stable keys " +
                missing.subList(0, Math.min(5, missing.size())));
        }
    }
}
