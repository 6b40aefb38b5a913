package dev.engram.journal;

import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Cycle files roll on the journal's clock; replay crosses them; truncateBefore removes whole old cycles,
 * also while a producer appends.
 */
class JournalRollAndRetentionTest
{
    private static final int PER_CYCLE = 100;
    private static final int CYCLES = 5;

    @TempDir
    Path dir;

    private final AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);

    private JournalContext ctx()
    {
        return JournalTestSupport.smallContext(dir).rollCycle(TestRollCycles.TEST_SECONDLY).epochMsClock(clockMs::get);
    }

    private long fillCycles(final Journal journal)
    {
        final Delta delta = journal.newDelta();
        long version = 0;
        for (int c = 0; c < CYCLES; c++)
        {
            for (int i = 0; i < PER_CYCLE; i++)
            {
                version = journal.append(delta.clear().put("k" + i, new byte[] {(byte)c}));
            }
            assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
            clockMs.addAndGet(1000);
        }
        return version;
    }

    private long cycleFiles() throws IOException
    {
        try (var files = Files.list(dir))
        {
            return files.filter(p -> p.toString().endsWith(".cq4")).count();
        }
    }

    @Test
    void shouldRollAndReplayAcrossCyclesFromAnyVersion() throws IOException
    {
        try (Journal journal = Journal.open(ctx()))
        {
            final long last = fillCycles(journal);
            assertEquals(CYCLES * PER_CYCLE, last);
            assertEquals(CYCLES, cycleFiles());
            try (JournalReader reader = journal.newReader())
            {
                for (final long from : new long[] {1, 2, 99, 100, 101, 250, 401, 500})
                {
                    final long[] expected = {from};
                    final ReplayResult result = reader.replay(from, f -> assertEquals(expected[0]++, f.version()));
                    assertEquals(from, result.firstVersion());
                    assertEquals(last, result.lastVersion());
                    assertEquals(last - from + 1, result.framesDelivered());
                }
                final ReplayResult bounded = reader.replay(150, 320, f -> { });
                assertEquals(150, bounded.firstVersion());
                assertEquals(320, bounded.lastVersion());
                assertEquals(0, reader.replay(501, f -> fail("nothing after the end")).framesDelivered());
            }
        }
        try (Journal journal = Journal.open(ctx()))
        {
            assertEquals(CYCLES * PER_CYCLE, journal.openReport().lastVersion());
        }
    }

    @Test
    void shouldRemoveOnlyWholeCyclesBeforeAVersionWhileAppending() throws Exception
    {
        // ALWAYS: the sync thread lists cycle files all the time, racing the removal (a soak found that race)
        try (Journal journal = Journal.open(ctx().syncPolicy(SyncPolicy.ALWAYS)))
        {
            final long last = fillCycles(journal);
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final int extra = 20_000;
            final Thread producer = new Thread(() ->
            {
                try
                {
                    final Delta delta = journal.newDelta();
                    for (int i = 0; i < extra; i++)
                    {
                        journal.append(delta.clear().put("live", new byte[32]));
                    }
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            });
            producer.start();
            assertEquals(2, journal.truncateBefore(250), "cycles holding 1-100 and 101-200 go; 201-300 holds 250");
            producer.join(60_000);
            assertNull(failure.get());
            final long end = last + extra;
            assertTrue(journal.awaitWritten(end, 30, TimeUnit.SECONDS));
            // the live appends went into a sixth cycle (the clock moved on after the fifth)
            assertEquals(CYCLES + 1 - 2, cycleFiles());

            try (JournalReader reader = journal.newReader())
            {
                assertEquals(201, reader.firstVersion());
                final JournalException gone = assertThrows(JournalException.class, () -> reader.replay(150, f -> { }));
                assertTrue(gone.getMessage().contains("first available version=201"), gone.getMessage());
                final long[] expected = {201};
                final ReplayResult all = reader.replay(1, f -> assertEquals(expected[0]++, f.version()));
                assertEquals(201, all.firstVersion());
                assertEquals(end, all.lastVersion());
            }
            assertEquals(0, journal.truncateBefore(250), "nothing more to remove");
            assertEquals(CYCLES - 2, journal.truncateBefore(Long.MAX_VALUE), "all but the newest cycle");
            assertEquals(1, cycleFiles());
        }
    }

    @Test
    void shouldRemoveCyclesPastAFramelessCycleAndDiscardedFiles() throws IOException
    {
        try (Journal journal = Journal.open(ctx()))
        {
            fillCycles(journal);
        }
        // a cycle file with its header and no frame (what a kill -9 can leave between two cycles), then a
        // half-created file recovery moved aside
        try (net.openhft.chronicle.queue.ChronicleQueue queue = net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder
            .binary(dir).rollCycle(TestRollCycles.TEST_SECONDLY).timeProvider(clockMs::get).build();
             net.openhft.chronicle.queue.ExcerptAppender appender = queue.createAppender();
             net.openhft.chronicle.wire.DocumentContext dc = appender.writingDocument(true))
        {
            dc.wire().write("note").text("metadata only");
        }
        clockMs.addAndGet(1000);
        Files.write(dir.resolve("19700101-000000T.cq4.discard"), new byte[64]);
        try (Journal journal = Journal.open(ctx()))
        {
            final Delta delta = journal.newDelta();
            long version = 0;
            for (int c = 0; c < 2; c++)
            {
                for (int i = 0; i < PER_CYCLE; i++)
                {
                    version = journal.append(delta.clear().put("k" + i, new byte[] {(byte)c}));
                }
                assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
                clockMs.addAndGet(1000);
            }
            assertEquals(CYCLES + 3, cycleFiles(), "five full cycles, the frameless one, two more");
            // everything before the newest cycle: the frameless cycle must not stop retention (it used to, forever)
            final int removed = journal.truncateBefore(version);
            assertEquals(1, cycleFiles(), "only the newest cycle is left");
            assertFalse(Files.exists(dir.resolve("19700101-000000T.cq4.discard")), "discarded files hold nothing: removed");
            assertEquals(CYCLES + 2 + 1, removed);
            try (JournalReader reader = journal.newReader())
            {
                assertEquals(version - PER_CYCLE + 1, reader.firstVersion());
            }
        }
    }

    @Test
    void shouldReopenWithEverythingAfterItsMetadataFileWasMovedAside() throws IOException
    {
        final long last;
        try (Journal journal = Journal.open(ctx()))
        {
            last = fillCycles(journal);
        }
        // what the message of a failed queue open tells an operator to do with a damaged metadata.cq4t
        Files.move(dir.resolve("metadata.cq4t"), dir.resolve("metadata.cq4t.damaged"));
        try (Journal journal = Journal.open(ctx()))
        {
            assertEquals(last, journal.openReport().lastVersion());
            final long next = journal.append(journal.newDelta().put("after", new byte[] {1}));
            assertEquals(last + 1, next);
            assertTrue(journal.awaitWritten(next, 60, TimeUnit.SECONDS));
            try (JournalReader reader = journal.newReader())
            {
                assertEquals(next, reader.replay(1, f -> { }).framesDelivered());
            }
        }
    }
}
