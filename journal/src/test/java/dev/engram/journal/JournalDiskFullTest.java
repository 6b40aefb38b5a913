package dev.engram.journal;

import dev.engram.testsupport.ChildJvm;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A full disk is an exception that says so, never a SIGBUS: on an 8 MiB tmpfs (tmpfs faults on reads of holes
 * too, the harshest case), appends stop with {@link JournalDiskFullException}, the journal reopens while the
 * disk is still full, and after space is freed it reopens and appends with nothing acknowledged lost. Each step
 * runs in its own JVM: a SIGBUS fails the test, not the build. Skipped (with the reason) where a tmpfs cannot
 * be mounted (not root, or no mount command).
 */
class JournalDiskFullTest
{
    @TempDir
    Path work;

    @Test
    void shouldFailAppendsWithDiskFullAndNeverCrashThenResumeAfterSpaceIsFreed() throws Exception
    {
        try (SmallTmpfs tmpfs = SmallTmpfs.mount(work.resolve("fs"), "8m"))
        {
            Assumptions.assumeTrue(tmpfs != null, "cannot mount a small tmpfs here (needs root and mount): disk-full test skipped");
            fillReopenResume(tmpfs.directory());
        }
    }

    private void fillReopenResume(final Path fs) throws Exception
    {
        final Path dir = Files.createDirectories(fs.resolve("journal"));
        final Path filler = fs.resolve("filler");
        Files.write(filler, new byte[3 * 1024 * 1024]);   // space to free later

        final String filled = ChildJvm.runToCompletion(DiskFullChild.class, work, 180, "fill", dir.toString());
        final long written = SmallTmpfs.number(filled, "written");
        assertTrue(written > 0, filled);
        assertTrue(filled.contains("JournalException") && filled.contains("disk full") &&
            filled.contains(dir.toString()), "appends must fail saying the disk is full and where: " + filled);

        final long onFullDisk = SmallTmpfs.number(ChildJvm.runToCompletion(DiskFullChild.class, work, 180, "reopen", dir.toString()), "last");
        assertTrue(onFullDisk >= written, "reopened on the full disk at " + onFullDisk + " < written " + written);

        Files.delete(filler);
        final long after = SmallTmpfs.number(ChildJvm.runToCompletion(DiskFullChild.class, work, 180, "append", dir.toString(), "100"), "last");
        assertEquals(onFullDisk + 100, after, "appends resume after space is freed, after every version on disk");
    }

    /**
     * Retention frees space on a full disk (issue 12, "known windows"): it must rewrite the manifest (unlisting the
     * cycles) before it deletes their files, and on a full disk the manifest's temp file could not get a block, so
     * retention failed and nothing was ever freed. The manifest's reserve gives that block; the cycles go, the space
     * comes back, and the journal reopens with no loss at the same last version, listing only the cycle kept.
     */
    @Test
    void shouldFreeSpaceByRetentionOnAFullDisk() throws Exception
    {
        try (SmallTmpfs tmpfs = SmallTmpfs.mount(work.resolve("fs"), "16m"))
        {
            Assumptions.assumeTrue(tmpfs != null, "cannot mount a small tmpfs here (needs root and mount): disk-full test skipped");
            final Path dir = Files.createDirectories(tmpfs.directory().resolve("journal"));
            final Path filler = tmpfs.directory().resolve("filler");
            final String out = ChildJvm.runToCompletion(DiskFullChild.class, work, 180, "retention", dir.toString(),
                filler.toString());
            assertFalse(out.contains("failure="), "retention on a full disk must work: " + out);
            assertTrue(SmallTmpfs.number(out, "full") < 64 * 1024, "the disk was full: " + out);
            assertEquals(2, SmallTmpfs.number(out, "removed"), out);
            // what two cycles give back depends on how much of their files stays allocated (finished cycle files
            // give back their reservation past their data): more than the full disk had, by at least a few pages
            assertTrue(SmallTmpfs.number(out, "free") > SmallTmpfs.number(out, "full") + 64 * 1024, "space came back: " + out);
            final long last = SmallTmpfs.number(out, "last");
            Files.delete(filler);
            final JournalManifest manifest = JournalManifest.read(dir);
            assertEquals(1, manifest.entries().size(), manifest.toString());
            assertEquals(201, manifest.entries().get(0).firstVersion(), manifest.toString());
            final String reopened = ChildJvm.runToCompletion(DiskFullChild.class, work, 180, "reopen", dir.toString(),
                "secondly");
            assertEquals(last, SmallTmpfs.number(reopened, "last"), reopened);
            assertTrue(Files.size(dir.resolve(JournalManifest.RESERVE_FILE_NAME)) >= JournalManifest.MIN_RESERVE_LENGTH,
                "the reserve is made again once there is room");
        }
    }
}
