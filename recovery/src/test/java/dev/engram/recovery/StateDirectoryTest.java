package dev.engram.recovery;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A new directory is reported as new, another program's directory is refused before anything is written, and a
 * failed open leaves the directory as it found it.
 */
class StateDirectoryTest
{
    @TempDir
    Path root;

    private static List<String> listing(final Path dir) throws IOException
    {
        try (Stream<Path> entries = Files.list(dir))
        {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shouldReportANewOrEmptyDirectoryAsANewStoreNotACrash() throws IOException
    {
        for (final Path dir : new Path[] {root.resolve("absent"), Files.createDirectories(root.resolve("empty"))})
        {
            try (StateStore store = StateStore.open(new StateContext().directory(dir).snapshotIndex(false)))
            {
                final RecoveryReport report = store.recoveryReport();
                assertTrue(report.newStore(), report.describe());
                assertTrue(report.describe().startsWith("shutdown: none (a new store)"), report.describe());
                assertFalse(report.describe().contains("UNCLEAN"), report.describe());
            }
            try (StateStore store = StateStore.open(new StateContext().directory(dir).snapshotIndex(false)))
            {
                assertFalse(store.recoveryReport().newStore());
                assertTrue(store.recoveryReport().cleanShutdown(), store.recoveryReport().describe());
            }
        }
    }

    @Test
    void shouldRefuseAnotherProgramsDirectoryWithoutWritingIntoIt() throws IOException
    {
        final Path dir = Files.createDirectories(root.resolve("photos"));
        Files.writeString(dir.resolve("holiday.jpg"), "not a journal");
        Files.createDirectories(dir.resolve("2026"));
        final RecoveryException refused = assertThrows(RecoveryException.class,
            () -> StateStore.open(new StateContext().directory(dir)));
        assertTrue(refused.getMessage().contains("is not an Engram store") && refused.getMessage().contains("holiday.jpg") &&
            refused.getMessage().contains(dir.toString()), refused.getMessage());
        assertEquals(List.of("2026", "holiday.jpg"), listing(dir), "nothing written into it");
    }

    @Test
    void shouldLeaveTheDirectoryAsItFoundItWhenOpenFails() throws IOException
    {
        final Path dir = Files.createDirectories(root.resolve("state"));
        Files.writeString(dir.resolve("checkpoints"), "a file where Engram wants its checkpoint directory");
        assertThrows(RuntimeException.class, () -> StateStore.open(new StateContext().directory(dir)));
        assertEquals(List.of("checkpoints"), listing(dir), "the failed open must not leave its lock file or anything else");
    }
}
