package dev.engram.recovery.internal.history;

import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.StateContext;
import dev.engram.recovery.StateStore;

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
    /**
     * Both copies deleted: the checkpoint written while the tags existed recorded how many there were (its header's
     * tag count), so the reopen reports the tags as lost, naming both files and the checkpoint, instead of starting
     * with none in silence; the store goes on, and tagging works again.
     */
    @Test
    void shouldReportTagsLostWhenTheFileAndItsMirrorAreBothGone() throws Exception
    {
        final Path checkpoint;
        try (StateStore store = StateStore.open(ctx()))
        {
            store.journal().append(store.journal().newDelta().put("k", new byte[] {1}));
            assertTrue(store.awaitApplied(1, 60, java.util.concurrent.TimeUnit.SECONDS));
            store.tag("a", 0);
            store.tag("b", 1);
            final CheckpointInfo info = store.checkpoint();
            assertEquals(2, info.tagCount(), "the checkpoint records the tags held when it was written");
            checkpoint = info.path();
        }
        Files.delete(file());
        Files.delete(mirror());
        try (StateStore store = StateStore.open(ctx()))
        {
            final List<String> repairs = store.repairs();
            assertEquals(1, repairs.size(), repairs.toString());
            final String lost = repairs.get(0);
            assertTrue(lost.contains("TAGS LOST") && lost.contains(file().toString()) && lost.contains(mirror().toString()) &&
                lost.contains(checkpoint.toString()) && lost.contains("recorded 2 tags"), lost);
            assertEquals(Map.of(), store.tags());
            store.tag("c", 1);
            assertEquals(new TreeMap<>(Map.of("c", 1L)), store.tags());
        }
    }

    @Test
    void shouldNotReportALossWhenEveryTagWasRemoved() throws Exception
    {
        try (StateStore store = StateStore.open(ctx()))
        {
            store.journal().append(store.journal().newDelta().put("k", new byte[] {1}));
            assertTrue(store.awaitApplied(1, 60, java.util.concurrent.TimeUnit.SECONDS));
            store.tag("a", 0);
            assertEquals(1, store.checkpoint().tagCount());
            assertTrue(store.untag("a"));
        }
        try (StateStore store = StateStore.open(ctx()))
        {
            assertEquals(Map.of(), store.tags());
            assertEquals(List.of(), store.repairs(), "an empty tags file is not a loss");
        }
    }
}
