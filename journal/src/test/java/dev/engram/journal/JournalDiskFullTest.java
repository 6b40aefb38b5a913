package dev.engram.journal;

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
        try (ChildJvm child = ChildJvm.builder(DiskFullChild.class).args((Object[])args).stdout(out)
            .stderr(work.resolve(out.getFileName() + ".err")).start())
        {
            final int exit = child.awaitExit(180, TimeUnit.SECONDS);
            assertEquals(0, exit, "child " + String.join(" ", args) + " exit=" + exit + " (134/135: SIGABRT/SIGBUS)\n" +
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
    void shouldFailAppendsWithDiskFullAndNeverCrashThenResumeAfterSpaceIsFreed() throws Exception
    {
        final Path fs = Files.createDirectories(work.resolve("fs"));
        int rc;
        try
        {
            rc = run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", fs.toString());
        }
        catch (final IOException ex)
        {
            rc = -1;
        }
        Assumptions.assumeTrue(rc == 0, "cannot mount a small tmpfs here (needs root and mount): disk-full test skipped");
        mount = fs;
        final Path dir = Files.createDirectories(fs.resolve("journal"));
        final Path filler = fs.resolve("filler");
        Files.write(filler, new byte[3 * 1024 * 1024]);   // space to free later

        final String filled = child("fill", dir.toString());
        final long written = number(filled, "written");
        assertTrue(written > 0, filled);
        assertTrue(filled.contains("JournalException") && filled.contains("disk full") &&
            filled.contains(dir.toString()), "appends must fail saying the disk is full and where: " + filled);

        final long onFullDisk = number(child("reopen", dir.toString()), "last");
        assertTrue(onFullDisk >= written, "reopened on the full disk at " + onFullDisk + " < written " + written);

        Files.delete(filler);
        final long after = number(child("append", dir.toString(), "100"), "last");
        assertEquals(onFullDisk + 100, after, "appends resume after space is freed, after every version on disk");
    }
}
