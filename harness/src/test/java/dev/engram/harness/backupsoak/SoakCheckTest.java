package dev.engram.harness.backupsoak;

import dev.engram.backup.Backups;
import dev.engram.backup.storage.LocalDirectoryStorage;
import dev.engram.engine.Engram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The soak's model and checker, in this JVM: they pass a sound repository and catch a damaged one and a wrong state. */
class SoakCheckTest
{
    @TempDir
    Path dir;

    @Test
    void theModelAtAnyVersionIsEveryChangeAppliedInOrder()
    {
        final TreeMap<String, byte[]> applied = new TreeMap<>();
        for (long v = 1; v <= 3_000; v++)
        {
            if (SoakWorkload.deletes(v))
            {
                applied.remove(SoakWorkload.key(v));
            }
            else
            {
                applied.put(SoakWorkload.key(v), SoakWorkload.value(v));
            }
            if (v % 97 == 0 || v < 20 || v == 3_000)
            {
                assertNull(SoakWorkload.difference(applied, SoakWorkload.stateAt(v)), "version " + v);
            }
        }
        assertEquals(0, SoakWorkload.stateAt(0).size());
        assertNotNull(SoakWorkload.difference(SoakWorkload.stateAt(2_999), SoakWorkload.stateAt(3_000)));
    }

    @Test
    void theCheckPassesASoundRepositoryAndCatchesADamagedPackAndAWrongState() throws Exception
    {
        final Path repo = dir.resolve("repo");
        final Path store = dir.resolve("store");
        final Path work = Files.createDirectories(dir.resolve("work"));
        try (Engram engram = Engram.open(store, SoakWorkload.context());
             Backups backups = Backups.open(LocalDirectoryStorage.open(repo), BackupSoakChild.SETTINGS))
        {
            for (long v = 1; v <= 2_500; v++)
            {
                assertEquals(v, SoakWorkload.append(engram, v));
            }
            backups.backup(engram);
        }
        final SoakCheck check = new SoakCheck(repo, store, work, new Random(7));
        final SoakCheck.Outcome sound = check.afterKill(Map.of(), true);
        assertTrue(sound.passed(), sound.firstProblem());
        assertEquals(1, sound.backupsListed);              // the one above (listed before the resumed one)
        assertEquals(1, sound.resumedBackups);
        assertEquals(1, sound.resumedPrunes);
        assertEquals(1, sound.pointInTimeRestores);
        assertEquals(2_500, sound.storeVersion);

        // a restored state checked against another version's model is wrong
        try (Backups backups = Backups.open(LocalDirectoryStorage.open(repo), BackupSoakChild.SETTINGS))
        {
            backups.restore(dev.engram.backup.RestoreTarget.version(2_000), dir.resolve("at-2000"));
        }
        assertNull(SoakCheck.compare(dir.resolve("at-2000"), 2_000));
        assertNotNull(SoakCheck.compare(dir.resolve("at-2000"), 1_999));

        // one byte changed in a pack: a corrupt repository
        final Path pack;
        try (Stream<Path> files = Files.walk(repo.resolve("packs")))
        {
            pack = files.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".tmp"))
                .max((a, b) -> Long.compare(a.toFile().length(), b.toFile().length())).orElseThrow();
        }
        pack.toFile().setWritable(true);
        try (FileChannel channel = FileChannel.open(pack, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            final long at = channel.size() / 2;
            channel.read(one, at);
            one.put(0, (byte)(one.get(0) ^ 0x5A));
            channel.write(one.flip(), at);
        }
        final SoakCheck.Outcome damaged = check.afterKill(Map.of(), false);
        assertTrue(!damaged.corrupt.isEmpty(), "damage not found");
        assertTrue(!damaged.passed());
    }
}
