package dev.engram.tools;

import dev.engram.backup.internal.format.LockObject;
import dev.engram.backup.storage.LocalDirectoryStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * backup-locks, backup-unlock and a prune the repository lock refuses, from the command line (the lock itself is
 * tested in the backup module: RepositoryLockTest). Locks are written as their holders would write them, on hosts
 * other than this one, so their state depends only on their lease.
 */
class BackupLockCommandsTest
{
    private static final String LIVE_HOST = "backup-host-live";
    private static final String STALE_HOST = "backup-host-gone";

    @TempDir
    Path tmp;

    @Test
    void locksListsAHeldLockAsLive() throws Exception
    {
        final Path repo = repository();
        final String key = writeLock(repo, "live", false, 4242, LIVE_HOST, Duration.ofHours(1));

        final CliRun list = CliRun.of("backup-locks", repo);
        assertEquals(EngramCli.OK, list.exit(), list.toString());
        assertTrue(list.out().contains("live") && list.out().contains("shared") && list.out().contains("backup") &&
            list.out().contains("pid 4242 on host " + LIVE_HOST) && list.out().contains(key), list.toString());
        assertFalse(list.out().contains("stale"), list.toString());

        final CliRun json = CliRun.of("backup-locks", repo, "--json");
        assertEquals(EngramCli.OK, json.exit(), json.toString());
        assertTrue(json.out().contains("\"kind\":\"shared\"") && json.out().contains("\"pid\":4242") &&
            json.out().contains("\"host\":\"" + LIVE_HOST + "\"") && json.out().contains("\"state\":\"live\""),
            json.toString());

        final CliRun none = CliRun.of("backup-locks", repository("empty"));
        assertEquals(EngramCli.OK, none.exit(), none.toString());
        assertEquals("no locks", none.out().trim(), none.toString());
    }

    @Test
    void unlockStaleOnlyLeavesALiveLockAndRemovesAStaleOne() throws Exception
    {
        final Path repo = repository();
        final String live = writeLock(repo, "live", false, 4242, LIVE_HOST, Duration.ofHours(1));
        final String stale = writeLock(repo, "stale", true, 4343, STALE_HOST, Duration.ofMinutes(-1));

        final CliRun list = CliRun.of("backup-locks", repo, "--json");
        assertTrue(list.out().contains("\"key\":\"" + stale + "\",\"kind\":\"exclusive\",\"operation\":\"prune\"") &&
            list.out().contains("\"state\":\"stale\""), list.toString());

        final CliRun staleOnly = CliRun.of("backup-unlock", repo, "--stale-only");
        assertEquals(EngramCli.OK, staleOnly.exit(), staleOnly.toString());
        assertTrue(staleOnly.out().startsWith("removed 1 stale lock(s):") && staleOnly.out().contains(stale) &&
            staleOnly.out().contains(STALE_HOST) && !staleOnly.out().contains(live), staleOnly.toString());
        final CliRun after = CliRun.of("backup-locks", repo);
        assertTrue(after.out().contains(live) && !after.out().contains(stale), after.toString());

        final CliRun all = CliRun.of("backup-unlock", repo, "--json");
        assertEquals(EngramCli.OK, all.exit(), all.toString());
        assertTrue(all.out().contains("\"removed\":[") && all.out().contains(live), all.toString());
        assertEquals("no locks", CliRun.of("backup-locks", repo).out().trim());
    }

    @Test
    void aLockOfAProcessGoneOnThisHostIsStaleBeforeItsLeaseEnds() throws Exception
    {
        final Path repo = repository();
        final Process gone = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertEquals(0, gone.waitFor());
        final String host = java.net.InetAddress.getLocalHost().getHostName();
        final String live = writeLock(repo, "self", false, ProcessHandle.current().pid(), host, Duration.ofHours(1));
        final String dead = writeLock(repo, "gone", false, gone.pid(), host, Duration.ofHours(1));

        final CliRun list = CliRun.of("backup-locks", repo, "--json");
        assertEquals(EngramCli.OK, list.exit(), list.toString());
        assertTrue(list.out().contains("\"key\":\"" + dead + "\"") && list.out().contains("\"state\":\"stale\"") &&
            list.out().contains("\"key\":\"" + live + "\"") && list.out().contains("\"state\":\"live\""),
            list.toString());
        final CliRun staleOnly = CliRun.of("backup-unlock", repo, "--stale-only");
        assertTrue(staleOnly.out().contains(dead) && !staleOnly.out().contains(live), staleOnly.toString());
    }

    @Test
    void aRefusedPruneNamesTheHolderAndTheUnlockCommand() throws Exception
    {
        final Path store = tmp.resolve("store");
        TestStores.build(store);
        final Path repo = tmp.resolve("repo");
        assertEquals(EngramCli.OK, CliRun.of("backup", store, "--repo", repo).exit());
        writeLock(repo, "live", false, 4242, LIVE_HOST, Duration.ofHours(1));

        final CliRun prune = CliRun.of("prune", repo, "--keep-last", 1);
        assertEquals(EngramCli.COULD_NOT_RUN, prune.exit(), prune.toString());
        assertTrue(prune.err().contains("prune refused") &&
            prune.err().contains("backup (shared lock) by pid 4242 on host " + LIVE_HOST), prune.toString());
        assertTrue(prune.err().contains("`engram backup-unlock REPO`"), prune.toString());

        // a backup is refused by a prune's lock the same way
        writeLock(repo, "prune", true, 4343, LIVE_HOST, Duration.ofHours(1));
        final CliRun backup = CliRun.of("backup", store, "--repo", repo);
        assertEquals(EngramCli.COULD_NOT_RUN, backup.exit(), backup.toString());
        assertTrue(backup.err().contains("prune (exclusive lock) by pid 4343") &&
            backup.err().contains("backup-unlock"), backup.toString());

        assertEquals(EngramCli.OK, CliRun.of("backup-unlock", repo).exit());
        final CliRun again = CliRun.of("prune", repo, "--keep-last", 1);
        assertEquals(EngramCli.OK, again.exit(), again.toString());
    }

    /** A repository with one backup of a small store. */
    private Path repository() throws Exception
    {
        return repository("repo");
    }

    private Path repository(final String name) throws Exception
    {
        final Path store = tmp.resolve("store-" + name);
        TestStores.build(store);
        final Path repo = tmp.resolve(name);
        final CliRun backup = CliRun.of("backup", store, "--repo", repo);
        assertEquals(EngramCli.OK, backup.exit(), backup.toString());
        return repo;
    }

    /** Writes a lock object as a holder would (docs/backup-format.md, "Lock"); its lease ends {@code lease} from now. */
    private static String writeLock(final Path repo, final String id, final boolean exclusive, final long pid,
        final String host, final Duration lease) throws IOException
    {
        final long now = System.currentTimeMillis();
        final LockObject lock = new LockObject(exclusive, pid, 0, now - 1_000, now + lease.toMillis(), host,
            exclusive ? "prune" : "backup");
        final String key = LockObject.key(exclusive, id);
        try (LocalDirectoryStorage storage = LocalDirectoryStorage.open(repo))
        {
            assertTrue(storage.putIfAbsent(key, lock.encode()), key);
        }
        return key;
    }
}
