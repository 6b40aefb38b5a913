package dev.engram.recovery;

import dev.engram.journal.ChildJvm;
import dev.engram.journal.SmallTmpfs;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The whole store on a full disk (a 32 MiB tmpfs, each step in its own JVM): appends fail saying the disk is
 * full, reads keep working, background checkpoints fail and are retried instead of failing the store, the
 * store closes and reopens while the disk is full, and after space is freed it appends and checkpoints with
 * nothing acknowledged lost. Skipped (with the reason) where a tmpfs cannot be mounted.
 */
class StateDiskFullTest
{
    @TempDir
    Path work;

    @Test
    void shouldKeepReadingAndReopenOnAFullDiskAndResumeAfterSpaceIsFreed() throws Exception
    {
        try (SmallTmpfs tmpfs = SmallTmpfs.mount(work.resolve("fs"), "32m"))
        {
            Assumptions.assumeTrue(tmpfs != null, "cannot mount a small tmpfs here (needs root and mount): disk-full test skipped");
            fillReopenResume(tmpfs.directory());
        }
    }

    private void fillReopenResume(final Path fs) throws Exception
    {
        final Path dir = fs.resolve("state");
        final Path filler = fs.resolve("filler");
        Files.write(filler, new byte[8 * 1024 * 1024]);

        final String filled = ChildJvm.runToCompletion(StateDiskFullChild.class, work, 300, "fill", dir.toString());
        assertTrue(filled.contains("disk full"), "appends fail saying the disk is full: " + filled);
        assertTrue(filled.contains("reads=ok"), "reads keep working on a full disk: " + filled);
        assertFalse(filled.contains("close failed") && !filled.contains("close failed: dev.engram.journal.JournalException: " +
            "journal closed after a failure"), "close may only report the journal's disk-full failure: " + filled);
        final long written = SmallTmpfs.number(filled, "written");

        final String onFullDisk = ChildJvm.runToCompletion(StateDiskFullChild.class, work, 300, "check", dir.toString(), "0");
        assertTrue(SmallTmpfs.number(onFullDisk, "recovered") >= written, onFullDisk + " vs written=" + written);

        Files.delete(filler);
        final String resumed = ChildJvm.runToCompletion(StateDiskFullChild.class, work, 300, "check", dir.toString(), "50");
        final long recovered = SmallTmpfs.number(resumed, "recovered");
        assertTrue(recovered >= written, resumed);
        assertEquals(recovered + 50, SmallTmpfs.number(resumed, "last"), resumed);
        assertFalse(resumed.contains("checkpoint=none"), resumed);
    }
}
