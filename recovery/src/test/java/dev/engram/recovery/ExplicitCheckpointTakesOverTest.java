package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 18: background checkpoints are built at a lower operating system priority, which cannot be raised back, so on
 * a busy machine a background build in progress could hold an explicit {@code checkpoint()} for many times its own
 * length. The background build gives way instead: at its next step it is abandoned (nothing published, its partial
 * file removed) and the explicit checkpoint builds at once on the caller's thread. A test hook makes the background
 * build "slow": each of its steps after the first blocks until the test ends, so on the code before this change the
 * explicit checkpoint waited for it and never returned.
 */
class ExplicitCheckpointTakesOverTest
{
    private static final long WAIT_S = 60;
    private static final SeededWorkload WORKLOAD = new SeededWorkload(31, 8 * 1024);

    @TempDir
    Path dir;

    @Test
    void anExplicitCheckpointDoesNotWaitForABackgroundBuildInProgress() throws Exception
    {
        final CountDownLatch firstStepReached = new CountDownLatch(1);
        final CountDownLatch firstStepGo = new CountDownLatch(1);
        final CountDownLatch laterStepsGo = new CountDownLatch(1);
        final AtomicInteger steps = new AtomicInteger();
        final StateContext ctx = new StateContext().directory(dir).checkpointIntervalMs(0).checkpointEveryFrames(2_000)
            .backgroundBuildStep(() ->
            {
                if (steps.incrementAndGet() == 1)
                {
                    firstStepReached.countDown();
                    await(firstStepGo);
                }
                else
                {
                    await(laterStepsGo);   // a build slow enough to take the rest of the test
                }
            });
        try (StateStore store = StateStore.open(ctx))
        {
            try
            {
                final Journal journal = store.journal();
                final Delta delta = journal.newDelta();
                for (long v = 1; v <= 3_000; v++)
                {
                    journal.append(WORKLOAD.fill(v, delta));
                }
                assertTrue(firstStepReached.await(WAIT_S, TimeUnit.SECONDS), "a background build started");
                assertEquals(0, store.checkpointCount());

                final AtomicReference<Thread> caller = new AtomicReference<>();
                final CompletableFuture<CheckpointInfo> explicit = CompletableFuture.supplyAsync(() ->
                {
                    caller.set(Thread.currentThread());
                    return store.checkpoint();
                });
                // the caller is at the build lock, which the background build holds
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
                while ((caller.get() == null || caller.get().getState() != Thread.State.BLOCKED) && !explicit.isDone())
                {
                    assertTrue(System.nanoTime() < deadline, "the explicit checkpoint never reached the build lock");
                    Thread.onSpinWait();
                }
                firstStepGo.countDown();   // the background build goes on to its next step, which would block

                final CheckpointInfo info;
                try
                {
                    info = explicit.get(WAIT_S, TimeUnit.SECONDS);
                }
                catch (final TimeoutException ex)
                {
                    fail("the explicit checkpoint waited for the background build in progress");
                    return;
                }
                assertEquals(3_000, info.stateVersion(), "everything appended before the call");
                assertEquals(1, store.checkpointCount(), "the background build published nothing");
                assertTrue(store.checkpointBuildsSuperseded() >= 1);
                assertTrue(store.awaitApplied(3_000, WAIT_S, TimeUnit.SECONDS));
                try (StateReader reader = store.newReader())
                {
                    for (final String key : SeededWorkload.keyUniverse())
                    {
                        assertArrayEquals(WORKLOAD.model(3_000).get(key), reader.get(key), key);
                    }
                }
            }
            finally
            {
                firstStepGo.countDown();
                laterStepsGo.countDown();
            }
        }
        try (StateStore reopened = StateStore.open(new StateContext().directory(dir)))
        {
            assertEquals(3_000, reopened.recoveryReport().checkpointVersion(), reopened.recoveryReport()::describe);
            assertEquals(3_000, reopened.recoveryReport().recoveredVersion());
        }
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
