package dev.engram.journal;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A caller waiting for a version wakes the journal's threads instead of waiting out their idle parks: with a
 * writer that parks for an hour whenever the ring is empty, waits for written and synced still return, and
 * close does not wait for the park either.
 */
class JournalWakeTest
{
    private static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);

    @TempDir
    Path dir;

    private Journal openWithSleepyWriter(final SyncPolicy policy)
    {
        return Journal.open(JournalTestSupport.smallContext(dir).syncPolicy(policy)
            .writerIdleStrategySupplier(() -> new BackoffIdleStrategy(0, 0, HOUR_NS, HOUR_NS)));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldWakeAParkedWriterForAWaitOnWrittenAndOnSynced()
    {
        try (Journal journal = openWithSleepyWriter(SyncPolicy.ASYNC))
        {
            final Delta delta = journal.newDelta();
            for (int round = 1; round <= 20; round++)
            {
                final long version = journal.append(delta.clear().put("k" + round, new byte[32]));
                assertTrue(journal.awaitWritten(version, 20, TimeUnit.SECONDS), "written, round " + round);
                assertEquals(version, journal.writtenVersion());
                final long next = journal.append(delta.clear().put("s" + round, new byte[32]));
                assertTrue(journal.awaitSynced(next, 20, TimeUnit.SECONDS), "synced, round " + round);
                assertTrue(journal.syncedVersion() >= next);
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldCloseWithoutWaitingForTheWritersParkAndKeepWhatWasAppended()
    {
        long version;
        try (Journal journal = openWithSleepyWriter(SyncPolicy.ASYNC))
        {
            final Delta delta = journal.newDelta();
            version = journal.append(delta.clear().put("a", new byte[8]));
            assertTrue(journal.awaitWritten(version, 20, TimeUnit.SECONDS));
            version = journal.append(delta.clear().put("b", new byte[8]));   // left in the ring for close to drain
        }
        try (Journal reopened = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            assertEquals(version, reopened.openReport().lastVersion());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldKeepTheWriterLookingForFramesAfterACallerWaited()
    {
        // the writer would park for an hour, but after a caller's wait it keeps looking (here: for an hour)
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).writerSpinAfterWaitNs(HOUR_NS)
            .writerIdleStrategySupplier(() -> new BackoffIdleStrategy(0, 0, HOUR_NS, HOUR_NS))))
        {
            final Delta delta = journal.newDelta();
            assertTrue(journal.awaitWritten(journal.append(delta.clear().put("first", new byte[8])), 20, TimeUnit.SECONDS));
            for (int i = 0; i < 100; i++)
            {
                final long version = journal.append(delta.clear().put("k" + i, new byte[8]));
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (journal.writtenVersion() < version)   // no await, so no nudge: only a writer still looking finds it
                {
                    assertTrue(System.nanoTime() < deadline, "the writer parked after the caller's wait: version " + version);
                    Thread.onSpinWait();
                }
            }
        }
    }

    @Test
    void shouldRefuseANegativeSpin()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Journal.open(JournalTestSupport.smallContext(dir).writerSpinAfterWaitNs(-1)));
        assertEquals("writerSpinAfterWaitNs must be >= 0: -1", ex.getMessage());
    }
}
