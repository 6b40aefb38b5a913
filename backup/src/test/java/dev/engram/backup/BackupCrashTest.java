package dev.engram.backup;

import dev.engram.backup.storage.LocalDirectoryStorage;
import dev.engram.testsupport.ChildJvm;
import dev.engram.testsupport.StdoutListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
 * A child JVM backs up one source directory after another and is killed with SIGKILL after a random number of
 * object writes (inside a pack, an index object or a manifest publication). After each kill: the repository
 * verifies with read-data, every backup it lists restores to exactly its source's files, and the next child's
 * backups go on from there. Cycles: {@code engram.test.crashCycles} (20 in the build, at most 8 here: each cycle
 * starts a JVM). The same for an encrypted repository (whose first puts are its key object and its config).
 */
class BackupCrashTest
{
    @TempDir
    Path tmp;

    @Test
    void killedBackupsNeverLeaveABrokenRepository() throws Exception
    {
        run(null);
    }

    @Test
    void killedEncryptedBackupsNeverLeaveABrokenRepository() throws Exception
    {
        run("crash passphrase");
    }

    /** The key of the encrypted repository (few iterations: every open derives it). */
    static RepositoryKey key(final String passphrase)
    {
        return passphrase == null ? null : RepositoryKey.passphrase(passphrase.toCharArray(), 1_000);
    }

    private void run(final String passphrase) throws Exception
    {
        final int cycles = Math.min(8, Integer.getInteger("engram.test.crashCycles", 4));
        final Random random = new Random(20261207L);
        final Path repo = tmp.resolve("repo");
        final Map<Long, Long> seedOfBackup = new TreeMap<>();
        long nextSeed = 1;
        int killedMidBackup = 0;
        for (int cycle = 0; cycle < cycles; cycle++)
        {
            final int killAfterPuts = 1 + random.nextInt(40);
            final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            try (ChildJvm child = ChildJvm.builder(BackupCrashChild.class)
                .args(passphrase == null ? new String[] {repo.toString(), tmp.toString(), Long.toString(nextSeed)} :
                    new String[] {repo.toString(), tmp.toString(), Long.toString(nextSeed), passphrase})
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
                    assertTrue(!line.equals("<end>"), "child ended: " + child.stderrTail());
                    if (line.startsWith("put "))
                    {
                        puts++;
                        inBackup = true;
                    }
                    else if (line.startsWith("backed-up "))
                    {
                        final String[] parts = line.split(" ");
                        seedOfBackup.put(Long.parseLong(parts[2]), Long.parseLong(parts[1]));
                        nextSeed = Long.parseLong(parts[1]) + 1;
                        inBackup = false;
                    }
                }
                assertEquals(ChildJvm.SIGKILL_EXIT_VALUE, child.killHard(60, TimeUnit.SECONDS));
                killedMidBackup += inBackup ? 1 : 0;
                // lines the child printed before it died (a backup may have completed after the last one read)
                for (String line = lines.poll(); line != null; line = lines.poll())
                {
                    if (line.startsWith("backed-up "))
                    {
                        final String[] parts = line.split(" ");
                        seedOfBackup.put(Long.parseLong(parts[2]), Long.parseLong(parts[1]));
                        nextSeed = Long.parseLong(parts[1]) + 1;
                    }
                }
            }
            nextSeed++;
            checkRepository(repo, seedOfBackup, cycle, passphrase);
        }
        assertTrue(killedMidBackup > 0, "no kill landed inside a backup");
        try (Backups backups = Backups.open(LocalDirectoryStorage.open(repo), BackupSettings.defaults(), key(passphrase)))
        {
            assertEquals(passphrase != null, backups.encrypted());
            final Path source = tmp.resolve("src-final");
            BackupCrashChild.writeSource(source, 999_999);
            final BackupResult last = backups.backup(source);
            final Path restored = tmp.resolve("restored-final");
            backups.restore(RestoreTarget.latest(), restored);
            assertEquals(Stores.files(source).keySet(), Stores.files(restored).keySet());
            assertTrue(last.backup().id() > 0);
        }
    }

    private void checkRepository(final Path repo, final Map<Long, Long> seedOfBackup, final int cycle,
        final String passphrase) throws Exception
    {
        try (Backups backups = Backups.open(LocalDirectoryStorage.open(repo), BackupSettings.defaults(),
            key(passphrase)))
        {
            final VerifyReport report = backups.verify(true);
            assertTrue(report.ok(), "cycle " + cycle + ": " + report);
            for (final BackupInfo info : backups.list())
            {
                final Long seed = seedOfBackup.get(info.id());
                if (seed == null)
                {
                    continue; // published just before the kill, its line not read: verified above
                }
                final Path restored = tmp.resolve("restored-" + cycle + "-" + info.id());
                backups.restore(RestoreTarget.backup(info.id()), restored);
                final TreeMap<String, byte[]> expected = Stores.files(tmp.resolve("src-" + seed));
                final TreeMap<String, byte[]> actual = Stores.files(restored);
                assertEquals(expected.keySet(), actual.keySet());
                for (final String file : expected.keySet())
                {
                    assertTrue(java.util.Arrays.equals(expected.get(file), actual.get(file)), file);
                }
                deleteTree(restored);
            }
        }
    }

    private static void deleteTree(final Path root) throws IOException
    {
        try (var files = java.nio.file.Files.walk(root))
        {
            for (final Path p : files.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                java.nio.file.Files.delete(p);
            }
        }
    }
}
