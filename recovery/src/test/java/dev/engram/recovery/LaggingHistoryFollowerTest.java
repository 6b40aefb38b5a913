package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import dev.engram.journal.JournalReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Without a history window, a history follower that lags the producer (it runs at a low priority; here it is held)
 * does not hold the journal: retention removes the cycle files checkpoints cover, and the follower goes on from the
 * journal's first version. Before, it held every cycle file from its position on, so a flat-out producer's journal
 * grew without bound (bench disk: 4.5 GB for a 20 MiB state after 10 M updates, one checkpoint's worth retained).
 */
class LaggingHistoryFollowerTest
{
    private static final int KEYS = 100;

    @TempDir
    Path dir;

    private final AtomicReference<CountDownLatch> hold = new AtomicReference<>();
    private final CountDownLatch held = new CountDownLatch(1);

    private void followerStep()
    {
        final CountDownLatch gate = hold.get();
        if (gate != null)
        {
            held.countDown();
            try
            {
                gate.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void retentionTrimsTheJournalUnderALaggingFollowerAndTheFollowerGoesOnFromItsFirstVersion() throws Exception
    {
        final StateContext ctx = new StateContext().directory(dir).background(false).checkpointIntervalMs(0)
            .journal(new JournalContext().rollBytes(64 * 1024))
            .historyFollowerStep(this::followerStep);
        final CountDownLatch gate = new CountDownLatch(1);
        try (StateStore store = StateStore.open(ctx))
        {
            try
            {
                final Journal journal = store.journal();
                final Delta delta = journal.newDelta();
                long last = append(journal, delta, 0, 1_000);
                assertTrue(store.versionHistory().awaitIndexed(last, 60_000), "indexed before the hold");
                hold.set(gate);
                assertTrue(held.await(60, TimeUnit.SECONDS), "the follower reached its hold");
                final long heldAt = last;

                // checkpoints cover what is written; without a window, retention may now remove cycle files the held
                // follower has not read
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                long first = firstVersion(journal);
                while (first <= heldAt + 1 && System.nanoTime() < deadline)
                {
                    last = append(journal, delta, last, 5_000);
                    assertTrue(store.awaitApplied(last, 60, TimeUnit.SECONDS));
                    store.checkpoint();
                    first = firstVersion(journal);
                }
                assertTrue(first > heldAt + 1, "the journal still starts at version=" + first + ": the held follower " +
                    "(next version " + (heldAt + 1) + ") holds it");

                gate.countDown();
                hold.set(null);
                last = append(journal, delta, last, 100);
                assertTrue(store.versionHistory().awaitIndexed(last, 60_000), "the follower indexed up to " + last +
                    " after the versions under it were removed");
                assertTrue(store.versionHistory().followerJumps() >= 1, "the follower went on from the journal's first version");

                // history answers from what the journal holds, through the index
                final long firstKept = firstVersion(journal);
                final KeyHistory history = store.history("k7", firstKept, last);
                final List<Long> expected = new ArrayList<>();
                for (long v = firstKept; v <= last; v++)
                {
                    if (v % KEYS == 7)
                    {
                        expected.add(v);
                    }
                }
                final List<Long> found = new ArrayList<>();
                for (final long v : history.versions())
                {
                    found.add(v);
                }
                assertEquals(expected, found);
            }
            finally
            {
                gate.countDown();
                hold.set(null);
            }
        }
    }

    private static long append(final Journal journal, final Delta delta, final long after, final int count)
    {
        long version = after;
        final byte[] value = new byte[200];
        for (int i = 0; i < count; i++)
        {
            final long v = version + 1;
            value[0] = (byte)v;
            version = journal.append(delta.clear().put("k" + (v % KEYS), value));
            assertEquals(v, version);
        }
        assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
        return version;
    }

    private static long firstVersion(final Journal journal)
    {
        try (JournalReader reader = journal.newReader())
        {
            return reader.firstVersion();
        }
    }
}
