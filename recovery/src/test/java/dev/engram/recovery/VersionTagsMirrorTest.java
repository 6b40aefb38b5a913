package dev.engram.recovery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Tags are acknowledged state: a lost or damaged version-tags file must not lose them silently (the fault suite
 * found a deleted file did). The mirror in the checkpoint directory restores it, and the store says so.
 */
class VersionTagsMirrorTest
{
    @TempDir
    Path dir;

    private StateContext ctx()
    {
        return new StateContext().directory(dir).background(false).snapshotIndex(false);
    }

    private Path file()
    {
        return dir.resolve(TagFileDescriptor.FILE_NAME);
    }

    private Path mirror()
    {
        return dir.resolve("checkpoints").resolve(VersionTags.MIRROR_NAME);
    }

    private void tagTwo()
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            store.tag("a", 0);
            store.tag("b", 0);
        }
        assertArrayEquals(read(file()), read(mirror()), "the mirror holds the same bytes");
    }

    private static byte[] read(final Path p)
    {
        try
        {
            return Files.readAllBytes(p);
        }
        catch (final java.io.IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private void assertRestored(final String expectedRepair)
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            assertEquals(new TreeMap<>(Map.of("a", 0L, "b", 0L)), store.tags());
            final List<String> repairs = store.repairs();
            assertEquals(1, repairs.size(), repairs.toString());
            assertTrue(repairs.get(0).contains(expectedRepair), repairs.toString());
        }
        assertArrayEquals(read(file()), read(mirror()), "both copies are whole again");
        try (StateStore store = StateStore.open(ctx()))
        {
            assertEquals(2, store.tags().size());
            assertEquals(List.of(), store.repairs(), "nothing left to repair");
        }
    }

    @Test
    void shouldRestoreADeletedTagsFileFromItsMirrorAndSaySo() throws Exception
    {
        tagTwo();
        Files.delete(file());
        assertRestored("was missing: restored 2 tags from its mirror");
    }

    @Test
    void shouldRestoreADamagedTagsFileFromItsMirrorAndSaySo() throws Exception
    {
        tagTwo();
        try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw"))
        {
            raf.seek(raf.length() - 3);
            raf.write(raf.read() ^ 0x10);
        }
        assertRestored("was damaged");
    }

    @Test
    void shouldRewriteALostMirrorAndSaySo() throws Exception
    {
        tagTwo();
        Files.delete(mirror());
        assertRestored("mirror " + mirror() + " was missing: rewritten");
    }

    @Test
    void shouldPreferTheFileWhenTheCopiesDiffer() throws Exception
    {
        tagTwo();
        final byte[] two = read(file());
        try (StateStore store = StateStore.open(ctx()))
        {
            store.untag("b");
        }
        Files.write(mirror(), two);   // as if a crash came between the file's write and the mirror's
        try (StateStore store = StateStore.open(ctx()))
        {
            assertEquals(new TreeMap<>(Map.of("a", 0L)), store.tags());
            assertTrue(store.repairs().get(0).contains("differed"), store.repairs().toString());
        }
    }
}
