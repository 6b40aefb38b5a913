package dev.engram.recovery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.engram.recovery.HistoryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code diff} finding its keys through the key history index: the same answer as the journal scan (the index off)
 * and as the seeded model at random version pairs, the keys compared being exactly those the range's ops touched;
 * with the index caught up a diff over whole segments reads no frame, and with segments missing it scans only
 * their versions.
 */
class DiffByKeyIndexTest
{
    private static final long VERSIONS = 4000;
    private static final int SEGMENT = 500;

    @TempDir
    Path dir;

    private final SeededWorkload workload = new SeededWorkload(23, 4096);

    private StateContext ctx(final boolean index)
    {
        return new StateContext().directory(dir).background(false).snapshotIndex(false).maxChainLength(3)
            .deltaChangedKeysRatio(10).maxChainSizeRatio(100).checkpointIntervalMs(0).historyVersions(Long.MAX_VALUE)
            .historyIndex(index).historyIndexSegmentVersions(SEGMENT).historyAnchorEveryFrames(400);
    }

    @Test
    void shouldEqualTheJournalScanAndTheModelAndReadNoFrameOverWholeSegments() throws Exception
    {
        final long seed = seed("diff by key index");
        final SplittableRandom random = new SplittableRandom(seed);
        final List<long[]> pairs = new ArrayList<>();
        pairs.add(new long[]{0, VERSIONS});
        pairs.add(new long[]{VERSIONS, 0});
        pairs.add(new long[]{SEGMENT, 3 * SEGMENT});
        pairs.add(new long[]{7, 9});
        while (pairs.size() < 24)
        {
            pairs.add(new long[]{random.nextLong(VERSIONS + 1), random.nextLong(VERSIONS + 1)});
        }
        final List<StateDiff> indexed = new ArrayList<>();
        try (StateStore store = StateStore.open(ctx(true)))
        {
            for (long from = 1; from <= VERSIONS; from += 900)
            {
                append(store, workload, from, Math.min(VERSIONS, from + 899));
                store.checkpoint();
            }
            assertTrue(store.awaitHistoryIndexed(VERSIONS, 60, TimeUnit.SECONDS));
            final long before = store.versionHistory().diffFramesScanned();
            store.diff(0, VERSIONS);
            store.diff(SEGMENT, 3 * SEGMENT);
            assertEquals(before, store.versionHistory().diffFramesScanned(), "whole segments come from the index");
            for (final long[] pair : pairs)
            {
                final StateDiff diff = store.diff(pair[0], pair[1]);
                assertModel(diff, "seed=" + seed + " diff(" + pair[0] + ", " + pair[1] + ")");
                indexed.add(diff);
            }
        }
        // segments missing (deleted while closed): their versions are scanned, the answers do not change
        try (Stream<Path> files = Files.list(dir.resolve("history-index")))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".khi")).toList())
            {
                if (random.nextBoolean())
                {
                    Files.delete(file);
                }
            }
        }
        try (StateStore store = StateStore.open(ctx(true)))
        {
            for (int i = 0; i < pairs.size(); i++)
            {
                assertSame(indexed.get(i), store.diff(pairs.get(i)[0], pairs.get(i)[1]), "seed=" + seed + " segments missing");
            }
        }
        try (StateStore store = StateStore.open(ctx(false)))
        {
            for (int i = 0; i < pairs.size(); i++)
            {
                assertSame(indexed.get(i), store.diff(pairs.get(i)[0], pairs.get(i)[1]), "seed=" + seed + " index off");
            }
        }
    }

    private static void assertSame(final StateDiff expected, final StateDiff actual, final String when)
    {
        final String what = when + " diff(" + expected.fromVersion() + ", " + expected.toVersion() + ")";
        assertEquals(expected.added(), actual.added(), what);
        assertEquals(expected.changed(), actual.changed(), what);
        assertEquals(expected.removed(), actual.removed(), what);
        assertEquals(expected.keysCompared(), actual.keysCompared(), what);
    }

    private void assertModel(final StateDiff diff, final String when)
    {
        assertDiffEqualsModel(diff, workload, when);
        final long a = diff.fromVersion();
        final long b = diff.toVersion();
        final int touched = a == b ? 0 : expectedChanges(workload, Math.min(a, b) + 1, Math.max(a, b)).size();
        assertEquals(touched, diff.keysCompared(), when + ": the keys the range's ops touched");
    }
}
