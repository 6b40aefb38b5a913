package dev.engram.backup;

import dev.engram.engine.Engram;
import dev.engram.testsupport.ChildJvm;
import dev.engram.testsupport.StdoutListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A child JVM backs up its open store while a producer appends, and is killed with SIGKILL after a random number of
 * object writes of its backups. After each kill: the repository verifies with read-data, every backup restores to
 * exactly the state at its version, the store itself reopens with every version a model gives it (unharmed), and
 * the next child's backups go on from there. Cycles: {@code engram.test.crashCycles} (at most 4 here: each starts a
 * JVM).
 */
class LiveBackupCrashTest
{
    @TempDir
    Path tmp;

    @Test
    void aKilledLiveBackupLeavesTheRepositoryValidAndTheStoreUnharmed() throws Exception
    {
        final int cycles = Math.min(4, Integer.getInteger("engram.test.crashCycles", 3));
        final Random random = new Random(20261208L);
        final Path repo = tmp.resolve("repo");
        final Path store = tmp.resolve("store");
        final Map<Long, Long> versionOfBackup = new TreeMap<>();
        final java.util.Set<Long> checked = new java.util.HashSet<>();
        int killedMidBackup = 0;
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            final int killAfterPuts = 1 + random.nextInt(12);
            final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            try (ChildJvm child = ChildJvm.builder(LiveBackupCrashChild.class)
                .args(repo.toString(), store.toString())
                .logs(tmp, "child-" + cycle)
                .onStdout(new StdoutListener()
                {
                    @Override
                    public void line(final String line)
                    {
                        lines.add(line);
                    }

                    @Override
                    public void end(final IOException failure)
                    {
                        lines.add("<end>");
                    }
                })
                .start())
            {
                int puts = 0;
                boolean inBackup = false;
                while (puts < killAfterPuts)
                {
                    final String line = lines.poll(120, TimeUnit.SECONDS);
                    assertNotNull(line, "child silent: " + child.describe());
                    assertTrue(!line.equals("<end>") && !line.startsWith("producer"), line + ": " + child.stderrTail());
                    if (line.startsWith("put "))
                    {
                        puts++;
                        inBackup = true;
                    }
                    else if (line.startsWith("backed-up "))
                    {
                        record(line, versionOfBackup);
                        inBackup = false;
                    }
                }
                assertEquals(ChildJvm.SIGKILL_EXIT_VALUE, child.killHard(60, TimeUnit.SECONDS));
                killedMidBackup += inBackup ? 1 : 0;
                for (String line = lines.poll(); line != null; line = lines.poll())
                {
                    if (line.startsWith("backed-up "))
                    {
                        record(line, versionOfBackup);
                    }
                }
            }
            final LiveBackupCrashChild.Model model = new LiveBackupCrashChild.Model();
            checkRepository(repo, versionOfBackup, checked, model, cycle);
            // the store the backups read is unharmed: it opens with exactly the model's state at its last version
            try (Engram engram = Engram.open(store, Stores.ctx()))
            {
                assertEquals(model.at(engram.lastAppendedVersion()), state(engram), "cycle " + cycle);
            }
        }
        assertTrue(killedMidBackup > 0, "no kill landed inside a backup");
    }

    private static void record(final String line, final Map<Long, Long> versionOfBackup)
    {
        final String[] parts = line.split(" ");
        versionOfBackup.put(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    }

    /** Verifies the repository, and restores each backup not restored in an earlier cycle. */
    private void checkRepository(final Path repo, final Map<Long, Long> versionOfBackup, final java.util.Set<Long> checked,
        final LiveBackupCrashChild.Model model, final int cycle) throws Exception
    {
        try (Backups backups = Backups.open(repo))
        {
            final VerifyReport report = backups.verify(true);
            assertTrue(report.ok(), "cycle " + cycle + ": " + report);
            for (final BackupInfo info : backups.list())
            {
                if (!checked.add(info.id()))
                {
                    continue;
                }
                final Long version = versionOfBackup.get(info.id());
                assertTrue(version == null || version == info.stateVersion(), info.toString());
                final Path restored = tmp.resolve("restored-" + cycle + "-" + info.id());
                assertEquals(info.stateVersion(), backups.restore(RestoreTarget.backup(info.id()), restored).stateVersion());
                try (Engram engram = Engram.open(restored, Stores.ctx()))
                {
                    assertEquals(info.stateVersion(), engram.lastAppendedVersion(), info.toString());
                    assertEquals(model.at(info.stateVersion()), state(engram), info.toString());
                }
            }
        }
    }

    private static Map<String, String> state(final Engram engram)
    {
        final TreeMap<String, String> state = new TreeMap<>();
        engram.forEach("", (k, v) -> state.put(k, new String(v, StandardCharsets.UTF_8)));
        return state;
    }
}
