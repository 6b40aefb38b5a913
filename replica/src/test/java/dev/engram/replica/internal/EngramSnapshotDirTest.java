package dev.engram.replica.internal;

import dev.engram.engine.Engram;
import dev.engram.journal.Delta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A snapshot's Engram files (docs/replication.md, "Snapshots"): built from an open Engram, they hold the journal's
 * prefix only (the cycle file's full length in journal-lengths), and installed into another directory they open as
 * an Engram at the same version with the same values, taking the next version after it. A directory without its
 * journal-lengths file is refused before anything is changed.
 */
class EngramSnapshotDirTest
{
    @TempDir
    Path dir;

    @Test
    void aSnapshotDirectoryInstallsAsAnEngramAtItsVersion() throws IOException
    {
        final Path sm = Files.createDirectories(dir.resolve("sm"));
        final long version;
        try (Engram source = Engram.open(dir.resolve("source")))
        {
            final Delta delta = source.newDelta();
            long v = 0;
            for (int i = 0; i < 200; i++)
            {
                v = source.append(delta.clear().put("k/" + i, bytes("value " + i)));
                if (i == 120)
                {
                    assertTrue(source.awaitApplied(v, 60, TimeUnit.SECONDS));
                    source.checkpoint();
                }
            }
            assertTrue(source.awaitSynced(v, 60, TimeUnit.SECONDS));
            version = EngramSnapshotDir.build(sm, 3, 77, source, 60_000);
            assertEquals(v, version);
        }
        final Path built = sm.resolve(EngramSnapshotDir.name(3, 77));
        final Properties lengths = new Properties();
        try (var reader = Files.newBufferedReader(built.resolve(EngramSnapshotDir.LENGTHS)))
        {
            lengths.load(reader);
        }
        assertFalse(lengths.isEmpty(), "journal cycle files listed");
        for (final String name : lengths.stringPropertyNames())
        {
            assertTrue(Files.size(built.resolve(name)) <= Long.parseLong(lengths.getProperty(name)),
                "only a prefix of " + name + " is stored");
        }

        final Path target = dir.resolve("target");
        Files.createDirectories(target.resolve("stale"));   // an old Engram directory is replaced whole
        EngramSnapshotDir.install(built, target);
        assertFalse(Files.exists(target.resolve("stale")));
        for (final String name : lengths.stringPropertyNames())
        {
            assertEquals(Long.parseLong(lengths.getProperty(name)), Files.size(target.resolve(name)), name);
        }
        try (Engram installed = Engram.open(target))
        {
            assertEquals(version, installed.lastAppendedVersion());
            assertTrue(installed.awaitApplied(version, 60, TimeUnit.SECONDS));
            for (int i = 0; i < 200; i++)
            {
                assertArrayEquals(bytes("value " + i), installed.get("k/" + i), "k/" + i);
            }
            assertEquals(version + 1, installed.append(installed.newDelta().put("k/next", bytes("next"))));
        }
    }

    @Test
    void aDirectoryWithoutItsLengthsFileIsRefusedAndNothingChanges() throws IOException
    {
        final Path source = Files.createDirectories(dir.resolve("sm").resolve(EngramSnapshotDir.name(1, 5)));
        Files.writeString(source.resolve("x"), "x");
        final Path target = Files.createDirectories(dir.resolve("engram"));
        Files.writeString(target.resolve("kept"), "kept");
        final IOException e = assertThrows(IOException.class, () -> EngramSnapshotDir.install(source, target));
        assertTrue(e.getMessage().contains(EngramSnapshotDir.LENGTHS) && e.getMessage().contains(source.toString()),
            e.getMessage());
        assertEquals("kept", Files.readString(target.resolve("kept")));
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
