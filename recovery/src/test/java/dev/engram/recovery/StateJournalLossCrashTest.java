package dev.engram.recovery;

import dev.engram.journal.ChildJvm;
import dev.engram.journal.JournalContext;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A {@code kill -9} is not journal loss: a child JVM appends on a journal that rolls a cycle file every second (with
 * background checkpoints and retention removing old cycles) and is killed within a few milliseconds of a second
 * boundary, where the writer rolls and the manifest is being brought up to date. Each time the state must reopen
 * without {@code acceptJournalLoss}, report no loss, hold at least every version the child reported written and
 * equal the model; the fast and the full path take turns. Cycles: -Dengram.test.lossCrashCycles (4).
 */
class StateJournalLossCrashTest
{
    static final int LARGE_VALUE = 2 * 1024;

    @TempDir
    Path root;

    static StateContext context(final Path dir)
    {
        return new StateContext().directory(dir).checkpointEveryFrames(10_000).checkpointIntervalMs(0)
            .snapshotIndex(false).journal(new JournalContext().rollCycle(TestRollCycles.TEST_SECONDLY)
                // on a loaded machine the journal thread can fall seconds behind: wait for it, this test is not about rate
                .backPressureTimeoutNs(TimeUnit.SECONDS.toNanos(120)));
    }

    @Test
    void shouldReopenWithoutReportingLossAfterKillsAroundCycleFileRolls() throws Exception
    {
        final int cycles = Integer.getInteger("engram.test.lossCrashCycles", 4);
        final long seed = Long.getLong("engram.test.seed", System.nanoTime());
        System.out.println("StateJournalLossCrashTest seed=" + seed + " cycles=" + cycles);
        final Path dir = root.resolve("state");
        final Path reportFile = root.resolve("report");
        final SeededWorkload workload = new SeededWorkload(seed, LARGE_VALUE);
        final Random random = new Random(seed);
        final Map<String, byte[]> model = new HashMap<>();
        long modelVersion = 0;
        for (int cycle = 1; cycle <= cycles; cycle++)
        {
            final long reportedWritten;
            try (RandomAccessFile raf = new RandomAccessFile(reportFile.toFile(), "rw"))
            {
                raf.setLength(64);
                final MappedByteBuffer report = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, 64);
                report.putLong(0, -1).putLong(8, -1);
                try (ChildJvm child = ChildJvm.builder(StateJournalLossCrashChild.class)
                    .args(dir, seed, reportFile)
                    .stdout(root.resolve("child-" + cycle + ".out"))
                    .stderr(root.resolve("child-" + cycle + ".err"))
                    .start())
                {
                    // at least a second and a half of appends (a roll or two), then the next second boundary's edge
                    final long target = modelVersion + 15_000 + random.nextInt(15_000);
                    final int edgeMs = random.nextInt(4);
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                    while (report.getLong(0) < target || !nearSecondBoundary(edgeMs))
                    {
                        assertTrue(child.isAlive(), () -> "child died: " + child.describe());
                        assertTrue(System.nanoTime() < deadline, () -> "child made no progress: " + child.describe());
                        Thread.onSpinWait();
                    }
                    assertEquals(ChildJvm.SIGKILL_EXIT_VALUE, child.killHard(10, TimeUnit.SECONDS));
                    reportedWritten = report.getLong(0);
                    assertEquals(modelVersion, report.getLong(8), "the child recovered a different version than the parent left");
                }
            }
            final boolean fastRecovery = cycle % 2 == 1;
            try (StateStore store = StateStore.open(context(dir).background(false).fastRecovery(fastRecovery)))
            {
                final RecoveryReport report = store.recoveryReport();
                final long r = report.recoveredVersion();
                System.out.printf("cycle %d: killed at written=%d, recovered=%d (%s), losses=%s, cycle files=%d%n", cycle,
                    reportedWritten, r, report.replayPath(), report.journalLosses(), cycleFiles(dir).size());
                assertFalse(report.cleanShutdown(), report.describe());
                assertEquals(List.of(), report.journalLosses(), report.describe());
                assertTrue(r >= reportedWritten, "LOST WRITTEN VERSIONS: reported " + reportedWritten + " recovered " + r);
                for (long v = modelVersion + 1; v <= r; v++)
                {
                    workload.apply(model, v);
                }
                modelVersion = r;
                StateStoreTest.assertState(store, model, "cycle " + cycle + " at version " + r);
            }
        }
    }

    /** Within ~{@code ms} + 1 milliseconds before or after a wall-clock second boundary (a TEST_SECONDLY roll). */
    private static boolean nearSecondBoundary(final int ms)
    {
        final long inSecond = System.currentTimeMillis() % 1000;
        return inSecond <= ms || inSecond >= 999 - ms;
    }

    private static List<Path> cycleFiles(final Path dir) throws java.io.IOException
    {
        try (var files = Files.list(dir.resolve("journal")))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".cq4")).toList();
        }
    }
}
