package dev.engram.engine;

import dev.engram.journal.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * kill -9 in the middle of {@link Engram#migrate}: after the reopen every value is at schema version 1 or 2 (whole
 * batches only), all read as the current record, and a second migrate finishes the job.
 */
class EngramMigrateCrashTest
{
    @TempDir
    Path dir;

    @Test
    void shouldLeaveOldOrNewValuesAfterAKillMidwayAndFinishOnTheNextRun() throws Exception
    {
        final Path state = dir.resolve("state");
        EngramMigrateTest.writeVersion1State(state);
        final Path progress = dir.resolve("progress");
        try (ChildJvm child = ChildJvm.builder(MigrateCrashChild.class).args(state, progress)
            .stdout(dir.resolve("child.out")).stderr(dir.resolve("child.err")).start())
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (progressCalls(progress) < 5)
            {
                assertTrue(child.isAlive(), () -> "child died: " + child.describe());
                assertTrue(System.nanoTime() < deadline, () -> "child made no progress: " + child.describe());
                Thread.onSpinWait();
            }
            assertEquals(ChildJvm.SIGKILL_EXIT_VALUE, child.killHard(30, TimeUnit.SECONDS));
        }
        assertFalse(Files.exists(dir.resolve("finished")), "killed midway, not after the run");

        try (Engram engram = Engram.open(state, EngramMigrateTest.ctx(2).migrationBatch(50, 1 << 20)))
        {
            int rewritten = 0;
            for (int k = 0; k < EngramMigrateTest.KEYS; k++)
            {
                final byte[] stored = engram.get("item/" + k);
                assertTrue(stored[4] == 1 || stored[4] == 2, "item/" + k + " at schema version " + stored[4]);
                rewritten += stored[4] == 2 ? 1 : 0;
                assertEquals(new EngramMigrateTest.Item("item-" + k, k, k * 10L),
                    engram.get("item/" + k, EngramMigrateTest.Item.class), "readable either way");
            }
            assertEquals(0, rewritten % 50, "whole batches only: " + rewritten + " rewritten");
            assertTrue(rewritten >= 4 * 50, "at least 4 batches were written before the kill: " + rewritten);
            assertTrue(rewritten < EngramMigrateTest.KEYS, "the kill came before the end");
            System.out.println("EngramMigrateCrashTest: " + rewritten + " of " + EngramMigrateTest.KEYS + " rewritten before the kill");

            final MigrationReport rest = engram.migrate(scanned -> { });
            assertEquals(EngramMigrateTest.KEYS - rewritten, rest.migrated());
            EngramMigrateTest.assertAllUpgraded(engram);
        }
    }

    private static int progressCalls(final Path progress)
    {
        try
        {
            return Files.exists(progress) ? Integer.parseInt(Files.readString(progress).trim()) : 0;
        }
        catch (final java.io.IOException | NumberFormatException ex)
        {
            return 0;   // replaced between the check and the read: look again
        }
    }
}
