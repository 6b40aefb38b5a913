package dev.engram.recovery;

import dev.engram.journal.Delta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The store's off-heap accounting (docs/memory-safety.md) moves with the data and returns to its baseline after a
 * checkpoint and to zero after close; the checkpoint build's limit is a clear exception that leaves the store
 * usable; the live overlay's limit starts a checkpoint early.
 */
class OffHeapAccountingTest
{
    private static final int KEYS = 40;
    private static final int VALUE = 100 * 1024;

    @TempDir
    Path dir;

    private StateContext ctx()
    {
        return new StateContext().directory(dir).checkpointIntervalMs(0).checkpointEveryFrames(1_000_000)
            .snapshotIndex(false);
    }

    /** PUT then PATCH of every key: each value is materialised in the overlay. */
    private static long putThenPatch(final StateStore store, final int round)
    {
        final Delta delta = store.journal().newDelta();
        long last = 0;
        for (int key = 0; key < KEYS; key++)
        {
            final byte[] value = new byte[VALUE];
            java.util.Arrays.fill(value, (byte)(key + round));
            store.journal().append(delta.clear().put("k/" + key, value));
            last = store.journal().append(delta.clear().patch("k/" + key, 10, new byte[]{(byte)round, 1, 2, 3}));
        }
        return last;
    }

    private static void await(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "not within 60 s: " + what);
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldAccountOverlayAndBuildMemoryAndReturnToBaseline()
    {
        final StateStore store = StateStore.open(ctx());
        final long baseline;
        try
        {
            baseline = store.overlayMemoryReserved();
            assertTrue(baseline > 0, "the empty overlay's table is counted");
            assertEquals(0, store.checkpointBuildMemoryReserved());

            final long last = putThenPatch(store, 1);
            assertTrue(store.awaitApplied(last, 60, TimeUnit.SECONDS));
            final long live = (long)KEYS * VALUE;
            assertTrue(store.overlayMemoryUsed() >= live, "used=" + store.overlayMemoryUsed() + " live=" + live);
            assertTrue(store.overlayMemoryReserved() >= store.overlayMemoryUsed());
            assertTrue(store.overlayMemoryReserved() < 3 * live, "reserved=" + store.overlayMemoryReserved());
            assertEquals(store.overlayBytes(), store.overlayMemoryReserved(), "one generation so far");

            // a second round over the same keys reuses the blocks the PUTs gave up
            final long afterFirst = store.overlayMemoryReserved();
            final long last2 = putThenPatch(store, 2);
            assertTrue(store.awaitApplied(last2, 60, TimeUnit.SECONDS));
            assertTrue(store.overlayMemoryReserved() <= afterFirst + VALUE * 2L,
                "reserved grew from " + afterFirst + " to " + store.overlayMemoryReserved() + " re-patching the same keys");

            store.checkpoint();
            assertTrue(store.checkpointBuildMemoryPeak() >= live, "build peak=" + store.checkpointBuildMemoryPeak());
            assertEquals(0, store.checkpointBuildMemoryReserved(), "a finished build holds nothing");
            // the replaced generation is freed (no reader holds it): back to an empty overlay's size
            await(() -> store.overlayMemoryReserved() <= baseline + 1024 * 1024,
                "overlay memory back to baseline=" + baseline + ": " + store.overlayMemoryReserved());
            assertTrue(store.overlayMemoryPeak() >= live);
            try (StateReader reader = store.newReader())
            {
                final byte[] value = reader.get("k/7");
                assertEquals(VALUE, value.length);
                assertEquals(2, value[10]);
            }
        }
        finally
        {
            store.close();
        }
        assertEquals(0, store.overlayMemoryReserved(), "closed: every generation freed");
        assertEquals(0, store.overlayMemoryUsed());
        assertEquals(0, store.checkpointBuildMemoryReserved());
    }

    @Test
    void shouldRefuseACheckpointBuildOverItsLimitNamingTheSettingAndStayUsable()
    {
        try (StateStore store = StateStore.open(ctx().checkpointBuildMemoryLimit(1024 * 1024).background(false)))
        {
            final long last = putThenPatch(store, 1);   // 4 MB of patched values: more than the build may hold
            assertTrue(store.awaitApplied(last, 60, TimeUnit.SECONDS));
            final OffHeapLimitException ex = assertThrows(OffHeapLimitException.class, store::checkpoint);
            assertEquals("checkpointBuildMemoryLimit", ex.setting());
            assertTrue(ex.getMessage().contains("StateContext.checkpointBuildMemoryLimit"), ex.getMessage());
            assertEquals(0, store.checkpointBuildMemoryReserved(), "the refused build freed what it took");
            try (StateReader reader = store.newReader())
            {
                assertEquals(1, reader.get("k/3")[10]);
            }
            final Delta delta = store.journal().newDelta();
            final long next = store.journal().append(delta.put("after", new byte[]{9}));
            assertTrue(store.awaitApplied(next, 60, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldCheckpointEarlyWhenTheLiveOverlayPassesItsLimit()
    {
        try (StateStore store = StateStore.open(ctx().overlayMemoryLimit(1024 * 1024)))
        {
            final long last = putThenPatch(store, 1);   // 4 MB of patched values, no frame or byte trigger near
            assertTrue(store.awaitApplied(last, 60, TimeUnit.SECONDS));
            await(() -> store.checkpointCount() > 0, "a checkpoint started by the overlay's memory");
            await(() -> store.overlayBytes() < 2L * KEYS * VALUE, "the next generation holds less: " + store.overlayBytes());
        }
    }
}
