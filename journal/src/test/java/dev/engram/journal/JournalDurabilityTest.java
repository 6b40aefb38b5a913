package dev.engram.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

class JournalDurabilityTest
{
    @TempDir
    Path dir;

    private long appendMany(final Journal journal, final int count)
    {
        final Delta delta = journal.newDelta();
        long version = 0;
        for (int i = 0; i < count; i++)
        {
            version = journal.append(delta.clear().put("k" + (i % 10), new byte[64]));
        }
        return version;
    }

    @Test
    void shouldNotSyncByItselfUnderAsyncButHonourAnExplicitWait()
    {
        // one cycle file throughout (a fixed clock): ASYNC forces on its own only to list a new cycle file in the
        // journal's manifest, once per roll (docs/journal.md), never per write
        final long fixedMs = System.currentTimeMillis();
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).syncPolicy(SyncPolicy.ASYNC)
            .epochMsClock(() -> fixedMs)))
        {
            final long first = appendMany(journal, 500);
            assertTrue(journal.awaitWritten(first, 60, TimeUnit.SECONDS));
            final long version = appendMany(journal, 500);
            assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
            assertTrue(journal.syncCount() <= 1, "ASYNC forced on its own beyond the one listing of its cycle file: " +
                journal.syncCount());
            assertTrue(journal.awaitSynced(version, 60, TimeUnit.SECONDS));
            assertTrue(journal.syncedVersion() >= version);
            assertTrue(journal.syncCount() >= 1);
        }
    }

    @Test
    void shouldSyncEveryIntervalUnderPeriodicWithoutBeingAsked()
    {
        try (Journal journal = Journal.open(
            JournalTestSupport.smallContext(dir).syncPolicy(SyncPolicy.PERIODIC).syncIntervalMs(20)))
        {
            final long version = appendMany(journal, 100);
            assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (journal.syncedVersion() < version && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertEquals(version, journal.syncedVersion(), "periodic sync never caught up without a request");
        }
    }

    @Test
    void shouldGroupCommitUnderAlways()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).syncPolicy(SyncPolicy.ALWAYS)))
        {
            final long version = appendMany(journal, 5_000);
            assertTrue(journal.awaitSynced(version, 30, TimeUnit.SECONDS));
            assertTrue(journal.syncCount() >= 1);
            assertTrue(journal.syncCount() < 5_000, "one force per delta is not group commit: forces=" + journal.syncCount());
        }
    }

    @Test
    void shouldTimeOutAwaitingAVersionNotYetAppended()
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            final long version = appendMany(journal, 3);
            assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
            assertFalse(journal.awaitWritten(version + 1, 20, TimeUnit.MILLISECONDS));
            assertThrows(IllegalArgumentException.class, () -> journal.awaitSynced(version + 1, 1, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void shouldSyncEverythingWrittenOnClose()
    {
        final long version;
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            version = appendMany(journal, 1000);
        }
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            assertEquals(version, journal.openReport().lastVersion());
            assertEquals(version, journal.syncedVersion());
            assertEquals(version + 1, journal.append(journal.newDelta().put("next", new byte[1])));
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldLetWaitingCallersLeadForcesWithoutEverMovingSyncedBack() throws Exception
    {
        final Set<String> forcingThreads = ConcurrentHashMap.newKeySet();
        final int producers = 4;
        final int perProducer = 200;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicBoolean wentBack = new AtomicBoolean();
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).syncPolicy(SyncPolicy.PERIODIC)
            .syncIntervalMs(5).syncObserver(ns -> forcingThreads.add(Thread.currentThread().getName()))))
        {
            final AtomicBoolean done = new AtomicBoolean();
            final Thread monitor = new Thread(() ->
            {
                long last = 0;
                while (!done.get())
                {
                    final long synced = journal.syncedVersion();
                    if (synced < last)
                    {
                        wentBack.set(true);
                    }
                    last = synced;
                    Thread.onSpinWait();
                }
            });
            monitor.start();
            final Thread[] threads = new Thread[producers];
            for (int p = 0; p < producers; p++)
            {
                threads[p] = new Thread(() ->
                {
                    try
                    {
                        final Delta delta = journal.newDelta();
                        for (int i = 0; i < perProducer; i++)
                        {
                            final long version = journal.append(delta.clear().put("k" + i, new byte[64]));
                            assertTrue(journal.awaitSynced(version, 30, TimeUnit.SECONDS), "synced " + version);
                            assertTrue(journal.syncedVersion() >= version);
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                }, "producer-" + p);
                threads[p].start();
            }
            for (final Thread thread : threads)
            {
                thread.join();
            }
            done.set(true);
            monitor.join();
            assertNull(failure.get(), () -> String.valueOf(failure.get()));
            assertEquals(producers * perProducer, journal.syncedVersion());
        }
        assertFalse(wentBack.get(), "the synced version moved back");
        assertTrue(forcingThreads.stream().anyMatch(name -> name.startsWith("producer-")),
            "no waiting caller led a force: " + forcingThreads);
    }
}
