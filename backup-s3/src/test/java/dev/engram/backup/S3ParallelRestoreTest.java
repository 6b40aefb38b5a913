package dev.engram.backup;

import dev.engram.backup.internal.format.ChunkId;
import dev.engram.backup.internal.format.Manifest;
import dev.engram.backup.internal.format.ManifestFormat;
import dev.engram.backup.internal.format.PackFormat;
import dev.engram.backup.internal.repository.ChunkIndex;
import dev.engram.backup.s3.S3ProxyServer;
import dev.engram.backup.s3.S3Settings;
import dev.engram.backup.s3.S3Storage;
import dev.engram.backup.storage.BackupStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Restore and read-data verify through S3 on four threads (coalesced range GETs) give what they give on one: the
 * files byte for byte and the same report; a damaged chunk (a pack replaced by a copy with one byte flipped) is
 * reported the same way and fails both restores with the same message.
 */
class S3ParallelRestoreTest
{
    @TempDir
    Path dir;

    @Test
    void parallelRestoreAndVerifyThroughS3AreTheSameAsSerial() throws Exception
    {
        final Path store = dir.resolve("store");
        Stores.populate(store, 1500, 600, 41);
        final TreeMap<String, byte[]> files = Stores.files(store);
        try (S3ProxyServer server = new S3ProxyServer())
        {
            final S3Settings settings = server.settings("engram/parallel");
            final BackupSettings serial = BackupSettings.defaults().withTargetPackBytes(256 << 10).withParallelism(1);
            try (Backups backups = Backups.open(S3Storage.open(settings), serial))
            {
                backups.backup(store);
            }
            final VerifyReport clean = verify(settings, serial);
            assertTrue(clean.ok(), clean.toString());
            assertEquals(clean, verify(settings, serial.withParallelism(4)));
            restore(settings, serial, dir.resolve("serial"));
            restore(settings, serial.withParallelism(4), dir.resolve("parallel"));
            Stores.assertSameFiles(files, Stores.files(dir.resolve("serial")), List.of());
            Stores.assertSameFiles(files, Stores.files(dir.resolve("parallel")), List.of());

            try (BackupStorage storage = S3Storage.open(settings))
            {
                final Manifest manifest = ManifestFormat.decode(ManifestFormat.key(1),
                    storage.get(ManifestFormat.key(1)));
                final Manifest.ChunkRef victim = manifest.files().stream().flatMap(f -> f.chunks().stream())
                    .filter(c -> !c.id().equals(ChunkId.of(new byte[c.rawLength()]))).skip(3).findFirst()
                    .orElseThrow();   // a chunk of zeros is never read by a restore (it stays a hole)
                final ChunkIndex.Location location = ChunkIndex.load(storage, false).find(victim.id());
                final String key = PackFormat.packKey(location.packId());
                final byte[] pack = storage.get(key);
                pack[(int)(location.entry().offset() + location.entry().storedLength() / 2)] ^= 0x5a;
                storage.delete(key);
                assertTrue(storage.putIfAbsent(key, pack));
            }
            final VerifyReport damaged = verify(settings, serial);
            assertFalse(damaged.ok());
            assertEquals(damaged, verify(settings, serial.withParallelism(4)));
            final String serialRefusal = assertThrows(RepositoryCorruptionException.class,
                () -> restore(settings, serial, dir.resolve("serial-damaged"))).getMessage();
            final String parallelRefusal = assertThrows(RepositoryCorruptionException.class,
                () -> restore(settings, serial.withParallelism(4), dir.resolve("parallel-damaged"))).getMessage();
            assertEquals(serialRefusal, parallelRefusal);
            assertFalse(Files.exists(dir.resolve("parallel-damaged")));
        }
    }

    private static VerifyReport verify(final S3Settings settings, final BackupSettings backup) throws Exception
    {
        try (Backups backups = Backups.open(S3Storage.open(settings), backup))
        {
            return backups.verify(true);
        }
    }

    private static void restore(final S3Settings settings, final BackupSettings backup, final Path target)
        throws Exception
    {
        try (Backups backups = Backups.open(S3Storage.open(settings), backup))
        {
            backups.restore(RestoreTarget.latest(), target);
        }
    }
}
