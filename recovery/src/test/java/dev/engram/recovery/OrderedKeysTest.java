package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Ordered scans (prefix and range, live state and {@code stateAt} snapshots) checked against a {@link TreeMap} in
 * unsigned UTF-8 byte order, at random points of a random workload of puts and deletes, across delta checkpoints,
 * consolidations and a reopen.
 */
class OrderedKeysTest
{
    /** Key order: unsigned bytes of the UTF-8 key. */
    static final Comparator<String> UTF8_ORDER = (a, b) ->
        Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    private static final String[] PREFIXES = {"a/", "a/b", "ab", "b/", "é/", "ключ/", "\uD83D\uDE00/", "z", "\u007F", "\u0080"};

    @TempDir
    Path dir;

    private StateContext ctx()
    {
        return new StateContext().directory(dir).background(false).snapshotIndex(false).maxChainLength(3)
            .deltaChangedKeysRatio(10).maxChainSizeRatio(100).checkpointIntervalMs(0).historyVersions(Long.MAX_VALUE)
            .historyAnchorEveryFrames(300);
    }

    private static String randomKey(final SplittableRandom random)
    {
        final String prefix = PREFIXES[random.nextInt(PREFIXES.length)];
        final StringBuilder key = new StringBuilder(prefix);
        final int extra = random.nextInt(4);
        for (int i = 0; i < extra; i++)
        {
            final int pick = random.nextInt(6);
            key.append(pick == 0 ? '\u00FF' : pick == 1 ? '/' : (char)('0' + random.nextInt(10)));
        }
        return key.length() == 0 ? "k" : key.toString();
    }

    @Test
    void shouldScanInKeyOrderLikeATreeMapOnTheLiveStateAndOnSnapshotsAcrossCheckpointsAndReopen()
    {
        final long seed = System.nanoTime();
        final SplittableRandom random = new SplittableRandom(seed);
        final NavigableMap<String, byte[]> model = new TreeMap<>(UTF8_ORDER);
        final List<Long> versions = new ArrayList<>();
        final List<NavigableMap<String, byte[]>> models = new ArrayList<>();
        long version = 0;
        for (int round = 0; round < 2; round++)
        {
            try (StateStore store = StateStore.open(ctx()))
            {
                final Journal journal = store.journal();
                final Delta delta = journal.newDelta();
                for (int batch = 0; batch < 12; batch++)
                {
                    final int frames = 1 + random.nextInt(250);
                    for (int f = 0; f < frames; f++)
                    {
                        delta.clear();
                        final int ops = 1 + random.nextInt(3);
                        for (int o = 0; o < ops; o++)
                        {
                            final String key = randomKey(random);
                            if (random.nextInt(4) == 0)
                            {
                                delta.delete(key);
                                model.remove(key);
                            }
                            else
                            {
                                final byte[] value = new byte[1 + random.nextInt(40)];
                                random.nextBytes(value);
                                delta.put(key, value);
                                model.put(key, value);
                            }
                        }
                        version = journal.append(delta);
                    }
                    assertTrue(store.awaitApplied(version, 30, TimeUnit.SECONDS));
                    versions.add(version);
                    models.add(new TreeMap<>(model));
                    final String when = "seed=" + seed + " round=" + round + " batch=" + batch + " version=" + version;
                    assertLiveScans(store, model, random, when);
                    if (random.nextInt(3) != 0)
                    {
                        store.checkpoint();
                        assertLiveScans(store, model, random, when + " after a checkpoint");
                    }
                }
                for (int i = 0; i < 6; i++)
                {
                    final int at = random.nextInt(versions.size());
                    try (StateSnapshot snapshot = store.stateAt(versions.get(at)))
                    {
                        assertSnapshotScans(snapshot, models.get(at), random, "seed=" + seed + " stateAt(" + versions.get(at) + ")");
                    }
                }
                if (round == 0)
                {
                    assertTrue(store.sortedKeysCache().extensions() > 0, "checkpoints derive the keys of the next chain");
                }
            }
        }
    }

    private static void assertLiveScans(final StateStore store, final NavigableMap<String, byte[]> model,
        final SplittableRandom random, final String when)
    {
        try (StateReader reader = store.newReader())
        {
            for (int i = 0; i < 8; i++)
            {
                final String prefix = i == 0 ? "" : randomPrefix(random);
                final List<Map.Entry<String, byte[]>> seen = new ArrayList<>();
                final long count = reader.forEach(prefix, (k, ko, kl, value, vo, vl) -> seen.add(entry(k, ko, kl, value, vo, vl)));
                assertScan(expectedPrefix(model, prefix), seen, count, when + " prefix=" + prefix);
                final String from = random.nextInt(5) == 0 ? "" : randomKey(random);
                final String to = random.nextInt(5) == 0 ? null : randomKey(random);
                final List<Map.Entry<String, byte[]>> ranged = new ArrayList<>();
                final long rangeCount = reader.forEach(from, to, (k, ko, kl, value, vo, vl) -> ranged.add(entry(k, ko, kl, value, vo, vl)));
                assertScan(expectedRange(model, from, to), ranged, rangeCount, when + " range=[" + from + ", " + to + ")");
            }
        }
    }

    private static void assertSnapshotScans(final StateSnapshot snapshot, final NavigableMap<String, byte[]> model,
        final SplittableRandom random, final String when)
    {
        for (int i = 0; i < 8; i++)
        {
            final String prefix = i == 0 ? "" : randomPrefix(random);
            final List<Map.Entry<String, byte[]>> seen = new ArrayList<>();
            final long count = snapshot.forEach(prefix, (key, value, offset, length) -> seen.add(Map.entry(key, bytes(value, offset, length))));
            assertScan(expectedPrefix(model, prefix), seen, count, when + " prefix=" + prefix);
            final String from = randomKey(random);
            final String to = random.nextInt(4) == 0 ? null : randomKey(random);
            final List<Map.Entry<String, byte[]>> ranged = new ArrayList<>();
            final long rangeCount = snapshot.forEach(from, to, (key, value, offset, length) -> ranged.add(Map.entry(key, bytes(value, offset, length))));
            assertScan(expectedRange(model, from, to), ranged, rangeCount, when + " range=[" + from + ", " + to + ")");
        }
    }

    private static String randomPrefix(final SplittableRandom random)
    {
        final String key = randomKey(random);
        return key.substring(0, key.offsetByCodePoints(0, 1 + random.nextInt(key.codePointCount(0, key.length()))));
    }

    static List<Map.Entry<String, byte[]>> expectedPrefix(final NavigableMap<String, byte[]> model, final String prefix)
    {
        final List<Map.Entry<String, byte[]>> out = new ArrayList<>();
        final byte[] wanted = prefix.getBytes(StandardCharsets.UTF_8);
        for (final Map.Entry<String, byte[]> e : model.tailMap(prefix, true).entrySet())
        {
            final byte[] key = e.getKey().getBytes(StandardCharsets.UTF_8);
            if (key.length < wanted.length || !Arrays.equals(key, 0, wanted.length, wanted, 0, wanted.length))
            {
                break;
            }
            out.add(e);
        }
        return out;
    }

    static List<Map.Entry<String, byte[]>> expectedRange(final NavigableMap<String, byte[]> model, final String from, final String to)
    {
        if (to != null && UTF8_ORDER.compare(from, to) >= 0)
        {
            return List.of();
        }
        return new ArrayList<>((to == null ? model.tailMap(from, true) : model.subMap(from, true, to, false)).entrySet());
    }

    static void assertScan(final List<Map.Entry<String, byte[]>> expected, final List<Map.Entry<String, byte[]>> seen,
        final long count, final String when)
    {
        assertEquals(expected.stream().map(Map.Entry::getKey).toList(), seen.stream().map(Map.Entry::getKey).toList(),
            () -> when + ": keys in order");
        for (int i = 0; i < expected.size(); i++)
        {
            assertArrayEquals(expected.get(i).getValue(), seen.get(i).getValue(), when + " value of " + expected.get(i).getKey());
        }
        assertEquals(expected.size(), count, () -> when + ": count");
    }

    private static Map.Entry<String, byte[]> entry(final org.agrona.DirectBuffer k, final int ko, final int kl,
        final org.agrona.DirectBuffer value, final int vo, final int vl)
    {
        final byte[] key = new byte[kl];
        k.getBytes(ko, key);
        return Map.entry(new String(key, StandardCharsets.UTF_8), bytes(value, vo, vl));
    }

    private static byte[] bytes(final org.agrona.DirectBuffer value, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        value.getBytes(offset, bytes);
        return bytes;
    }
}
