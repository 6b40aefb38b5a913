package dev.engram.recovery;

import dev.engram.journal.ChildJvm;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * kill -9 a child JVM at random moments while it appends and checkpoints continuously (so kills land
 * inside checkpoint building, publication and generation swaps too); after each kill the state is
 * recovered in-process and must equal the reference model at some version r with r >= the last written
 * version the child reported, and no temp file may remain. Cycles: -Dengram.test.crashCycles (20).
 */
class StateCrashTest
{
    private static final int LARGE_VALUE = 16 * 1024;

    static StateContext context(final Path dir)
    {
        final StateContext ctx = new StateContext().directory(dir).checkpointEveryFrames(2500).maxChainLength(4)
            .deltaChangedKeysRatio(10).maxChainSizeRatio(100).checkpointIntervalMs(0).snapshotIndex(false)
            .keyIndexMinChainLength(3);
        // on a loaded machine the journal's queue can take seconds to open after recovery while the child
        // appends into the ring: wait for it (the ring's default 5 s timeout failed a child), this test is not about rate
        ctx.journal().backPressureTimeoutNs(java.util.concurrent.TimeUnit.SECONDS.toNanos(120));
        return ctx;
    }

    @Test
    void shouldRecoverTheModelAfterEveryKill() throws Exception
    {
        final int cycles = Integer.getInteger("engram.test.crashCycles", 20);
        final long seed = Long.getLong("engram.test.seed", System.nanoTime());
        final Path root = Path.of("target", "crash-data", "state-" + seed).toAbsolutePath();
        final Path dir = root.resolve("state");
        Files.createDirectories(root);
        final Path reportFile = root.resolve("report");
        System.out.println("StateCrashTest seed=" + seed + " cycles=" + cycles + " dir=" + root);
        final SeededWorkload workload = new SeededWorkload(seed, LARGE_VALUE);
        final Random random = new Random(seed);
        final Map<String, byte[]> model = new HashMap<>();
        long modelVersion = 0;
        long maxRecoveryMs = 0;
        int kills = 0;
        int checkpointsSeen = 0;
        boolean ok = false;
        try
        {
            for (int cycle = 1; cycle <= cycles; cycle++)
            {
                // every 4th child also maintains the Chronicle Map snapshot index (its first open costs ~2 s,
                // so that child lives longer): kills then land in index publication too
                final boolean withIndex = cycle % 4 == 0;
                final long reportedWritten;
                final long childRecovered;
                try (RandomAccessFile raf = new RandomAccessFile(reportFile.toFile(), "rw"))
                {
                    raf.setLength(64);
                    final MappedByteBuffer report = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, 64);
                    report.putLong(0, -1).putLong(8, -1).putLong(16, 0);
                    try (ChildJvm child = ChildJvm.builder(StateCrashChild.class)
                        .args(dir, seed, LARGE_VALUE, reportFile, withIndex)
                        .stdout(root.resolve("child-" + cycle + ".out"))
                        .stderr(root.resolve("child-" + cycle + ".err"))
                        .start())
                    {
                        final long target = modelVersion + 2_000 + random.nextInt(40_000) + (withIndex ? 60_000 : 0);
                        // every other child is killed only once it has published a checkpoint (a condition, not a
                        // time: on a loaded machine the first build after a long replay can take seconds), so the
                        // tail stays bounded and kills land after and during builds on any machine
                        final boolean afterACheckpoint = cycle % 2 == 1;
                        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);   // a hang, not speed
                        while (report.getLong(0) < target || (afterACheckpoint && report.getLong(16) == 0))
                        {
                            assertTrue(child.isAlive(), () -> "child died: " + child.describe());
                            assertTrue(System.nanoTime() < deadline, () -> "child made no progress: " + child.describe());
                            Thread.onSpinWait();
                        }
                        assertEquals(ChildJvm.SIGKILL_EXIT_VALUE, child.killHard(10, TimeUnit.SECONDS));
                        kills++;
                        reportedWritten = report.getLong(0);
                        childRecovered = report.getLong(8);
                        checkpointsSeen += (int)report.getLong(16);
                    }
                }
                assertEquals(modelVersion, childRecovered, "the child recovered a different version than the parent left");

                final long openStart = System.nanoTime();
                try (StateStore store = StateStore.open(context(dir).background(false).snapshotIndex(withIndex)))
                {
                    final long openMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openStart);
                    maxRecoveryMs = Math.max(maxRecoveryMs, openMs);
                    final RecoveryReport report = store.recoveryReport();
                    final long r = report.recoveredVersion();
                    assertFalse(report.cleanShutdown(), report.describe());
                    assertTrue(r >= reportedWritten, "LOST WRITTEN VERSIONS: reported " + reportedWritten + " recovered " + r);
                    assertTrue(report.rejected().isEmpty(), () -> "a kill -9 must not damage a published checkpoint: " + report.describe());
                    for (long v = modelVersion + 1; v <= r; v++)
                    {
                        workload.apply(model, v);
                    }
                    modelVersion = r;
                    StateStoreTest.assertState(store, model, "cycle " + cycle + " at version " + r);
                    if (withIndex)
                    {
                        final SnapshotIndexReport index = store.snapshotIndexCheck().get(60, TimeUnit.SECONDS);
                        System.out.println("  snapshot index after kill: " + index.description());
                        StateStoreTest.assertState(store, model, "cycle " + cycle + " through the checked index");
                    }
                    try (var files = Files.list(dir.resolve("checkpoints")))
                    {
                        assertTrue(files.noneMatch(f -> f.toString().endsWith(CheckpointFiles.TMP_SUFFIX)), "stray temp files");
                    }
                    System.out.printf("cycle %d: killed at written=%d, recovered=%d, checkpoint=%d chain=%d replayed=%d temp removed=%s, open %d ms%n",
                        cycle, reportedWritten, r, report.checkpointVersion(), report.chainLength(), report.framesReplayed(),
                        report.tempFilesRemoved(), openMs);
                }
            }
            assertEquals(cycles, kills);
            assertTrue(checkpointsSeen > 0, "the children never checkpointed: the test would not cover checkpoint crashes");
            System.out.printf("StateCrashTest passed: %d kills, %d versions, %d checkpoints in children, max open %d ms%n",
                kills, modelVersion, checkpointsSeen, maxRecoveryMs);
            ok = true;
        }
        finally
        {
            if (ok)
            {
                deleteRecursively(root);
            }
            else
            {
                System.out.println("StateCrashTest FAILED: data kept in " + root + " (seed=" + seed + ")");
            }
        }
    }

    private static void deleteRecursively(final Path root) throws IOException
    {
        try (var paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
    }
}
