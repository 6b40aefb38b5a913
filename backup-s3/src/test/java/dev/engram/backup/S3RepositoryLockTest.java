package dev.engram.backup;

import dev.engram.backup.s3.S3ProxyServer;
import dev.engram.backup.s3.S3Settings;
import dev.engram.backup.s3.S3Storage;
import dev.engram.testsupport.ChildJvm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * {@link RepositoryLockTest}'s checks on S3 (S3Proxy on loopback): the lock objects are written with conditional
 * PUTs, listed and deleted like any other; the killed holder is a child JVM talking to this JVM's S3Proxy.
 */
class S3RepositoryLockTest
{
    private static S3ProxyServer server;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception
    {
        server = new S3ProxyServer();
    }

    @AfterAll
    static void stop() throws Exception
    {
        server.close();
    }

    /** The checks on a new bucket; every open is a new S3Storage (a new client) on it. */
    private RepositoryLockTest.Checks checks(final S3Settings settings)
    {
        return new RepositoryLockTest.Checks(tmp, () -> S3Storage.open(settings));
    }

    @Test
    void pruneIsRefusedBesideABackupAndBackupsRunTogether() throws Exception
    {
        checks(server.settings("engram/locks")).pruneIsRefusedBesideABackupAndBackupsRunTogether();
    }

    @Test
    void aRunningPruneExcludesPruneAndBackup() throws Exception
    {
        checks(server.settings("engram/locks")).aRunningPruneExcludesPruneAndBackup();
    }

    @Test
    void aLockOfAProcessKilledOnThisHostIsStale() throws Exception
    {
        final S3Settings settings = server.settings("engram/locks");
        try (Backups backups = Backups.open(S3Storage.open(settings)))
        {
            backups.list();
        }
        checks(settings).aLockOfAProcessKilledOnThisHostIsStale(ChildJvm.builder(S3LockHolderChild.class)
            .args(server.endpoint().toString(), settings.bucket(), settings.keyPrefix(), S3ProxyServer.ACCESS_KEY,
                S3ProxyServer.SECRET_KEY, "exclusive"));
    }

    @Test
    void anotherHostsLockHoldsUntilItsLeaseEndsOrUnlock() throws Exception
    {
        checks(server.settings("engram/locks")).anotherHostsLockHoldsUntilItsLeaseEndsOrUnlock();
    }

    @Test
    void aLiveHolderRefreshesItsLease() throws Exception
    {
        checks(server.settings("engram/locks")).aLiveHolderRefreshesItsLease();
    }

    @Test
    void aDamagedLockObjectIsNamedAndUnlockRemovesIt() throws Exception
    {
        checks(server.settings("engram/locks")).aDamagedLockObjectIsNamedAndUnlockRemovesIt();
    }
}
