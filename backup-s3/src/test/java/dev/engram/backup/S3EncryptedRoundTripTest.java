package dev.engram.backup;

import dev.engram.backup.s3.S3ProxyServer;
import dev.engram.backup.s3.S3Settings;
import dev.engram.backup.s3.S3Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An encrypted repository in S3Proxy: a full and an incremental backup, verify with read-data, restores equal to
 * the files and the state, and a wrong passphrase refused.
 */
class S3EncryptedRoundTripTest
{
    @TempDir
    Path dir;

    @Test
    void encryptedBackupRestoreAndVerifyThroughS3() throws Exception
    {
        final Path store = dir.resolve("store");
        Stores.populate(store, 1000, 512, 1);
        final TreeMap<String, byte[]> fullFiles = Stores.files(store);
        final RepositoryKey key = RepositoryKey.passphrase("s3 passphrase".toCharArray(), 2_000);
        final TreeMap<String, byte[]> fullState = new TreeMap<>();
        try (S3ProxyServer server = new S3ProxyServer())
        {
            final S3Settings settings = server.settings("engram/sealed");   // one bucket for the three opens
            try (Backups backups = Backups.open(S3Storage.open(settings),
                BackupSettings.defaults().withTargetPackBytes(256 << 10), key))
            {
                final BackupResult full = backups.backup(store);
                fullState.putAll(Stores.state(store));   // after the backup: state() opens the store again
                Stores.change(store, 1000, 50, 512, 2);
                final BackupResult incremental = backups.backup(store);
                assertTrue(incremental.bytesWritten() < full.bytesWritten(), incremental + " vs " + full);
                final VerifyReport report = backups.verify(true);
                assertTrue(report.ok(), report.toString());
                backups.restore(RestoreTarget.backup(full.backup().id()), dir.resolve("restored-full"));
                Stores.assertSameFiles(fullFiles, Stores.files(dir.resolve("restored-full")), List.of());
                Stores.assertSameState(fullState, Stores.state(dir.resolve("restored-full")));
            }
            final RepositoryKeyException wrong = assertThrows(RepositoryKeyException.class, () -> Backups.open(
                S3Storage.open(settings), BackupSettings.defaults(),
                RepositoryKey.passphrase("not it".toCharArray(), 2_000)));
            assertEquals(RepositoryKeyException.Reason.WRONG_KEY, wrong.reason());
            try (Backups reopened = Backups.open(S3Storage.open(settings),
                BackupSettings.defaults(), key))
            {
                final TreeMap<String, byte[]> changedState = Stores.state(store);
                reopened.restore(RestoreTarget.latest(), dir.resolve("restored-latest"));
                Stores.assertSameState(changedState, Stores.state(dir.resolve("restored-latest")));
            }
        }
    }
}
