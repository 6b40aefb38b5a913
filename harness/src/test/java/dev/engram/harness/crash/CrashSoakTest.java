package dev.engram.harness.crash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CrashSoakTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRecoverTheModelAfterEveryKillInAShortSoak() throws Exception
    {
        final int cycles = Math.max(3, Integer.getInteger("engram.test.crashCycles", 20) / 5);
        final List<String> lines = new ArrayList<>();
        final CrashSoak.Summary summary = new CrashSoak(dir.resolve("soak"), System.nanoTime(), 4000, m -> m)
            .run(cycles, line ->
            {
                System.out.println(line);
                lines.add(line);
            });
        System.out.println(summary.describe());
        assertTrue(summary.passed(), summary.describe());
        // disk use is reported per cycle and as final and peak figures
        assertEquals(cycles, lines.size());
        for (final String line : lines)
        {
            assertTrue(line.contains("; disk: allocated ") && line.contains("MiB long") && line.contains("(journal ") &&
                line.contains("checkpoints "), line);
        }
        final DiskUse last = summary.finalDiskUse();
        final DiskUse peak = summary.peakDiskUse();
        assertTrue(last.journalBytes() > 0 && last.journalFiles() > 0, last.describe());
        // checkpoints exist only if a child lived long enough to build one: on a loaded machine a child can be killed
        // while its journal's queue is still opening (its commits in the bridge file), every cycle, and build none
        assertEquals(last.checkpointFiles() > 0, last.checkpointBytes() > 0, last.describe());
        assertTrue(summary.checkpoints() == 0 || last.checkpointFiles() > 0,
            "checkpoints built in children but none on disk: " + last.describe());
        assertTrue(last.journalBytes() + last.checkpointBytes() <= last.totalBytes(), last.describe());
        assertTrue(last.journalAllocated() > 0 && (last.checkpointFiles() == 0 || last.checkpointAllocated() > 0) &&
            last.journalAllocated() + last.checkpointAllocated() <= last.allocated(), last.describe());
        assertTrue(peak.totalBytes() >= last.totalBytes() && peak.files() >= last.files(), peak.describe());
        assertTrue(summary.describe().contains("disk use after the last recovery: " + last.describe()), summary.describe());
        assertTrue(summary.describe().contains("disk use peak over the cycles:    " + peak.describe()), summary.describe());
        assertEquals(cycles, summary.recoveries());
        assertEquals(0, summary.versionsLost());
        assertTrue(summary.finalVersion() > 0);
    }

    @Test
    void shouldMeasureTheJournalTheCheckpointsAndTheRest() throws Exception
    {
        final Path state = dir.resolve("measured");
        Files.createDirectories(state.resolve("journal"));
        Files.createDirectories(state.resolve("checkpoints"));
        Files.write(state.resolve("journal/a.cq4"), new byte[1000]);
        Files.write(state.resolve("journal/b.cq4"), new byte[24]);
        Files.write(state.resolve("checkpoints/ckpt-1.ckp"), new byte[300]);
        Files.write(state.resolve("engram.lock"), new byte[7]);
        final DiskUse use = DiskUse.of(state);
        assertEquals(new DiskUse(1331, 1024, 300, 4, 2, 1), new DiskUse(use.totalBytes(), use.journalBytes(),
            use.checkpointBytes(), use.files(), use.journalFiles(), use.checkpointFiles()));
        // du counts whole blocks (directories included), so at least one block per file
        assertTrue(use.allocated() >= use.journalAllocated() + use.checkpointAllocated(), use.describe());
        assertTrue(use.journalAllocated() >= 2 * 512 && use.checkpointAllocated() >= 512, use.describe());
        assertEquals(DiskUse.NONE, DiskUse.of(dir.resolve("absent")));
        assertEquals(new DiskUse(1331, 1024, 500, 4, 2, 3, 9, 8, 7),
            new DiskUse(1331, 1024, 300, 4, 2, 1, 9, 2, 7).max(new DiskUse(10, 10, 500, 1, 1, 3, 1, 8, 0)));
    }

    @Test
    void shouldFailTheRunWhenTheRecoveredStateDiffersFromTheModel() throws Exception
    {
        final CrashSoak.Summary summary = new CrashSoak(dir.resolve("wrong"), 42, 4000, model ->
        {
            // a deliberately wrong model: one byte of the consciousness summary changed
            final Map<String, byte[]> wrong = new HashMap<>(model);
            final byte[] value = wrong.get("consciousness") != null ? wrong.get("consciousness").clone() :
                wrong.values().iterator().next().clone();
            value[value.length - 1] ^= 1;
            wrong.put(wrong.containsKey("consciousness") ? "consciousness" : wrong.keySet().iterator().next(), value);
            return wrong;
        }).run(1, System.out::println);
        System.out.println(summary.describe());
        assertFalse(summary.passed());
        assertTrue(summary.failure().contains("differs from the model"), summary.failure());
        assertTrue(summary.failure().contains("1 differing ["), summary.failure());
        assertNotNull(summary.keptDirectory());
    }
}
