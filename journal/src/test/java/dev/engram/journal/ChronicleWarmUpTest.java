package dev.engram.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class ChronicleWarmUpTest
{
    @TempDir
    Path tmp;

    @Test
    void removesOnlyTheWarmUpDirectoriesOfProcessesThatAreGone() throws IOException, InterruptedException
    {
        // a process that has exited: its id is free (unless reused at once, which the check then leaves alone)
        final Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        final Path dead = Files.createDirectories(tmp.resolve(ChronicleWarmUp.DIRECTORY_PREFIX + gone.pid() + "-123"));
        Files.write(dead.resolve("metadata.cq4t"), new byte[16]);
        final Path alive = Files.createDirectories(tmp.resolve(ChronicleWarmUp.DIRECTORY_PREFIX + ProcessHandle.current().pid() + "-456"));
        final Path unrelated = Files.createDirectories(tmp.resolve("engram-chronicle-warmup789"));
        final Path other = Files.createDirectories(tmp.resolve("someone-else-" + gone.pid() + "-1"));

        ChronicleWarmUp.removeLeftByDeadProcesses(tmp);

        if (ProcessHandle.of(gone.pid()).isEmpty())
        {
            assertFalse(Files.exists(dead), "a dead process's warm-up directory is removed");
        }
        assertTrue(Files.exists(alive), "a live process's warm-up directory is kept");
        assertTrue(Files.exists(unrelated), "a name without a process id is not ours to judge");
        assertTrue(Files.exists(other));
    }

    @Test
    void readsTheProcessIdFromTheName()
    {
        assertEquals(42, ChronicleWarmUp.pidOf(ChronicleWarmUp.DIRECTORY_PREFIX + "42-987654"));
        assertEquals(-1, ChronicleWarmUp.pidOf("engram-chronicle-warmup987654"));
        assertEquals(-1, ChronicleWarmUp.pidOf(ChronicleWarmUp.DIRECTORY_PREFIX + "x-1"));
        assertEquals(-1, ChronicleWarmUp.pidOf(ChronicleWarmUp.DIRECTORY_PREFIX + "-1"));
    }
}
