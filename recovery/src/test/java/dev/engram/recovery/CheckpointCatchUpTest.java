package dev.engram.recovery;

import dev.engram.journal.BackgroundPriority;
import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Background checkpoints run at a lowered priority that cannot be raised back; a producer that keeps every core busy
 * left such a checkpointer too little CPU to finish a build (bench disk: one checkpoint in 10 M updates, the journal
 * and the replay of a recovery growing without bound). Once the builds fall four trigger intervals behind, the next one
 * runs on a thread of the application's priority. Here the first background build is held until the journal is five
 * intervals ahead of it; the build after it must run on the catch-up thread.
 */
class CheckpointCatchUpTest
{
    private static final long EVERY = 1_000;

    @TempDir
    Path dir;

    @Test
    void aBuildFourIntervalsBehindRunsOnTheCatchUpThread() throws Exception
    {
        final CountDownLatch firstStepReached = new CountDownLatch(1);
        final CountDownLatch firstStepGo = new CountDownLatch(1);
        final Set<String> buildThreads = ConcurrentHashMap.newKeySet();
        final StateContext ctx = new StateContext().directory(dir).checkpointIntervalMs(0).checkpointEveryFrames(EVERY)
            .backgroundPriority(BackgroundPriority.LOW)
            .backgroundBuildStep(() ->
            {
                buildThreads.add(Thread.currentThread().getName());
                if (firstStepReached.getCount() > 0)
                {
                    firstStepReached.countDown();
                    try
                    {
                        firstStepGo.await();
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                    }
                }
            });
        try (StateStore store = StateStore.open(ctx))
        {
            try
            {
                final Journal journal = store.journal();
                final Delta delta = journal.newDelta();
                long v = append(journal, delta, 0, (int)EVERY + 10);
                assertTrue(firstStepReached.await(60, TimeUnit.SECONDS), "the first background build started");
                assertEquals(Set.of("engram-checkpointer"), buildThreads, "the first build runs on the checkpointer");
                v = append(journal, delta, v, (int)(5 * EVERY));
                firstStepGo.countDown();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!buildThreads.contains(Checkpointer.CATCH_UP_THREAD_NAME) && System.nanoTime() < deadline)
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);   // polling the condition
                }
                assertTrue(store.checkpointCatchUpBuilds() >= 1, "no catch-up build: threads " + buildThreads);
                assertTrue(store.checkpoint().stateVersion() >= v);
                assertTrue(buildThreads.contains(Checkpointer.CATCH_UP_THREAD_NAME), buildThreads.toString());
            }
            finally
            {
                firstStepGo.countDown();
            }
        }
    }

    @Test
    void atNormalPriorityThereIsNoCatchUpThread() throws Exception
    {
        // catch-up threads of stores other tests closed may still be ending: only a new one counts
        final Set<Thread> before = catchUpThreads();
        final StateContext ctx = new StateContext().directory(dir).backgroundPriority(BackgroundPriority.NORMAL);
        try (StateStore store = StateStore.open(ctx))
        {
            final Set<Thread> started = catchUpThreads();
            started.removeAll(before);
            assertEquals(Set.of(), started, "a catch-up thread was started at NORMAL priority");
        }
    }

    private static Set<Thread> catchUpThreads()
    {
        final Set<Thread> threads = new java.util.HashSet<>();
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().equals(Checkpointer.CATCH_UP_THREAD_NAME))
            {
                threads.add(thread);
            }
        }
        return threads;
    }

    private static long append(final Journal journal, final Delta delta, final long after, final int count)
    {
        long version = after;
        for (int i = 0; i < count; i++)
        {
            version = journal.append(delta.clear().put("k" + (version % 50), new byte[] {(byte)version}));
        }
        assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
        return version;
    }
}
