package dev.engram.recovery;

import dev.engram.journal.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Issue 12, item 8: a long PUT-then-PATCH tail of values up to 330 KiB over a ~20 MB state, with checkpoints during
 * it, a crash and a reopen that replays the tail, in child JVMs limited to {@value #MAX_DIRECT} of direct memory:
 * no OutOfMemoryError from the applier, a checkpoint build or the recovery replay, and every value right.
 */
class OffHeapTailTest
{
    static final String MAX_DIRECT = "160m";

    @TempDir
    Path work;

    @Test
    void shouldRunALongPutThenPatchTailWithinASmallDirectMemoryLimit() throws Exception
    {
        final Path dir = work.resolve("state");
        final String written = run("write", dir.toString(), "6000");
        assertTrue(written.contains("result=ok"), written);
        assertFalse(written.contains("failure="), written);
        final String reopened = run("reopen", dir.toString());
        assertTrue(reopened.contains("result=ok"), reopened);
        assertFalse(reopened.contains("failure="), reopened);
        // the store's own accounting: the live overlays and the builds together stay well inside what the JVM was
        // given for off-heap memory (the state is ~20 MB)
        for (final String out : new String[]{written, reopened})
        {
            final long overlay = number(out, "peakOverlay");
            final long build = number(out, "peakBuild");
            assertTrue(overlay > 0 && build > 0, out);
            assertTrue(overlay + build < 160L * 1024 * 1024, "peak overlay + build memory: " + out);
        }
        System.out.println(written + reopened);
    }

    private static long number(final String text, final String name)
    {
        final java.util.regex.Matcher m = java.util.regex.Pattern.compile(name + "=(\\d+)").matcher(text);
        assertTrue(m.find(), name + " in " + text);
        return Long.parseLong(m.group(1));
    }

    private String run(final String... args) throws Exception
    {
        final Path out = work.resolve("child-" + args[0] + ".out");
        try (ChildJvm child = ChildJvm.builder(OffHeapTailChild.class).jvmArg("-XX:MaxDirectMemorySize=" + MAX_DIRECT)
            .jvmArg("-Xmx512m").args((Object[])args).stdout(out).stderr(work.resolve("child-" + args[0] + ".err")).start())
        {
            final int exit = child.awaitExit(900, java.util.concurrent.TimeUnit.SECONDS);
            final String text = child.stdoutText();
            assertEquals(0, exit, "child " + String.join(" ", args) + " exit=" + exit + "\n" + text + "\n" + child.stderrText());
            return text;
        }
    }
}
