package dev.engram.harness.backupsoak;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bounded run of {@code ./engram backup-soak}: four cycles, so each of the four operations is killed once (the
 * operations come in shuffles of all four), each in a child JVM killed with SIGKILL within its first 10 counted storage
 * calls (short cycles on a loaded machine); no wrong restore, no corrupt repository, and every check ran.
 */
class BackupSoakTest
{
    @TempDir
    Path dir;

    @Test
    void killsDuringBackupShippingPruneAndRestoreLeaveEveryBackupRestorable() throws Exception
    {
        final List<String> lines = new ArrayList<>();
        final BackupSoak.Summary summary = new BackupSoak(dir.resolve("soak"), 20261207L).capKillPoint(10).run(4, line ->
        {
            System.out.println(line);
            lines.add(line);
        });
        System.out.println(summary.describe());
        assertTrue(summary.passed(), summary.describe());
        assertEquals(4, summary.cyclesRun());
        for (final String op : List.of("backup", "ship", "prune", "restore"))
        {
            final BackupSoak.OperationCounts counts = summary.of(op);
            assertEquals(1, counts.cycles(), op);
            assertEquals(1, counts.kills(), op);
            assertEquals(0, counts.wrongRestores(), op);
            assertEquals(0, counts.corruptRepositories(), op);
        }
        assertEquals(4, summary.totals().pointInTimeRestores, summary.describe());
        assertEquals(4, summary.totals().resumedBackups, summary.describe());
        assertEquals(1, summary.totals().resumedPrunes, summary.describe());
        assertTrue(summary.finalRestores() >= 2, summary.describe());
        assertEquals(summary.totals().backupsListed, summary.finalRestores(), summary.describe());
        assertEquals(5, lines.size(), String.join("\n", lines));
        assertTrue(summary.describe().contains("resumed backups 4, resumed prunes 1, killed restores' targets: " +
            summary.totals().childTargetsComplete + " complete"), summary.describe());
        assertTrue(summary.describe().endsWith("PASSED"), summary.describe());
    }
}
