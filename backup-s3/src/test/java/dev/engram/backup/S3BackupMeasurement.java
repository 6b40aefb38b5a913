package dev.engram.backup;

import dev.engram.backup.s3.S3ProxyServer;
import dev.engram.backup.s3.S3Storage;
import dev.engram.backup.storage.BackupStorage;
import dev.engram.backup.storage.LocalDirectoryStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Locale;

/**
 * A measurement, not a test of behaviour (so off unless asked for): the same store of
 * {@code engram.backup.measure.keys} (default 50,000) keys × 1 KiB backed up, restored and verified with read-data,
 * once into a local directory and once into S3Proxy on loopback (objects in memory), with bytes and times.
 * <pre>
 * mvn -B -ntp -q test -pl backup-s3 -am -Dtest=S3BackupMeasurement -Dengram.backup.measure=true -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@EnabledIfSystemProperty(named = "engram.backup.measure", matches = "true")
class S3BackupMeasurement
{
    @TempDir
    Path tmp;

    @Test
    void measure() throws Exception
    {
        final int keys = Integer.getInteger("engram.backup.measure.keys", 50_000);
        final Path store = tmp.resolve("store");
        Stores.populate(store, keys, 1024, 1);
        measure("local directory", LocalDirectoryStorage.open(tmp.resolve("repo")), store, tmp.resolve("restored-local"));
        try (S3ProxyServer server = new S3ProxyServer())
        {
            measure("S3Proxy on 127.0.0.1", S3Storage.open(server.settings("engram")), store, tmp.resolve("restored-s3"));
        }
    }

    private static void measure(final String what, final BackupStorage storage, final Path store, final Path restoreTo)
        throws Exception
    {
        try (Backups backups = Backups.open(storage))
        {
            long start = System.nanoTime();
            final BackupResult full = backups.backup(store);
            final double backupSeconds = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            final RestoreResult restored = backups.restore(RestoreTarget.latest(), restoreTo);
            final double restoreSeconds = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            final VerifyReport report = backups.verify(true);
            final double verifySeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "%s: full backup %.1f MB raw, %.1f MB written in %d packs, %.2f s " +
                    "(%.1f MB/s written); restore %.1f MB, %.2f s (%.1f MB/s); verify --read-data %.1f MB, ok=%s, " +
                    "%.2f s (%.1f MB/s)%n", what, full.backup().rawBytes() / 1e6, full.bytesWritten() / 1e6,
                full.packsWritten(), backupSeconds, full.bytesWritten() / 1e6 / backupSeconds, restored.bytes() / 1e6,
                restoreSeconds, restored.bytes() / 1e6 / restoreSeconds, report.bytesRead() / 1e6, report.ok(),
                verifySeconds, report.bytesRead() / 1e6 / verifySeconds);
        }
    }
}
