package dev.engram.recovery.internal.history;

import dev.engram.journal.OpType;
import dev.engram.recovery.KeyHistory;
import dev.engram.recovery.internal.checkpoint.KeyHash;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link KeyRun}: the key history index's in-memory run, checked against a plain map of lists, and free of
 * allocation per op once its arrays have grown.
 */
class KeyRunTest
{
    private static byte[] utf8(final String key)
    {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldGroupOpsByKeyInVersionOrderAcrossGrowthAndClear()
    {
        final KeyRun run = new KeyRun();
        for (int round = 0; round < 2; round++)
        {
            final Map<String, List<Long>> model = new HashMap<>();
            final SplittableRandom random = new SplittableRandom(round);
            for (long v = 1; v <= 20_000; v++)
            {
                // 5,000 keys of varied lengths (some non-ASCII): the table, the key arena and the columns all grow
                final String key = "k/" + "é".repeat(random.nextInt(3)) + random.nextInt(5_000);
                run.add(utf8(key), v, v * 10, (v % 3 == 0 ? OpType.DELETE : OpType.PUT).code());
                model.computeIfAbsent(key, k -> new ArrayList<>()).add(v);
            }
            assertEquals(model.size(), run.keyCount());
            for (final Map.Entry<String, List<Long>> entry : model.entrySet())
            {
                final byte[] key = utf8(entry.getKey());
                final int id = run.find(key, KeyHash.hash(key, 0, key.length));
                assertTrue(id >= 0, entry.getKey());
                assertArrayEquals(key, run.keyBytes(id));
                assertEquals(entry.getValue().size(), run.changeCount(id));
                final List<KeyHistory.Change> changes = new ArrayList<>();
                run.copyTo(id, 0, Long.MAX_VALUE, changes);
                assertEquals(entry.getValue(), changes.stream().map(KeyHistory.Change::version).toList());
                assertEquals(entry.getValue().get(0) * 10, changes.get(0).timestampEpochNs());
                final List<KeyHistory.Change> ranged = new ArrayList<>();
                run.copyTo(id, 5_000, 9_999, ranged);
                assertEquals(entry.getValue().stream().filter(v -> v >= 5_000 && v <= 9_999).toList(),
                    ranged.stream().map(KeyHistory.Change::version).toList());
            }
            final byte[] absent = utf8("absent");
            assertEquals(-1, run.find(absent, KeyHash.hash(absent, 0, absent.length)));
            final Set<String> changedIn = new HashSet<>();
            run.keysChangedIn(100, 200, changedIn);
            final Set<String> expected = new HashSet<>();
            model.forEach((key, versions) ->
            {
                if (versions.stream().anyMatch(v -> v >= 100 && v <= 200))
                {
                    expected.add(key);
                }
            });
            assertEquals(expected, changedIn);
            run.clear();
            assertEquals(0, run.keyCount());
            assertEquals(-1, run.find(utf8("k/1"), KeyHash.hash(utf8("k/1"), 0, 3)));
        }
    }

    @Test
    void shouldNotAllocatePerOpOnceGrown()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final UnsafeBuffer[] keys = new UnsafeBuffer[4_096];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = new UnsafeBuffer(utf8("population/" + i));
        }
        final KeyRun run = new KeyRun();
        for (int round = 0; round < 3; round++)   // grow, then warm the code up
        {
            fill(run, keys);
            run.clear();
        }
        final long thread = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(thread);
        fill(run, keys);
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;
        // 65,536 ops: a String, a map entry and a list per op, as the run used to hold, is megabytes
        assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes for 65,536 ops");
    }

    private static void fill(final KeyRun run, final UnsafeBuffer[] keys)
    {
        for (int v = 1; v <= 65_536; v++)
        {
            final UnsafeBuffer key = keys[(v * 31) & (keys.length - 1)];
            run.add(key, 0, key.capacity(), v, v, OpType.PUT.code());
        }
    }
}
