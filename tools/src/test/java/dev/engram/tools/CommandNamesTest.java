package dev.engram.tools;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every message of the library and the CLI that tells the user to run {@code engram <command>} names a command the
 * CLI has (issue 13: messages told users to run `engram verify DIR` before it existed).
 */
class CommandNamesTest
{
    private static final Pattern COMMAND = Pattern.compile("`engram ([a-z][a-z-]*)");

    @Test
    void everyCommandAMessageNamesShouldExist() throws IOException
    {
        final Set<String> commands = EngramCli.commandLine().getSubcommands().keySet();
        final Path root = Path.of("").toAbsolutePath().getParent();
        final List<String> named = new ArrayList<>();
        final List<String> missing = new ArrayList<>();
        for (final String module : List.of("journal", "recovery", "engine", "tools"))
        {
            final Path sources = root.resolve(module).resolve("src/main/java");
            assertTrue(Files.isDirectory(sources), sources::toString);
            try (Stream<Path> files = Files.walk(sources))
            {
                for (final Path file : (Iterable<Path>)files.filter(f -> f.toString().endsWith(".java"))::iterator)
                {
                    final Matcher matcher = COMMAND.matcher(Files.readString(file));
                    while (matcher.find())
                    {
                        named.add(matcher.group(1) + " in " + file.getFileName());
                        if (!commands.contains(matcher.group(1)))
                        {
                            missing.add(matcher.group(1) + " in " + file);
                        }
                    }
                }
            }
        }
        assertTrue(named.stream().anyMatch(name -> name.startsWith("verify in HistoryRetention")), named::toString);
        assertEquals(List.of(), missing, "messages naming commands the CLI does not have");
    }
}
