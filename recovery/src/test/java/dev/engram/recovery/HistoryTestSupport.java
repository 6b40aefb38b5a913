package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalReader;
import dev.engram.journal.OpType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Helpers for the version history tests: the seeded workload's model walked forward version by version,
 * snapshot-versus-model comparison, the journal's timestamps, and the ops each key received.
 */
final class HistoryTestSupport
{
    private HistoryTestSupport()
    {
    }

    /** The seeded model, moved forward incrementally (versions asked for in ascending order are cheap). */
    static final class ModelWalker
    {
        private final SeededWorkload workload;
        private Map<String, byte[]> state = new HashMap<>();
        private long version;

        ModelWalker(final SeededWorkload workload)
        {
            this.workload = workload;
        }

        Map<String, byte[]> at(final long target)
        {
            if (target < version)
            {
                state = new HashMap<>();
                version = 0;
            }
            while (version < target)
            {
                workload.apply(state, ++version);
            }
            return state;
        }
    }

    static long append(final StateStore store, final SeededWorkload workload, final long from, final long to)
    {
        final Journal journal = store.journal();
        final Delta delta = journal.newDelta();
        for (long v = from; v <= to; v++)
        {
            assertEquals(v, journal.append(workload.fill(v, delta)));
        }
        assertTrue(store.awaitApplied(to, 30, TimeUnit.SECONDS), "applied " + to);
        return to;
    }

    /**
     * Every key of the universe read with get, and the whole snapshot walked with forEach, equal the model.
     */
    static void assertSnapshotEquals(final StateSnapshot snapshot, final Map<String, byte[]> model, final String when)
    {
        for (final String key : SeededWorkload.keyUniverse())
        {
            assertArrayEquals(model.get(key), snapshot.get(key), () -> when + ": key=" + key + " " + snapshot);
        }
        final Map<String, byte[]> walked = new TreeMap<>();
        snapshot.forEach("", (key, value, offset, length) ->
        {
            final byte[] copy = new byte[length];
            value.getBytes(offset, copy);
            assertNull(walked.put(key, copy), () -> when + ": forEach visited key=" + key + " twice");
        });
        assertEquals(new TreeMap<>(model).keySet(), walked.keySet(), () -> when + ": live keys " + snapshot);
        for (final Map.Entry<String, byte[]> entry : walked.entrySet())
        {
            assertArrayEquals(model.get(entry.getKey()), entry.getValue(), () -> when + ": forEach key=" + entry.getKey());
        }
        final long populations = model.keySet().stream().filter(k -> k.startsWith("population/")).count();
        final long[] visited = {0};
        assertEquals(populations, snapshot.forEach("population/", (key, value, offset, length) ->
        {
            assertTrue(key.startsWith("population/"), key);
            visited[0]++;
        }), when + ": prefix population/");
        assertEquals(populations, visited[0]);
    }

    /**
     * @return timestamps[v] = the journal's timestamp of version v (index 0 unused), for versions 1..last.
     */
    /**
     * The diff's added, changed and removed keys equal those of the workload's models at its two versions.
     */
    static void assertDiffEqualsModel(final StateDiff diff, final SeededWorkload workload, final String when)
    {
        final Map<String, byte[]> before = workload.model(diff.fromVersion());
        final Map<String, byte[]> after = workload.model(diff.toVersion());
        final List<String> added = new ArrayList<>();
        final List<String> changed = new ArrayList<>();
        final List<String> removed = new ArrayList<>();
        for (final String key : new java.util.TreeSet<>(List.of(SeededWorkload.keyUniverse())))
        {
            final byte[] x = before.get(key);
            final byte[] y = after.get(key);
            if (x == null && y != null)
            {
                added.add(key);
            }
            else if (x != null && y == null)
            {
                removed.add(key);
            }
            else if (x != null && !java.util.Arrays.equals(x, y))
            {
                changed.add(key);
            }
        }
        assertEquals(added, diff.added(), when);
        assertEquals(changed, diff.changed(), when);
        assertEquals(removed, diff.removed(), when);
    }

    static long[] timestamps(final Journal journal, final long last)
    {
        final long[] timestamps = new long[(int)last + 1];
        try (JournalReader reader = journal.newReader())
        {
            reader.replay(1, last, frame -> timestamps[(int)frame.version()] = frame.timestampEpochNs());
        }
        return timestamps;
    }

    /** One op of the workload on a key. */
    record ExpectedChange(long version, OpType op)
    {
    }

    /**
     * @return key → the ops the workload's versions [from, to] apply to it, in order.
     */
    static Map<String, List<ExpectedChange>> expectedChanges(final SeededWorkload workload, final long from, final long to)
    {
        final Map<String, List<ExpectedChange>> changes = new HashMap<>();
        for (long v = from; v <= to; v++)
        {
            final long version = v;
            workload.generate(v, new SeededWorkload.Ops()
            {
                public void put(final String key, final byte[] value)
                {
                    changes.computeIfAbsent(key, k -> new ArrayList<>()).add(new ExpectedChange(version, OpType.PUT));
                }

                public void delete(final String key)
                {
                    changes.computeIfAbsent(key, k -> new ArrayList<>()).add(new ExpectedChange(version, OpType.DELETE));
                }

                public void patch(final String key, final long offset, final byte[] data)
                {
                    changes.computeIfAbsent(key, k -> new ArrayList<>()).add(new ExpectedChange(version, OpType.PATCH));
                }
            });
        }
        return changes;
    }

    static long seed(final String test)
    {
        final long seed = Long.getLong("engram.test.seed", System.nanoTime());
        System.out.println(test + " seed=" + seed + " (rerun with -Dengram.test.seed=" + seed + ")");
        return seed;
    }
}
