package dev.engram.backup;

import dev.engram.backup.storage.BackupStorage;
import dev.engram.backup.storage.LocalDirectoryStorage;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A child JVM that takes a repository lock, prints {@code locked <pid>} and holds it until it is killed (the parent
 * kills it with SIGKILL: a holder that never releases its lock). Args: repository directory, {@code shared} or
 * {@code exclusive}.
 */
public final class LockHolderChild
{
    private LockHolderChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        holdUntilKilled(LocalDirectoryStorage.open(Path.of(args[0])), args[1].equals("exclusive"));
    }

    /** Takes the lock on {@code storage} as a backup (shared) or prune (exclusive) would, then waits to be killed. */
    public static void holdUntilKilled(final BackupStorage storage, final boolean exclusive) throws Exception
    {
        final RepositoryLock lock = RepositoryLock.take(storage, exclusive, exclusive ? "prune" : "backup",
            System::currentTimeMillis, BackupSettings.DEFAULT_LOCK_LEASE.toMillis());
        System.out.println("locked " + ProcessHandle.current().pid());
        System.out.flush();
        new CountDownLatch(1).await();
        lock.close();
    }
}
