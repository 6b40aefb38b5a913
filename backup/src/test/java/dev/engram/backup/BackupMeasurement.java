package dev.engram.backup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * A measurement, not a test of behaviour (so off unless asked for): a full backup of a store of
 * {@code engram.backup.measure.keys} (default 100,000) keys × 1 KiB, an incremental one after 1 % of the keys
 * changed, restore and verify with read-data, with their bytes and times.
 * <pre>
 * mvn -B -ntp -q test -pl backup -am -Dtest=BackupMeasurement -Dengram.backup.measure=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "engram.backup.measure", matches = "true")
class BackupMeasurement
{
    @TempDir
    Path tmp;

    @Test
    void measure() throws Exception
    {
        final int keys = Integer.getInteger("engram.backup.measure.keys", 100_000);
        final Path store = tmp.resolve("store");
        Stores.populate(store, keys, 1024, 1);
        try (Backups backups = Backups.open(tmp.resolve("repo")))
        {
            long start = System.nanoTime();
            final BackupResult full = backups.backup(store);
            final double fullSeconds = (System.nanoTime() - start) / 1e9;
            Stores.change(store, keys, 100, 1024, 2);
            start = System.nanoTime();
            final BackupResult incremental = backups.backup(store);
            final double incrementalSeconds = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            final RestoreResult restored = backups.restore(RestoreTarget.latest(), tmp.resolve("restored"));
            final double restoreSeconds = (System.nanoTime() - start) / 1e9;
            start = System.nanoTime();
            final VerifyReport report = backups.verify(true);
            final double verifySeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("keys=%d%nfull: raw %,d B, written %,d B, %.2f s%n" +
                "incremental (1 %% of keys): written %,d B = %.2f %% of the full, %d new chunks, manifest %,d B, %.2f s%n" +
                "restore: %,d B in %d files, %.2f s%nverify --read-data: %,d chunks, %,d B read, ok=%s, %.2f s%n",
                keys, full.backup().rawBytes(), full.bytesWritten(), fullSeconds, incremental.bytesWritten(),
                100.0 * incremental.bytesWritten() / full.bytesWritten(), incremental.newChunks(),
                incremental.manifestBytes(), incrementalSeconds, restored.bytes(), restored.files(), restoreSeconds,
                report.chunksRead(), report.bytesRead(), report.ok(), verifySeconds);
        }
    }
}
