package dev.engram.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).syncPolicy(SyncPolicy.ASYNC)))
        {
            final long version = appendMany(journal, 500);
            assertTrue(journal.awaitWritten(version, 10, TimeUnit.SECONDS));
            assertEquals(0, journal.syncCount(), "ASYNC forced on its own");
            assertEquals(0, journal.syncedVersion());
            assertTrue(journal.awaitSynced(version, 10, TimeUnit.SECONDS));
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
            assertTrue(journal.awaitWritten(version, 10, TimeUnit.SECONDS));
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
            assertTrue(journal.awaitWritten(version, 10, TimeUnit.SECONDS));
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
}
