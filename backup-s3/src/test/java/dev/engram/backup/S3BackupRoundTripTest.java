package dev.engram.backup;

import dev.engram.backup.s3.S3ProxyServer;
import dev.engram.backup.s3.S3Storage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole engine on S3: a full and an incremental backup into S3Proxy, verify with read-data, and restores that
 * give back the files and the state. Prints the loopback throughput (not asserted).
 */
class S3BackupRoundTripTest
{
    private static final int KEYS = 4000;
    private static final int VALUE_BYTES = 1024;

    @TempDir
    Path dir;

    @Test
    void backupRestoreAndVerifyThroughS3() throws Exception
    {
        final Path store = dir.resolve("store");
        Stores.populate(store, KEYS, VALUE_BYTES, 1);
        final TreeMap<String, byte[]> fullFiles = Stores.files(store);
        try (S3ProxyServer server = new S3ProxyServer();
             Backups backups = Backups.open(S3Storage.open(server.settings("engram/prod"))))
        {
            long start = System.nanoTime();
            final BackupResult full = backups.backup(store);
            final long backupNanos = System.nanoTime() - start;
            final TreeMap<String, byte[]> fullState = Stores.state(store);

            Stores.change(store, KEYS, 100, VALUE_BYTES, 2);
            final TreeMap<String, byte[]> changedState = Stores.state(store);
            final BackupResult incremental = backups.backup(store);
            assertTrue(incremental.bytesWritten() < full.bytesWritten() / 20,
                incremental.bytesWritten() + " of " + full.bytesWritten());
            assertEquals(List.of(full.backup().id(), incremental.backup().id()),
                backups.list().stream().map(BackupInfo::id).toList());

            final VerifyReport report = backups.verify(true);
            assertTrue(report.ok(), report.problems().toString());

            start = System.nanoTime();
            final RestoreResult restored = backups.restore(RestoreTarget.backup(full.backup().id()),
                dir.resolve("restored-full"));
            final long restoreNanos = System.nanoTime() - start;
            Stores.assertSameFiles(fullFiles, Stores.files(dir.resolve("restored-full")), List.of());
            Stores.assertSameState(fullState, Stores.state(dir.resolve("restored-full")));

            backups.restore(RestoreTarget.latest(), dir.resolve("restored-latest"));
            Stores.assertSameState(changedState, Stores.state(dir.resolve("restored-latest")));

            System.out.printf(Locale.ROOT, "S3 (S3Proxy on loopback): full backup %.1f MB raw, %.1f MB written in " +
                    "%d ms (%.1f MB/s written); restore %.1f MB in %d ms (%.1f MB/s)%n",
                full.backup().rawBytes() / 1e6, full.bytesWritten() / 1e6, backupNanos / 1_000_000,
                full.bytesWritten() / 1e6 / (backupNanos / 1e9), restored.bytes() / 1e6, restoreNanos / 1_000_000,
                restored.bytes() / 1e6 / (restoreNanos / 1e9));
        }
    }
}
