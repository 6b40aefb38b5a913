package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalBridgeDescriptor;
import dev.engram.journal.QueueOpenGate;
import dev.engram.recovery.internal.procedure.CleanShutdownRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * By default, a close during the background open's Chronicle warm-up (the cold start, before it touches the journal's
 * directory) cancels the open and returns at once with every file settled; commits made meanwhile stay forced in the
 * bridge file for the next open. Once the open has started on the directory, with
 * {@link StateContext#closeJournalWaitMs(long)} bounded, {@code close()} right after {@code open()} does not wait
 * for the journal's queue, which a reopened store opens in
 * the background (issue 14: ~1.8 s in a fresh JVM, the rest of "close right after open"). A test gate holds the
 * queue's open: close must return while it is held — with commits made meanwhile forced in the journal's bridge file —
 * and, once the queue opens, the journal copies the bridge and closes by itself; a reopen in this JVM waits for that
 * and finds every version, and the clean-shutdown record.
 */
class CloseWhileQueueOpensTest
{
    private static final long WAIT_S = 60;
    private static final SeededWorkload WORKLOAD = new SeededWorkload(11, 4 * 1024);

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

    private StateContext gatedCtx()
    {
        final StateContext ctx = ctx().closeJournalWaitMs(0);
        gate = new QueueOpenGate().holdOpensOf(ctx.journal());
        return ctx;
    }

    private static void append(final StateStore store, final long from, final long to)
    {
        final Journal journal = store.journal();
        final Delta delta = journal.newDelta();
        for (long v = from; v <= to; v++)
        {
            assertEquals(v, journal.append(WORKLOAD.fill(v, delta)));
        }
        assertTrue(journal.awaitWritten(to, WAIT_S, TimeUnit.SECONDS));
    }

    private long build()
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            append(store, 1, 500);
            store.checkpoint();
            append(store, 501, 800);
            assertTrue(store.awaitApplied(800, WAIT_S, TimeUnit.SECONDS));
        }
        return 800;
    }

    @Test
    void closeReturnsWhileTheQueueOpensAndTheJournalCopiesTheBridgeAlone() throws Exception
    {
        final long built = build();
        final StateStore store = StateStore.open(gatedCtx());
        assertTrue(store.recoveryReport().replayPath().startsWith("fast"), store.recoveryReport().replayPath());
        append(store, built + 1, built + 40);   // written to the bridge: the queue is held
        assertTrue(store.journal().awaitSynced(built + 20, WAIT_S, TimeUnit.SECONDS));
        assertFalse(store.journal().isQueueOpen());
        final Path journalDir = dir.resolve("journal");
        assertTrue(Files.exists(journalDir.resolve(JournalBridgeDescriptor.FILE_NAME)));

        assertTrue(gate.awaitHolding(WAIT_S, TimeUnit.SECONDS), "the queue's open reached the gate");
        CompletableFuture.runAsync(store::close).get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(gate.isHolding(), "close returned while the queue's open was held");
        assertTrue(store.journal().syncedVersion() >= built + 40, "close forced every commit (in the bridge)");

        final CompletableFuture<StateStore> reopen = CompletableFuture.supplyAsync(() -> StateStore.open(ctx()));
        assertFalse(store.closed().isDone(), "the directory is released once the journal closed");
        gate.release();
        store.closed().get(WAIT_S, TimeUnit.SECONDS);
        try (StateStore reopened = reopen.get(WAIT_S, TimeUnit.SECONDS))
        {
            assertEquals(built + 40, reopened.recoveryReport().recoveredVersion(), reopened.recoveryReport()::describe);
            assertTrue(reopened.recoveryReport().replayPath().startsWith("fast"),
                "the journal copied its bridge before the reopen: " + reopened.recoveryReport().replayPath());
            assertFalse(Files.exists(journalDir.resolve(JournalBridgeDescriptor.FILE_NAME)));
            assertFalse(Files.exists(journalDir.resolve(JournalBridgeDescriptor.MARK_FILE_NAME)));
            assertState(reopened, WORKLOAD.model(built + 40));
        }
    }

    @Test
    void byDefaultCloseWaitsForTheJournalSoEveryFileIsSettled() throws Exception
    {
        final long built = build();
        final StateContext ctx = ctx();
        gate = new QueueOpenGate().holdOpensOf(ctx.journal());
        final StateStore store = StateStore.open(ctx);
        append(store, built + 1, built + 5);
        final CompletableFuture<Void> closing = CompletableFuture.runAsync(store::close);
        assertFalse(store.closed().isDone());
        gate.release();
        closing.get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(store.closed().isDone(), "close returned with the directory released");
        assertFalse(Files.exists(dir.resolve("journal").resolve(JournalBridgeDescriptor.FILE_NAME)));
    }

    @Test
    void closeWithNothingAppendedReturnsWhileTheQueueOpens() throws Exception
    {
        final long built = build();
        final StateStore store = StateStore.open(gatedCtx());
        assertTrue(gate.awaitHolding(WAIT_S, TimeUnit.SECONDS), "the queue's open reached the gate");
        CompletableFuture.runAsync(store::close).get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(gate.isHolding(), "close returned while the queue's open was held");
        gate.release();
        store.closed().get(WAIT_S, TimeUnit.SECONDS);
        try (StateStore reopened = CompletableFuture.supplyAsync(() -> StateStore.open(ctx())).get(WAIT_S, TimeUnit.SECONDS))
        {
            assertEquals(built, reopened.recoveryReport().recoveredVersion());
            assertTrue(reopened.recoveryReport().cleanShutdown(), "the clean-shutdown record was written once the journal closed");
            assertState(reopened, WORKLOAD.model(built));
        }
    }

    @Test
    void byDefaultCloseDuringTheWarmUpCancelsTheOpenAndLeavesCommitsInTheBridgeForTheNextOpen() throws Exception
    {
        final long built = build();
        final StateContext ctx = ctx();
        gate = new QueueOpenGate().holdWarmUpOf(ctx.journal());
        final StateStore store = StateStore.open(ctx);
        assertTrue(store.recoveryReport().replayPath().startsWith("fast"), store.recoveryReport().replayPath());
        append(store, built + 1, built + 25);
        assertTrue(gate.awaitHolding(WAIT_S, TimeUnit.SECONDS), "the open reached the gate");
        CompletableFuture.runAsync(store::close).get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(gate.isHolding(), "close returned while the warm-up was held");
        assertTrue(store.closed().isDone(), "the directory is released when close returns");
        assertTrue(store.journal().syncedVersion() >= built + 25, "close forced every commit (in the bridge)");
        final Path journalDir = dir.resolve("journal");
        assertTrue(Files.exists(journalDir.resolve(JournalBridgeDescriptor.FILE_NAME)));
        assertTrue(Files.exists(journalDir.resolve(JournalBridgeDescriptor.MARK_FILE_NAME)));
        // a clean shutdown, whose record names what the queue's files hold: not the versions only the bridge holds
        assertTrue(Files.exists(dir.resolve(CleanShutdownRecord.FILE_NAME)));
        gate.release();
        try (StateStore reopened = StateStore.open(ctx()))
        {
            assertEquals(built + 25, reopened.recoveryReport().recoveredVersion(), reopened.recoveryReport()::describe);
            assertTrue(reopened.recoveryReport().cleanShutdown(), "closed, not crashed: " + reopened.recoveryReport().describe());
            assertTrue(reopened.recoveryReport().replayPath().startsWith("full"), reopened.recoveryReport().replayPath());
            assertFalse(Files.exists(journalDir.resolve(JournalBridgeDescriptor.FILE_NAME)), "copied into the queue");
            assertState(reopened, WORKLOAD.model(built + 25));
            append(reopened, built + 26, built + 30);
        }
        try (StateStore again = StateStore.open(ctx()))
        {
            assertEquals(built + 30, again.recoveryReport().recoveredVersion());
            assertTrue(again.recoveryReport().cleanShutdown());
            assertState(again, WORKLOAD.model(built + 30));
        }
    }

    @Test
    void callsWaitingForTheQueueFailAsClosedWhenTheStoreCloses() throws Exception
    {
        final long built = build();
        final StateStore store = StateStore.open(gatedCtx());
        assertTrue(gate.awaitHolding(WAIT_S, TimeUnit.SECONDS), "the queue's open reached the gate");
        append(store, built + 1, built + 5);
        // each needs the queue (a build reads the journal, so does a state at a version): they wait for it
        final CompletableFuture<CheckpointInfo> checkpoint = CompletableFuture.supplyAsync(store::checkpoint);
        final CompletableFuture<StateSnapshot> stateAt = CompletableFuture.supplyAsync(() -> store.stateAt(built + 5));
        CompletableFuture.runAsync(store::close).get(WAIT_S, TimeUnit.SECONDS);
        for (final CompletableFuture<?> call : java.util.List.of(checkpoint, stateAt))
        {
            final java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> call.get(WAIT_S, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, failed.getCause(), () -> "a call in progress at close fails " +
                "as closed, like any other: " + failed.getCause());
            assertTrue(failed.getCause().getMessage().contains("closed"), failed.getCause().getMessage());
        }
        gate.release();
        store.closed().get(WAIT_S, TimeUnit.SECONDS);
    }

    @Test
    void byDefaultCloseDuringTheWarmUpWithNothingCommittedIsACleanShutdown() throws Exception
    {
        final long built = build();
        final StateContext ctx = ctx();
        gate = new QueueOpenGate().holdWarmUpOf(ctx.journal());
        final StateStore store = StateStore.open(ctx);
        assertTrue(gate.awaitHolding(WAIT_S, TimeUnit.SECONDS), "the open reached the gate");
        CompletableFuture.runAsync(store::close).get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(gate.isHolding(), "close returned while the warm-up was held");
        assertTrue(store.closed().isDone());
        assertFalse(Files.exists(dir.resolve("journal").resolve(JournalBridgeDescriptor.FILE_NAME)));
        gate.release();
        try (StateStore reopened = StateStore.open(ctx()))
        {
            assertEquals(built, reopened.recoveryReport().recoveredVersion());
            assertTrue(reopened.recoveryReport().cleanShutdown());
            assertTrue(reopened.recoveryReport().replayPath().startsWith("fast"), reopened.recoveryReport().replayPath());
            assertState(reopened, WORKLOAD.model(built));
        }
    }

    @Test
    void aBrandNewDirectoryClosedDuringTheWarmUpOpensAgain() throws Exception
    {
        final StateContext ctx = ctx();
        gate = new QueueOpenGate().holdWarmUpOf(ctx.journal());
        final StateStore store = StateStore.open(ctx);
        append(store, 1, 7);
        assertTrue(gate.awaitHolding(WAIT_S, TimeUnit.SECONDS), "the open reached the gate");
        CompletableFuture.runAsync(store::close).get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(gate.isHolding(), "close returned while the warm-up was held");
        gate.release();
        try (StateStore reopened = StateStore.open(ctx()))
        {
            assertEquals(7, reopened.recoveryReport().recoveredVersion(), reopened.recoveryReport()::describe);
            assertState(reopened, WORKLOAD.model(7));
        }
        // and once more with nothing committed
        final StateContext again = ctx();
        final QueueOpenGate second = new QueueOpenGate().holdWarmUpOf(again.journal());
        try
        {
            CompletableFuture.runAsync(() -> StateStore.open(again).close()).get(WAIT_S, TimeUnit.SECONDS);
        }
        finally
        {
            second.release();
        }
        try (StateStore reopened = StateStore.open(ctx()))
        {
            assertEquals(7, reopened.recoveryReport().recoveredVersion());
        }
    }

    private static void assertState(final StateStore store, final Map<String, byte[]> model)
    {
        SeededWorkload.assertStoreHolds(store, model);
    }
}
