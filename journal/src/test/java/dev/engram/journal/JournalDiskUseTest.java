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
 * Disk blocks reserved ahead of the writer ({@link DiskReservation}) are given back when the writer moves on to the
 * next cycle file, and the file being written holds its data plus a bounded reservation. Before: the chunk being
 * written and the next were reserved (160 MiB per cycle file with the default 64 MiB block size) and a finished cycle
 * file kept ~80 MiB however little it held (ext4 stops a hole punch at the file's length, so the blocks reserved past
 * it stayed until retention deleted the file). Now a finished file keeps about its data, the file being written its data
 * plus at most 2 × (largest delta + 1 MiB). The frames stay readable and the journal reopens and appends.
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
            Assumptions.assumeTrue(current >= 16L << 20, "fallocate reserves nothing on this file system (" + current +
                " bytes allocated to the cycle being written): nothing to give back");
            final long ahead = JournalContext.MAX_DELTA_LENGTH_DEFAULT + DiskReservation.SLACK;
            // the cycle being written: its few KiB of data plus the reservation ahead (before: 160 MiB)
            assertTrue(current <= 2 * ahead + (1L << 20), "the cycle being written holds " + current + " bytes");
            for (int i = 0; i < 2; i++)
            {
                final long finished = allocated(cycles.get(i));
                // 50 frames of ~130 bytes, Chronicle's header and index pages: well under a MiB (before: 80.5 MiB)
                assertTrue(finished <= 1L << 20, "finished cycle file " + cycles.get(i) + " of length " +
                    Files.size(cycles.get(i)) + " still holds " + finished + " bytes (the cycle being written holds " +
                    current + ")");
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
