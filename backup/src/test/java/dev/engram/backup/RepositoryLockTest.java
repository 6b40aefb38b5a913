package dev.engram.backup;

import dev.engram.backup.internal.format.LockObject;
import dev.engram.backup.storage.BackupStorage;
import dev.engram.backup.storage.ForwardingStorage;
import dev.engram.backup.storage.LocalDirectoryStorage;
import dev.engram.testsupport.ChildJvm;
import dev.engram.testsupport.StdoutListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The repository lock on a local directory: prune is refused while a backup or another prune holds it (the
 * exception names the holder), backups run beside each other, a lock whose holder was killed with SIGKILL on this
 * host is stale at once, one of another host holds until its lease ends or {@link Backups#unlock()}, and a live
 * holder's lock outlives its lease by refreshing. The same checks on S3: backup-s3's {@code S3RepositoryLockTest}.
 */
class RepositoryLockTest
{
    private static final long DEADLINE_S = 120;

    @TempDir
    Path tmp;

    /** The tests' body, given how to open the repository's storage; shared with S3RepositoryLockTest. */
    static final class Checks
    {
        private final Path tmp;
        private final StorageOpener opener;

        /** Opens a new handle on the one repository under test. */
        @FunctionalInterface
        interface StorageOpener
        {
            BackupStorage open() throws IOException;
        }

        Checks(final Path tmp, final StorageOpener opener)
        {
            this.tmp = tmp;
            this.opener = opener;
        }

        /** A backup held inside its manifest write; prune and a second prune refused; a second backup passes. */
        void pruneIsRefusedBesideABackupAndBackupsRunTogether() throws Exception
        {
            final Path source = tmp.resolve("src");
            BackupCrashChild.writeSource(source, 1);
            try (Backups first = Backups.open(opener.open()))
            {
                first.backup(source);
            }
            final CountDownLatch inManifest = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            try (Backups held = Backups.open(blockingOn(opener.open(), "manifests/", inManifest, release, false));
                 Backups other = Backups.open(opener.open()))
            {
                final CompletableFuture<BackupResult> running =
                    CompletableFuture.supplyAsync(unchecked(() -> held.backup(source)));
                assertTrue(inManifest.await(DEADLINE_S, TimeUnit.SECONDS), "the backup reached its manifest");

                final RepositoryLockedException refused = assertThrows(RepositoryLockedException.class,
                    () -> other.prune(RetentionPolicy.keepLast(1)));
                assertTrue(refused.getMessage().startsWith("prune refused: "), refused.getMessage());
                assertHolder(refused, "backup (shared lock) by pid " + ProcessHandle.current().pid() + " on host " +
                    RepositoryLock.HOST);
                assertTrue(refused.getMessage().contains("Backups.unlock()"), refused.getMessage());

                // another backup runs beside the held one: shared locks
                final BackupResult beside = other.backup(source);
                assertTrue(beside.backup().id() > 1);

                release.countDown();
                running.get(DEADLINE_S, TimeUnit.SECONDS);
                assertEquals(List.of(), other.storage().list(LockObject.PREFIX));
                final PruneResult pruned = other.prune(RetentionPolicy.keepLast(1));
                assertEquals(2, pruned.deletedBackups().size());
                assertEquals(List.of(), other.storage().list(LockObject.PREFIX));
            }
        }

        /** A prune held inside its first deletion: a second prune and a backup are refused. */
        void aRunningPruneExcludesPruneAndBackup() throws Exception
        {
            final Path source = tmp.resolve("src");
            BackupCrashChild.writeSource(source, 2);
            try (Backups first = Backups.open(opener.open()))
            {
                first.backup(source);
                first.backup(source);
            }
            final CountDownLatch inDelete = new CountDownLatch(1);
            final CountDownLatch release = new CountDownLatch(1);
            try (Backups held = Backups.open(blockingOn(opener.open(), "manifests/", inDelete, release, true));
                 Backups other = Backups.open(opener.open()))
            {
                final CompletableFuture<PruneResult> running =
                    CompletableFuture.supplyAsync(unchecked(() -> held.prune(RetentionPolicy.keepLast(1))));
                assertTrue(inDelete.await(DEADLINE_S, TimeUnit.SECONDS), "the prune reached its first deletion");
                final String holder = "prune (exclusive lock) by pid " + ProcessHandle.current().pid();
                assertHolder(assertThrows(RepositoryLockedException.class,
                    () -> other.prune(RetentionPolicy.keepLast(1))), holder);
                final RepositoryLockedException backupRefused = assertThrows(RepositoryLockedException.class,
                    () -> other.backup(source));
                assertTrue(backupRefused.getMessage().startsWith("backup refused: "), backupRefused.getMessage());
                assertHolder(backupRefused, holder);
                release.countDown();
                assertEquals(1, running.get(DEADLINE_S, TimeUnit.SECONDS).deletedBackups().size());
                other.backup(source);
                assertEquals(List.of(), other.storage().list(LockObject.PREFIX));
            }
        }

        /** A child holding the lock refuses prune until it is killed with SIGKILL; then its lock is stale. */
        void aLockOfAProcessKilledOnThisHostIsStale(final ChildJvm.Builder child) throws Exception
        {
            final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            try (Backups backups = Backups.open(opener.open());
                 ChildJvm holder = child.logs(tmp, "lock-holder").onStdout(new StdoutListener()
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
                 }).start())
            {
                final String line = lines.poll(DEADLINE_S, TimeUnit.SECONDS);
                assertNotNull(line, "the holder is silent: " + holder.describe());
                assertEquals("locked " + holder.pid(), line, holder.stderrTail());
                assertHolder(assertThrows(RepositoryLockedException.class,
                    () -> backups.prune(RetentionPolicy.keepLast(1))), "by pid " + holder.pid() + " on host " +
                    RepositoryLock.HOST);
                assertEquals(1, backups.storage().list(LockObject.PREFIX).size());

                assertEquals(ChildJvm.SIGKILL_EXIT_VALUE, holder.killHard(DEADLINE_S, TimeUnit.SECONDS));
                assertEquals(1, backups.storage().list(LockObject.PREFIX).size(), "the killed holder left its lock");
                backups.prune(RetentionPolicy.keepLast(1));
                assertEquals(List.of(), backups.storage().list(LockObject.PREFIX), "the stale lock was removed");
            }
        }

        /** Another host's lock: holds until its lease ends, or until unlock; an expired one is removed. */
        void anotherHostsLockHoldsUntilItsLeaseEndsOrUnlock() throws Exception
        {
            try (Backups backups = Backups.open(opener.open()))
            {
                final long now = System.currentTimeMillis();
                final LockObject foreign = new LockObject(false, 4242, 0, now, now + 3_600_000, "backup-host-7",
                    "backup");
                backups.storage().putIfAbsent(LockObject.key(false, "0123456789abcdef0123456789abcdef"), foreign.encode());
                final RepositoryLockedException refused = assertThrows(RepositoryLockedException.class,
                    () -> backups.prune(RetentionPolicy.keepLast(1)));
                assertHolder(refused, "backup (shared lock) by pid 4242 on host backup-host-7");
                assertEquals(foreign.describeHolder(), refused.holder());

                final List<String> removed = backups.unlock();
                assertEquals(1, removed.size());
                assertTrue(removed.get(0).contains("by pid 4242 on host backup-host-7"), removed.toString());
                assertEquals(0, backups.prune(RetentionPolicy.keepLast(1)).deletedBackups().size());

                final LockObject expired = new LockObject(true, 4243, 0, now - 7_200_000, now - 3_600_000,
                    "backup-host-7", "prune");
                backups.storage().putIfAbsent(LockObject.key(true, "fedcba9876543210fedcba9876543210"), expired.encode());
                backups.prune(RetentionPolicy.keepLast(1));
                assertEquals(List.of(), backups.storage().list(LockObject.PREFIX), "the expired lock was removed");
            }
        }

        /** A lock object that does not read refuses prune naming it; unlock removes it. */
        void aDamagedLockObjectIsNamedAndUnlockRemovesIt() throws Exception
        {
            try (Backups backups = Backups.open(opener.open()))
            {
                final long now = System.currentTimeMillis();
                final byte[] bytes = new LockObject(true, 7, 0, now, now + 60_000, "h", "prune").encode();
                bytes[bytes.length - 1] ^= 1;
                final String key = LockObject.key(true, "00000000000000000000000000000001");
                backups.storage().putIfAbsent(key, bytes);
                final BackupException refused = assertThrows(BackupException.class,
                    () -> backups.prune(RetentionPolicy.keepLast(1)));
                assertTrue(refused.getMessage().startsWith("prune refused: the lock object " + key), refused.getMessage());
                assertTrue(refused.getMessage().contains("CRC32C"), refused.getMessage());
                assertTrue(refused.getMessage().contains("Backups.unlock()"), refused.getMessage());
                final List<String> removed = backups.unlock();
                assertEquals(1, removed.size());
                assertTrue(removed.get(0).startsWith(key + ": unreadable"), removed.toString());
                backups.prune(RetentionPolicy.keepLast(1));
            }
        }

        /** A live holder with a 1 s lease still holds its lock after the lease: it rewrote it under a new name. */
        void aLiveHolderRefreshesItsLease() throws Exception
        {
            final Duration lease = Duration.ofSeconds(1);
            try (Backups other = Backups.open(opener.open(), BackupSettings.defaults().withLockLease(lease));
                 BackupStorage storage = opener.open();
                 RepositoryLock lock = RepositoryLock.take(storage, false, "backup", System::currentTimeMillis,
                     lease.toMillis()))
            {
                final String first = storage.list(LockObject.PREFIX).get(0);
                final long firstExpires = LockObject.decode(first, storage.get(first)).expiresMillis();
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_S);
                while (System.currentTimeMillis() <= firstExpires + 100 || storage.list(LockObject.PREFIX).contains(first))
                {
                    assertTrue(System.nanoTime() < deadline, "the lock was not refreshed");
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));   // polling the condition
                }
                assertHolder(assertThrows(RepositoryLockedException.class,
                    () -> other.prune(RetentionPolicy.keepLast(1))), "backup (shared lock) by pid " +
                    ProcessHandle.current().pid());
                lock.ensureHeld();
            }
        }
    }

    private Checks local()
    {
        return new Checks(tmp, () -> LocalDirectoryStorage.open(tmp.resolve("repo")));
    }

    @Test
    void pruneIsRefusedBesideABackupAndBackupsRunTogether() throws Exception
    {
        local().pruneIsRefusedBesideABackupAndBackupsRunTogether();
    }

    @Test
    void aRunningPruneExcludesPruneAndBackup() throws Exception
    {
        local().aRunningPruneExcludesPruneAndBackup();
    }

    @Test
    void aLockOfAProcessKilledOnThisHostIsStale() throws Exception
    {
        Files.createDirectories(tmp.resolve("repo"));
        try (Backups backups = Backups.open(tmp.resolve("repo")))
        {
            assertTrue(backups.list().isEmpty());
        }
        local().aLockOfAProcessKilledOnThisHostIsStale(ChildJvm.builder(LockHolderChild.class)
            .args(tmp.resolve("repo").toString(), "shared"));
    }

    @Test
    void anotherHostsLockHoldsUntilItsLeaseEndsOrUnlock() throws Exception
    {
        local().anotherHostsLockHoldsUntilItsLeaseEndsOrUnlock();
    }

    @Test
    void aLiveHolderRefreshesItsLease() throws Exception
    {
        local().aLiveHolderRefreshesItsLease();
    }

    @Test
    void aDamagedLockObjectIsNamedAndUnlockRemovesIt() throws Exception
    {
        local().aDamagedLockObjectIsNamedAndUnlockRemovesIt();
    }

    @Test
    void aProcessStartedAtAnotherTimeUnderTheSamePidDoesNotHoldTheLock()
    {
        final ProcessHandle self = ProcessHandle.current();
        final long started = self.info().startInstant().orElseThrow().toEpochMilli();
        final long now = System.currentTimeMillis();
        final LockObject mine = new LockObject(false, self.pid(), started, now, now + 60_000, RepositoryLock.HOST, "backup");
        assertTrue(!RepositoryLock.stale(mine, now), "our own lock is live");
        assertTrue(RepositoryLock.stale(new LockObject(false, self.pid(), started - 60_000, now, now + 60_000,
            RepositoryLock.HOST, "backup"), now), "a reused pid");
        assertTrue(!RepositoryLock.stale(new LockObject(false, self.pid(), started - 60_000, now, now + 60_000,
            "backup-host-7", "backup"), now), "another host's pids are not ours to judge");
        assertTrue(RepositoryLock.stale(mine, now + 60_000), "past its lease");
        assertNotEquals(0, started);
    }

    private static void assertHolder(final RepositoryLockedException refused, final String holder)
    {
        assertTrue(refused.getMessage().contains(" is locked by ") && refused.getMessage().contains(holder),
            refused.getMessage());
        assertTrue(refused.holder().contains(holder), refused.holder());
    }

    /** A storage whose first put ({@code delete == false}) or delete of a key under {@code prefix} waits for {@code release}. */
    static BackupStorage blockingOn(final BackupStorage storage, final String prefix, final CountDownLatch reached,
        final CountDownLatch release, final boolean delete)
    {
        return new ForwardingStorage(storage)
        {
            @Override
            public boolean putIfAbsent(final String key, final byte[] bytes) throws IOException
            {
                if (!delete && key.startsWith(prefix))
                {
                    hold();
                }
                return super.putIfAbsent(key, bytes);
            }

            @Override
            public boolean delete(final String key) throws IOException
            {
                if (delete && key.startsWith(prefix))
                {
                    hold();
                }
                return super.delete(key);
            }

            private void hold() throws IOException
            {
                reached.countDown();
                try
                {
                    if (!release.await(DEADLINE_S, TimeUnit.SECONDS))
                    {
                        throw new IOException("test: not released");
                    }
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IOException(ex);
                }
            }
        };
    }

    /** A call that may throw an IOException. */
    @FunctionalInterface
    interface IoCall<T>
    {
        T call() throws IOException;
    }

    /** The call as a Supplier for CompletableFuture (its IOException wrapped). */
    static <T> java.util.function.Supplier<T> unchecked(final IoCall<T> call)
    {
        return () ->
        {
            try
            {
                return call.call();
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        };
    }
}
