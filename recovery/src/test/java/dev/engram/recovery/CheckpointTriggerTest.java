package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The frame trigger ({@code checkpointEveryFrames}) decides the versions checkpoints are built at, whatever the producer
 * wrote meanwhile, and the counters count a checkpoint as soon as it is published. Checked on the versions the
 * checkpoints record (no timing): a producer that stops between rounds, then one that writes flat out.
 */
class CheckpointTriggerTest
{
    private static final long EVERY = 1_000;

    @TempDir
    Path dir;

    private final List<Long> versions = new CopyOnWriteArrayList<>();
    private final List<String> countProblems = new CopyOnWriteArrayList<>();
    private final AtomicReference<StateStore> storeRef = new AtomicReference<>();

    private StateContext ctx()
    {
        return new StateContext().directory(dir).checkpointEveryFrames(EVERY).checkpointIntervalMs(0)
            .checkpointEveryBytes(Long.MAX_VALUE).maxChainLength(4).deltaChangedKeysRatio(10).maxChainSizeRatio(100)
            .checkpointObserver((info, buildNs, delta) ->
            {
                versions.add(info.stateVersion());
                final StateStore store = storeRef.get();
                if (store != null && store.checkpointCount() < versions.size())
                {
                    countProblems.add("checkpoint at version=" + info.stateVersion() + " published, checkpointCount()=" +
                        store.checkpointCount() + " after " + versions.size() + " checkpoints");
                }
            });
    }

    private static long append(final Journal journal, final long from, final long to)
    {
        final Delta delta = journal.newDelta();
        final byte[] value = new byte[64];
        long version = 0;
        for (long v = from; v <= to; v++)
        {
            value[0] = (byte)v;
            version = journal.append(delta.clear().put("key/" + (v % 500), value));
        }
        return version;
    }

    private void awaitCheckpointVersion(final StateStore store, final long version)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (store.checkpointVersion() < version && System.nanoTime() < deadline)
        {
            Thread.onSpinWait();
        }
        assertEquals(version, store.checkpointVersion(), () -> "checkpoints at " + versions);
    }

    @Test
    void shouldBuildCheckpointsAtTheTriggerVersionsAndCountThemWhenPublished()
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            storeRef.set(store);
            final Journal journal = store.journal();
            // 1,500 written, then nothing: the trigger fired at 1,000, and that is the version to build
            append(journal, 1, 1_500);
            awaitCheckpointVersion(store, 1_000);
            // 1,200 more (2,700 written), then nothing: the next checkpoint is at 2,000, not at 2,700
            append(journal, 1_501, 2_700);
            awaitCheckpointVersion(store, 2_000);
            // flat out: checkpoints land exactly one interval apart, or (builds slower than this producer) catch up
            // by at least CATCH_UP_INTERVALS whole intervals; never anywhere in between, never off the grid
            final long last = append(journal, 2_701, 40_700);
            awaitCheckpointVersion(store, 40_000);
            assertTrue(store.awaitApplied(last, 30, TimeUnit.SECONDS));

            final List<Long> recorded = List.copyOf(versions);
            assertEquals(List.of(1_000L, 2_000L), recorded.subList(0, 2), () -> "checkpoints at " + recorded);
            long previous = 0;
            for (final long v : recorded)
            {
                final long gap = v - previous;
                assertEquals(0, v % EVERY, () -> "checkpoint off the trigger's grid: checkpoints at " + recorded);
                assertTrue(gap == EVERY || gap >= Checkpointer.CATCH_UP_INTERVALS * EVERY,
                    () -> "gap " + gap + ": checkpoints at " + recorded);
                previous = v;
            }
            assertEquals(List.of(), countProblems);
            assertTrue(store.checkpointCount() >= recorded.size(), () -> store.checkpointCount() + " < " + recorded);
        }
    }
}
