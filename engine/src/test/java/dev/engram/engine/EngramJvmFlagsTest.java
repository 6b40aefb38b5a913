package dev.engram.engine;

import dev.engram.journal.ChildJvm;
import dev.engram.journal.JvmFlagsCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A JVM started without Engram's {@code --add-opens}/{@code --add-exports} flags: {@code Engram.open} and
 * {@code StateStore.open} throw {@link dev.engram.journal.EngramJvmFlagsException} listing every flag (not
 * Chronicle's {@code AssertionError} from {@code FileChannelImpl.map0}) and leave no directory behind.
 */
class EngramJvmFlagsTest
{
    @Test
    void shouldRefuseToOpenWithoutTheFlagsListingThemAllAndLeaveNothingOnDisk(@TempDir final Path work) throws Exception
    {
        final Path root = work.resolve("states");
        final Path stdout = work.resolve("child.out");
        try (ChildJvm child = ChildJvm.builder(JvmFlagsChild.class).buildFlagFilter(flag -> !flag.startsWith("--add-"))
            .args(root).stdout(stdout).stderr(work.resolve("child.err")).start())
        {
            assertEquals(0, child.awaitExit(60, TimeUnit.SECONDS), child::describe);
            final String out = child.stdoutText();
            final int all = JvmFlagsCheck.allFlags().size();
            assertTrue(out.contains("Engram.open REFUSED missing=" + all + " exists=false"), out);
            assertTrue(out.contains("StateStore.open REFUSED missing=" + all + " exists=false"), out);
            for (final String flag : JvmFlagsCheck.allFlags())
            {
                assertTrue(out.contains(flag), () -> "the message must list " + flag + ":\n" + out);
            }
            assertFalse(Files.exists(root.resolve("engram")), "Engram.open must not create the directory");
            assertFalse(Files.exists(root.resolve("store")), "StateStore.open must not create the directory");
        }
    }
}
