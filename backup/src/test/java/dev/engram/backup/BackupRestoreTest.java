package dev.engram.backup;

import dev.engram.backup.storage.LocalDirectoryStorage;
import dev.engram.engine.Engram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Full and incremental backups of a closed store, restored into new directories: the files byte for byte, and the
 * state an open of the restored directory serves equal to the original's.
 */
class BackupRestoreTest
{
    private static final int KEYS = 4000;
    private static final int VALUE_BYTES = 1024;

    @TempDir
    Path tmp;

    @Test
    void fullThenIncrementalBackupsRestoreTheSameStateAndFiles() throws Exception
    {
        final Path store = tmp.resolve("store");
        Stores.populate(store, KEYS, VALUE_BYTES, 1);
        final TreeMap<String, byte[]> filesAtFirst = Stores.files(store);
        final BackupSettings settings = BackupSettings.defaults().withTargetPackBytes(1 << 20);
        try (Backups backups = Backups.open(LocalDirectoryStorage.open(tmp.resolve("repo")), settings))
        {
            final BackupResult full = backups.backup(store);
            final TreeMap<String, byte[]> stateAtFirst = Stores.state(store);

            Stores.change(store, KEYS, 100, VALUE_BYTES, 2);
            final TreeMap<String, byte[]> filesAtSecond = Stores.files(store);
            final BackupResult incremental = backups.backup(store);
            final TreeMap<String, byte[]> stateAtSecond = Stores.state(store);

            assertEquals(1, full.backup().id());
            assertEquals(0, full.backup().chainPosition());
            assertEquals(2, incremental.backup().id());
            assertEquals(1, incremental.backup().parentId());
            assertEquals(1, incremental.backup().chainPosition());
            assertTrue(incremental.backup().stateVersion() > full.backup().stateVersion());
            assertEquals(List.of(1L, 2L), backups.list().stream().map(BackupInfo::id).toList());
            final double ratio = (double)incremental.bytesWritten() / full.bytesWritten();
            System.out.printf("full backup: %d raw bytes, %d written in %d packs; incremental after 1%% of keys " +
                "changed: %d raw, %d written (%.2f %% of the full), %d new chunks%n", full.backup().rawBytes(),
                full.bytesWritten(), full.packsWritten(), incremental.backup().rawBytes(), incremental.bytesWritten(),
                100 * ratio, incremental.newChunks());
            assertTrue(ratio < 0.05, "incremental wrote " + incremental.bytesWritten() + " bytes against the full's " +
                full.bytesWritten());

            final Path second = tmp.resolve("restored-latest");
            final RestoreResult restored = backups.restore(RestoreTarget.latest(), second);
            assertEquals(2, restored.backup().id());
            Stores.assertSameFiles(filesAtSecond, Stores.files(second), List.of());
            Stores.assertSameState(stateAtSecond, Stores.state(second));
            try (Engram engram = Engram.open(second))
            {
                // default settings: the snapshot index maps left out of the backup are rebuilt from the checkpoints
                assertArrayEquals(stateAtSecond.get("key/0"), engram.get("key/0"));
                assertEquals(null, engram.get("key/1"));
                assertEquals(List.of(), engram.damagedFiles());
            }

            final Path first = tmp.resolve("restored-first");
            Files.createDirectories(first);
            backups.restore(RestoreTarget.backup(1), first);
            Stores.assertSameFiles(filesAtFirst, Stores.files(first), List.of());
            Stores.assertSameState(stateAtFirst, Stores.state(first));

            final VerifyReport report = backups.verify(true);
            assertTrue(report.ok(), report.toString());
        }
    }

    @Test
    void restoreRefusesANonEmptyDirectoryAndUnknownBackups() throws Exception
    {
        final Path store = tmp.resolve("store");
        Stores.populate(store, 200, 100, 3);
        try (Backups backups = Backups.open(tmp.resolve("repo")))
        {
            assertThrows(BackupException.class, () -> backups.restore(RestoreTarget.latest(), tmp.resolve("x")));
            backups.backup(store);
            final BackupException overStore = assertThrows(BackupException.class,
                () -> backups.restore(RestoreTarget.latest(), store));
            assertTrue(overStore.getMessage().contains("not empty"), overStore.getMessage());
            assertThrows(BackupException.class, () -> backups.restore(RestoreTarget.backup(7), tmp.resolve("y")));
            assertFalse(Files.exists(tmp.resolve("y")));
            try (Stream<Path> left = Files.list(tmp))
            {
                assertEquals(0, left.filter(p -> p.getFileName().toString().contains(".restoring-")).count());
            }
        }
    }

    @Test
    void parallelAndSerialBackupsWriteTheSameManifest() throws Exception
    {
        final Path store = tmp.resolve("store");
        Stores.populate(store, 1000, 500, 5);
        final BackupSettings serial = BackupSettings.defaults().withParallelism(1).withTargetPackBytes(256 << 10)
            .withClock(() -> 1_000_000L);
        final BackupSettings parallel = serial.withParallelism(3);
        try (Backups one = Backups.open(LocalDirectoryStorage.open(tmp.resolve("serial")), serial);
             Backups three = Backups.open(LocalDirectoryStorage.open(tmp.resolve("parallel")), parallel))
        {
            final BackupResult a = one.backup(store);
            final BackupResult b = three.backup(store);
            assertEquals(a.backup().merkleRoot(), b.backup().merkleRoot());
            assertEquals(a.newChunks(), b.newChunks());
            assertEquals(a.bytesWritten(), b.bytesWritten());
            assertEquals(((LocalDirectoryStorage)one.storage()).list("packs/"),
                ((LocalDirectoryStorage)three.storage()).list("packs/"), "the same packs, named by their content");
        }
    }

    @Test
    void anOpenStoreIsRefused() throws Exception
    {
        final Path store = tmp.resolve("store");
        Stores.populate(store, 10, 10, 4);
        try (Backups backups = Backups.open(tmp.resolve("repo"));
             Engram engram = Engram.open(store, Stores.ctx()))
        {
            assertThrows(StoreBusyException.class, () -> backups.backup(store));
            assertEquals(List.of(), backups.list());
        }
    }

    @Test
    void aStorageWithOtherObjectsIsNoRepository() throws Exception
    {
        final LocalDirectoryStorage storage = LocalDirectoryStorage.open(tmp.resolve("other"));
        storage.putIfAbsent("something", new byte[] {1});
        assertThrows(BackupException.class, () -> Backups.open(storage));
    }
}
