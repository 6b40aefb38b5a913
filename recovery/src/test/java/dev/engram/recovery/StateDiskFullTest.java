package dev.engram.recovery;

import dev.engram.journal.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private Path mount;

    private static int run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor(60, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    @AfterEach
    void unmount() throws Exception
    {
        if (mount != null)
        {
            run("umount", mount.toString());
        }
    }

    private String child(final String... args) throws Exception
    {
        final Path out = work.resolve("child-" + System.nanoTime() + ".out");
        try (ChildJvm child = ChildJvm.builder(StateDiskFullChild.class).args((Object[])args).stdout(out)
            .stderr(work.resolve(out.getFileName() + ".err")).start())
        {
            final int exit = child.awaitExit(300, TimeUnit.SECONDS);
            assertEquals(0, exit, "child " + String.join(" ", args) + " exit=" + exit + " (135: SIGBUS)\n" +
                child.stdoutText() + "\n" + child.stderrText());
            return child.stdoutText();
        }
    }

    private static long number(final String text, final String name)
    {
        final Matcher m = Pattern.compile(name + "=(\\d+)").matcher(text);
        assertTrue(m.find(), name + " missing in: " + text);
        return Long.parseLong(m.group(1));
    }

    @Test
    void shouldKeepReadingAndReopenOnAFullDiskAndResumeAfterSpaceIsFreed() throws Exception
    {
        final Path fs = Files.createDirectories(work.resolve("fs"));
        int rc;
        try
        {
            rc = run("mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", fs.toString());
        }
        catch (final IOException ex)
        {
            rc = -1;
        }
        Assumptions.assumeTrue(rc == 0, "cannot mount a small tmpfs here (needs root and mount): disk-full test skipped");
        mount = fs;
        final Path dir = fs.resolve("state");
        final Path filler = fs.resolve("filler");
        Files.write(filler, new byte[8 * 1024 * 1024]);

        final String filled = child("fill", dir.toString());
        assertTrue(filled.contains("disk full"), "appends fail saying the disk is full: " + filled);
        assertTrue(filled.contains("reads=ok"), "reads keep working on a full disk: " + filled);
        assertFalse(filled.contains("close failed") && !filled.contains("close failed: dev.engram.journal.JournalException: " +
            "journal closed after a failure"), "close may only report the journal's disk-full failure: " + filled);
        final long written = number(filled, "written");

        final String onFullDisk = child("check", dir.toString(), "0");
        assertTrue(number(onFullDisk, "recovered") >= written, onFullDisk + " vs written=" + written);

        Files.delete(filler);
        final String resumed = child("check", dir.toString(), "50");
        final long recovered = number(resumed, "recovered");
        assertTrue(recovered >= written, resumed);
        assertEquals(recovered + 50, number(resumed, "last"), resumed);
        assertFalse(resumed.contains("checkpoint=none"), resumed);
    }
}
