package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalBridgeDescriptor;
import dev.engram.journal.QueueOpenGate;
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
 * With {@link StateContext#closeJournalWaitMs(long)} bounded, {@code close()} right after {@code open()} does not wait
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

    private static void assertState(final StateStore store, final Map<String, byte[]> model)
    {
        try (StateReader reader = store.newReader())
        {
            for (final String key : SeededWorkload.keyUniverse())
            {
                assertArrayEquals(model.get(key), reader.get(key), key);
            }
        }
    }
}
