package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.QueueOpenGate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 14, read-your-writes right after a reopen: after a fast-path recovery the journal's queue opens in the
 * background (seconds in a fresh JVM) and commits made meanwhile are written to its bridge file. The applier applies
 * them from there, so they are readable while the queue is still held shut by a test gate — PUTs, DELETEs and PATCHes
 * of large values alike — and once the queue opens the applier follows it from the next version; a checkpoint and a
 * reopen keep every value. Before this, {@code awaitApplied} of such a commit returned false until the queue opened.
 */
class ApplyWhileQueueOpensTest
{
    private static final long WAIT_S = 60;
    private static final SeededWorkload WORKLOAD = new SeededWorkload(23, 64 * 1024);

    @TempDir
    Path dir;

    private QueueOpenGate gate;

    @AfterEach
    void releaseGate()
    {
        if (gate != null)
        {
            gate.release();
        }
    }

    private StateContext ctx()
    {
        return new StateContext().directory(dir).checkpointIntervalMs(0);
    }

    private static void append(final StateStore store, final long from, final long to)
    {
        final Journal journal = store.journal();
        final Delta delta = journal.newDelta();
        for (long v = from; v <= to; v++)
        {
            assertEquals(v, journal.append(WORKLOAD.fill(v, delta)));
        }
    }

    private static void assertState(final StateStore store, final Map<String, byte[]> model)
    {
        SeededWorkload.assertStoreHolds(store, model);
    }

    @Test
    void commitsWrittenToTheBridgeAreReadableBeforeTheQueueOpens() throws Exception
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            append(store, 1, 600);
            store.checkpoint();
            append(store, 601, 900);
            assertTrue(store.awaitApplied(900, WAIT_S, TimeUnit.SECONDS));
        }

        final StateContext gated = ctx();
        gate = new QueueOpenGate().holdOpensOf(gated.journal());
        try (StateStore store = StateStore.open(gated))
        {
            assertTrue(store.recoveryReport().replayPath().startsWith("fast"), store.recoveryReport().replayPath());
            append(store, 901, 1_300);
            final boolean applied = store.awaitApplied(1_300, WAIT_S, TimeUnit.SECONDS);
            if (!applied)
            {
                gate.release();   // else the close below waits for the held queue
            }
            assertTrue(applied, "applied from the bridge while the queue is held: applied=" + store.appliedVersion());
            assertFalse(store.journal().isQueueOpen(), "the queue is still held");
            assertTrue(gate.isHolding());
            assertState(store, WORKLOAD.model(1_300));

            gate.release();
            assertNotNull(store.journal().openReport());   // waits for the queue
            assertTrue(store.journal().isQueueOpen());
            append(store, 1_301, 1_500);   // written to the queue: the applier follows it now
            assertTrue(store.awaitApplied(1_500, WAIT_S, TimeUnit.SECONDS));
            assertState(store, WORKLOAD.model(1_500));

            store.checkpoint();   // the values applied from the bridge (copies) go into a checkpoint like any other
            assertState(store, WORKLOAD.model(1_500));
            append(store, 1_501, 1_600);
            assertTrue(store.awaitApplied(1_600, WAIT_S, TimeUnit.SECONDS));
            assertState(store, WORKLOAD.model(1_600));
        }
        try (StateStore reopened = StateStore.open(ctx()))
        {
            assertEquals(1_600, reopened.recoveryReport().recoveredVersion());
            assertState(reopened, WORKLOAD.model(1_600));
        }
    }

    @Test
    void aCheckpointAskedForWhileTheQueueOpensWaitsForItThenTheApplierGoesOn() throws Exception
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            append(store, 1, 300);
            store.checkpoint();
            assertTrue(store.awaitApplied(300, WAIT_S, TimeUnit.SECONDS));
        }
        final StateContext gated = ctx();
        gate = new QueueOpenGate().holdOpensOf(gated.journal());
        try (StateStore store = StateStore.open(gated))
        {
            append(store, 301, 500);
            final boolean applied = store.awaitApplied(500, WAIT_S, TimeUnit.SECONDS);
            if (!applied)
            {
                gate.release();
            }
            assertTrue(applied, "applied from the bridge while the queue is held: applied=" + store.appliedVersion());
            final java.util.concurrent.CompletableFuture<Void> checkpoint =
                java.util.concurrent.CompletableFuture.runAsync(store::checkpoint);
            append(store, 501, 520);
            gate.release();
            checkpoint.get(WAIT_S, TimeUnit.SECONDS);
            append(store, 521, 700);
            assertTrue(store.awaitApplied(700, WAIT_S, TimeUnit.SECONDS));
            assertState(store, WORKLOAD.model(700));
        }
        try (StateStore reopened = StateStore.open(ctx()))
        {
            assertState(reopened, WORKLOAD.model(700));
        }
    }
}
