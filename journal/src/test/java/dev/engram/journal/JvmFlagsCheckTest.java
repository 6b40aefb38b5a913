package dev.engram.journal;

import dev.engram.testsupport.ChildJvm;
import dev.engram.testsupport.JvmFlags;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link JvmFlagsCheck}: the flags it asks for are the parent pom's, it passes with them, and a JVM started
 * without some of them is refused with one {@link EngramJvmFlagsException} that names exactly the missing ones,
 * before the state directory is created (child JVMs started without the build's flags).
 */
class JvmFlagsCheckTest
{
    private static final String DROPPED_OPEN = "--add-opens=java.base/java.util.zip=ALL-UNNAMED";
    private static final String DROPPED_EXPORT = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    @Test
    void shouldAskForExactlyTheFlagsOfTheParentPomAndPassWithThem()
    {
        final List<String> buildFlags = JvmFlags.fromBuild().stream()
            .filter(flag -> flag.startsWith("--add-opens=") || flag.startsWith("--add-exports="))
            .collect(Collectors.toList());
        assertEquals(buildFlags, JvmFlagsCheck.allFlags());
        assertEquals(9, buildFlags.size(), buildFlags::toString);
        assertEquals(List.of(), JvmFlagsCheck.missingFlags());
        JvmFlagsCheck.verify();
    }

    @Test
    void shouldRefuseJournalOpenWithoutAnyFlagListingEveryFlagAndCreateNothing(@TempDir final Path work) throws Exception
    {
        for (final String mode : List.of("open", "background"))
        {
            final Path dir = work.resolve("state-" + mode);
            final String out = runChild(work, dir, mode, flag -> !flag.startsWith("--add-"));
            assertTrue(out.startsWith("REFUSED"), out);
            assertEquals(JvmFlagsCheck.allFlags(), missingIn(out), out);
            for (final String flag : JvmFlagsCheck.allFlags())
            {
                assertTrue(out.contains("    " + flag + "\n"), () -> "message must list " + flag + " on a line of its own:\n" + out);
            }
            assertTrue(out.contains("Missing (9)"), out);
            assertTrue(out.contains("Add-Opens: java.base/java.lang "), out);
            assertTrue(out.contains("DIRECTORY_EXISTS=false"), out);
            assertFalse(Files.exists(dir), "nothing may be created on disk: " + dir);
        }
    }

    @Test
    void shouldListOnlyTheFlagsThatAreMissing(@TempDir final Path work) throws Exception
    {
        final Path dir = work.resolve("state");
        final String out = runChild(work, dir, "open", flag -> !flag.equals(DROPPED_OPEN) && !flag.equals(DROPPED_EXPORT));
        assertEquals(List.of(DROPPED_OPEN, DROPPED_EXPORT), missingIn(out), out);
        assertTrue(out.contains("Missing (2)"), out);
        assertFalse(Files.exists(dir), "nothing may be created on disk: " + dir);
    }

    private static String runChild(final Path work, final Path dir, final String mode,
        final java.util.function.Predicate<String> keepFlag) throws Exception
    {
        final Path stdout = work.resolve("child-" + mode + "-" + System.nanoTime() + ".out");
        try (ChildJvm child = ChildJvm.builder(JvmFlagsChild.class).flagFilter(keepFlag).args(dir, mode)
            .stdout(stdout).stderr(work.resolve(stdout.getFileName() + ".err")).start())
        {
            final int exit = child.awaitExit(60, TimeUnit.SECONDS);
            assertEquals(0, exit, child::describe);
            return child.stdoutText();
        }
    }

    private static List<String> missingIn(final String out)
    {
        return out.lines().filter(line -> line.startsWith("MISSING ")).map(line -> line.substring("MISSING ".length()))
            .collect(Collectors.toList());
    }
}
