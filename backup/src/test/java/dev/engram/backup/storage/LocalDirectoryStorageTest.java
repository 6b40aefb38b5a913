package dev.engram.backup.storage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalDirectoryStorageTest extends BackupStorageContract
{
    @TempDir
    Path dir;

    @Override
    protected BackupStorage newStorage() throws Exception
    {
        return LocalDirectoryStorage.open(dir.resolve("repo"));
    }

    @Test
    void writesLeaveNoTempFilesAndLeftoverTempsAreNotObjects() throws Exception
    {
        storage.putIfAbsent("packs/aa/one", bytes("x"));
        storage.putIfAbsent("packs/aa/one", bytes("y"));
        final Path root = ((LocalDirectoryStorage)storage).root();
        try (Stream<Path> files = Files.walk(root))
        {
            assertEquals(List.of(root.resolve("packs/aa/one")), files.filter(Files::isRegularFile).toList());
        }
        Files.write(root.resolve("packs/aa/two.1234.tmp"), bytes("half"));
        assertEquals(List.of("packs/aa/one"), storage.list(""));
        assertEquals(1, ((LocalDirectoryStorage)storage).deleteStaleTemps());
        assertTrue(Files.exists(root.resolve("packs/aa/one")));
    }
}
