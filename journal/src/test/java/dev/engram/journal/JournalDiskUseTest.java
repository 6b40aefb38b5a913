package dev.engram.journal;

import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Disk blocks reserved ahead of the writer ({@link DiskReservation}: the chunk being written and the next, 160 MiB
 * per cycle file with the default 64 MiB block size) past a finished cycle file's length are given back when the writer
 * moves on to the next cycle file: before, every finished cycle file kept them until retention deleted it, so a journal
 * of short roll cycles (the crash soak rolls every second) held ~160 MiB per cycle file kept however little each held
 * (now ~80 MiB: the first mapped chunk stays allocated). The frames stay readable and the journal reopens and appends.
 */
class JournalDiskUseTest
{
    @TempDir
    Path dir;

    private final AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);

    /** Bytes allocated on disk to a file ({@code stat}: blocks × block size). */
    private static long allocated(final Path file) throws IOException, InterruptedException
    {
        final Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).redirectErrorStream(true).start();
        final String out = new String(stat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(stat.waitFor(30, TimeUnit.SECONDS) && stat.exitValue() == 0, out);
        final String[] parts = out.split(" ");
        return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
    }

    @Test
    void shouldGiveBackAFinishedCycleFilesReservation() throws Exception
    {
        final JournalContext ctx = new JournalContext().directory(dir).rollCycle(TestRollCycles.TEST_SECONDLY)
            .epochMsClock(clockMs::get);
        long v = 0;
        try (Journal journal = Journal.open(ctx))
        {
            final Delta delta = journal.newDelta();
            for (int c = 0; c < 3; c++)
            {
                for (int i = 0; i < 50; i++)
                {
                    v = journal.append(delta.clear().put("k" + i, new byte[100]));
                }
                assertTrue(journal.awaitWritten(v, 30, TimeUnit.SECONDS));
                clockMs.addAndGet(1000);
            }
            final List<Path> cycles;
            try (var files = Files.list(dir))
            {
                cycles = files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
            }
            assertEquals(3, cycles.size());
            final long current = allocated(cycles.get(2));
            Assumptions.assumeTrue(current >= 64L << 20, "fallocate reserves nothing on this file system (" + current +
                " bytes allocated to the cycle being written): nothing to give back");
            for (int i = 0; i < 2; i++)
            {
                final long finished = allocated(cycles.get(i));
                final long length = Files.size(cycles.get(i));
                // nothing past the file's length stays allocated (before: the whole next chunk did, 160 MiB in all)
                assertTrue(finished <= length + (1L << 20), "finished cycle file " + cycles.get(i) + " of length " +
                    length + " still holds " + finished + " bytes (the cycle being written holds " + current + ")");
                assertTrue(finished < current, "finished " + finished + " < current " + current);
            }
        }
        // every frame still reads, and the journal goes on
        try (Journal journal = Journal.open(ctx))
        {
            assertEquals(v, journal.openReport().lastVersion());
            final long[] seen = {0};
            try (JournalReader reader = journal.newReader())
            {
                reader.replay(1, frame -> seen[0] = frame.version());
            }
            assertEquals(v, seen[0]);
            final long next = journal.append(journal.newDelta().put("after", new byte[] {1}));
            assertTrue(journal.awaitWritten(next, 30, TimeUnit.SECONDS));
        }
    }
}
