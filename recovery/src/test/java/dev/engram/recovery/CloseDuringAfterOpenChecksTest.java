package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.recovery.internal.chain.ChainFiles;
import dev.engram.recovery.internal.checkpoint.MappedCheckpoint;
import dev.engram.recovery.internal.procedure.AfterOpenChecks;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code close()} does not wait for the checks that run after open (issue 14: it blocked 6-17 s behind them on a
 * 1 GiB state). A test hook holds a check at the start of its step, as an uninterruptible Chronicle Map open would:
 * close must return while it is held, leave the chain mapped under it, and the check, once let go, must stop and unmap
 * the chain. A check that only reads holds no lock (the directory reopens at once, beside its mapping); a key index
 * rebuild, which writes, keeps the directory locked until it stopped, and a reopen in this JVM waits for that.
 */
class CloseDuringAfterOpenChecksTest
{
    private static final long WAIT_S = 60;

    @TempDir
    Path dir;

    private final SeededWorkload workload = new SeededWorkload(7, 16 * 1024);
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicBoolean leftHook = new AtomicBoolean();

    @AfterEach
    void removeHook()
    {
        release.countDown();
        AfterOpenChecks.hookForTests(dir, null);
    }

    private StateContext ctx()
    {
        return new StateContext().directory(dir).background(false).keyIndexMinChainLength(2).maxChainLength(10)
            .checkpointIntervalMs(0).deltaChangedKeysRatio(10).maxChainSizeRatio(100);
    }

    /** A chain of a full checkpoint and a delta, closed cleanly: the next open takes the fast path. */
    private long build()
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            append(store, 1, 3000);
            store.checkpoint();
            append(store, 3001, 3400);
            final CheckpointInfo head = store.checkpoint();
            assertEquals(1, head.chainOrdinal(), "a delta on the full checkpoint");
        }
        return 3400;
    }

    private void holdStep(final String step)
    {
        AfterOpenChecks.hookForTests(dir, name ->
        {
            if (name.equals(step) && entered.getCount() > 0)
            {
                entered.countDown();
                try
                {
                    assertTrue(release.await(WAIT_S, TimeUnit.SECONDS));
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
                leftHook.set(true);
            }
        });
    }

    @Test
    void shouldReturnFromCloseWhileTheMerkleCheckIsHeldThenStopItAtItsNextBlockAndUnmapTheChain() throws Exception
    {
        final long last = build();
        holdStep("merkle");
        final StateStore store = StateStore.open(ctx());
        assertTrue(entered.await(WAIT_S, TimeUnit.SECONDS), "the Merkle check started");
        final ChainFiles chain = (ChainFiles)store.view().base();
        final List<MappedCheckpoint> files = chain.files();

        CompletableFuture.runAsync(store::close).get(WAIT_S, TimeUnit.SECONDS);

        assertFalse(leftHook.get(), "close returned while the check was held");
        assertFalse(store.merkleRootCheck().isDone(), "the Merkle check had not finished when close returned");
        assertFalse(chain.isReleased(), "the chain stays mapped under the check");
        files.forEach(file -> assertFalse(file.isClosed(), file.file() + " unmapped under the check"));

        release.countDown();
        final Throwable merkle = store.merkleRootCheck().handle((ignored, failure) -> failure).get(WAIT_S, TimeUnit.SECONDS);
        assertInstanceOf(CancellationException.class, merkle.getCause() == null ? merkle : merkle.getCause(),
            "the Merkle check stopped at its next block: " + merkle);
        final SnapshotIndexReport index = store.snapshotIndexCheck().get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(index.description().contains("the store closed first"), index.description());
        store.afterOpenChecksFinished().get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(chain.isReleased(), "the check unmapped the chain as it ended");
        files.forEach(file -> assertTrue(file.isClosed(), file.file() + " still mapped"));
        assertEquals(List.of(), store.damagedFiles(), "a stopped check is no damage");

        AfterOpenChecks.hookForTests(dir, null);
        try (StateStore reopened = StateStore.open(ctx()))
        {
            assertDoesNotThrow(() -> reopened.merkleRootCheck().get(WAIT_S, TimeUnit.SECONDS));
            StateStoreTest.assertState(reopened, workload.model(last), "after the reopen");
        }
    }

    @Test
    void shouldReturnFromCloseWhileTheIndexCheckIsHeldAndReopenWhileItStillMapsTheOldChain() throws Exception
    {
        final long last = build();
        holdStep("index");
        final StateStore store = StateStore.open(ctx());
        assertTrue(entered.await(WAIT_S, TimeUnit.SECONDS), "the index check started");
        final ChainFiles chain = (ChainFiles)store.view().base();

        CompletableFuture.runAsync(store::close).get(WAIT_S, TimeUnit.SECONDS);

        assertFalse(leftHook.get(), "close returned while the check was held");
        assertFalse(store.snapshotIndexCheck().isDone(), "the index check had not finished when close returned");
        assertFalse(chain.isReleased(), "the chain stays mapped under the check");
        // a check that only reads holds no lock: the directory reopens at once, beside the old mapping
        try (StateStore reopened = CompletableFuture.supplyAsync(() -> StateStore.open(ctx())).get(WAIT_S, TimeUnit.SECONDS))
        {
            StateStoreTest.assertState(reopened, workload.model(last), "reopened while the old check held its chain");
            release.countDown();
            final SnapshotIndexReport index = store.snapshotIndexCheck().get(WAIT_S, TimeUnit.SECONDS);
            assertTrue(index.description().contains("the store closed first"), index.description());
            assertFalse(index.keyIndexAttached());
            store.afterOpenChecksFinished().get(WAIT_S, TimeUnit.SECONDS);
            assertTrue(chain.isReleased(), "the check unmapped the chain as it ended");
            final SnapshotIndexReport again = reopened.snapshotIndexCheck().get(WAIT_S, TimeUnit.SECONDS);
            assertTrue(again.keyIndexAttached(), again.description());
            StateStoreTest.assertState(reopened, workload.model(last), "after the old check ended");
        }
    }

    @Test
    void shouldReturnFromCloseDuringAKeyIndexRebuildThenStopItAndLetAReopenInThisJvmWaitForTheDirectory() throws Exception
    {
        final long last = build();
        final List<Path> indexes = keyIndexFiles();
        assertFalse(indexes.isEmpty(), "the head's key index");
        for (final Path index : indexes)
        {
            Files.delete(index);   // the check after open rebuilds the head's
        }
        holdStep("write");
        final StateStore store = StateStore.open(ctx());
        assertTrue(entered.await(WAIT_S, TimeUnit.SECONDS), "the rebuild started");
        final ChainFiles chain = (ChainFiles)store.view().base();

        CompletableFuture.runAsync(store::close).get(WAIT_S, TimeUnit.SECONDS);

        assertFalse(leftHook.get(), "close returned while the rebuild was held");
        assertFalse(store.snapshotIndexCheck().isDone(), "the index check had not finished when close returned");
        // the rebuild may still write: the directory stays locked until it ends, and an open in this JVM waits for it
        // instead of failing with "already open in this process"
        final CompletableFuture<StateStore> reopen = CompletableFuture.supplyAsync(() -> StateStore.open(ctx()));
        assertFalse(reopen.isDone() && !reopen.isCompletedExceptionally(), "opened while the rebuild held the directory");

        release.countDown();
        final SnapshotIndexReport index = store.snapshotIndexCheck().get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(index.description().contains("the store closed first"), index.description());
        store.afterOpenChecksFinished().get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(chain.isReleased(), "the check unmapped the chain as it ended");
        try (StateStore reopened = reopen.get(WAIT_S, TimeUnit.SECONDS))
        {
            final SnapshotIndexReport again = reopened.snapshotIndexCheck().get(WAIT_S, TimeUnit.SECONDS);
            assertTrue(again.keyIndexAttached() && again.rebuilt(), again.description());
            StateStoreTest.assertState(reopened, workload.model(last), "after the reopen");
        }
        try (Stream<Path> files = Files.list(dir.resolve("checkpoints")))
        {
            assertEquals(List.of(), files.filter(f -> f.toString().endsWith(".tmp")).toList(), "the stopped rebuild left its temp file");
        }
    }

    private List<Path> keyIndexFiles() throws Exception
    {
        try (Stream<Path> files = Files.list(dir.resolve("checkpoints")))
        {
            return files.filter(f -> f.getFileName().toString().startsWith("keys-") && !f.toString().endsWith(".tmp")).toList();
        }
    }

    private long append(final StateStore store, final long from, final long to)
    {
        final Journal journal = store.journal();
        final Delta delta = journal.newDelta();
        long version = 0;
        for (long v = from; v <= to; v++)
        {
            version = journal.append(workload.fill(v, delta));
        }
        assertTrue(store.awaitApplied(version, WAIT_S, TimeUnit.SECONDS));
        return version;
    }
}
