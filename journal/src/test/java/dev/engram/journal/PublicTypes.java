package dev.engram.journal;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The public surface of a module, listed and compared with a file kept beside its tests: a type becomes public (or
 * stops being public) only by a change that also edits the list, so the API grows on purpose, not by accident
 * (issue 13: "public API deliberately small ... checked by a test that lists the public types per module").
 * <p>
 * Types in a package named {@code internal} (such as {@code dev.engram.recovery.internal.chain}) are public only so
 * the module's own packages can share them: they are not user API and are left out of the list. That no other
 * module uses them is checked by the tools module's {@code ArchitectureTest}.
 */
public final class PublicTypes
{
    private PublicTypes()
    {
    }

    /**
     * @param classes  the module's compiled classes ({@code target/classes}).
     * @return every public top-level or nested type outside {@code internal} packages, by binary name, sorted.
     */
    public static List<String> of(final Path classes) throws IOException
    {
        try (Stream<Path> files = Files.walk(classes))
        {
            return files.filter(p -> p.toString().endsWith(".class"))
                .map(p -> classes.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", ""))
                .filter(name -> !name.endsWith("package-info") && !name.matches(".*\\$\\d.*") && !name.contains("$$"))
                .filter(name -> !isInternal(name))
                .filter(PublicTypes::isPublic)
                .sorted()
                .toList();
        }
    }

    /**
     * @return whether the type's package has a segment named {@code internal}: not user API.
     */
    public static boolean isInternal(final String name)
    {
        return name.contains(".internal.");
    }

    private static boolean isPublic(final String name)
    {
        try
        {
            Class<?> type = Class.forName(name, false, PublicTypes.class.getClassLoader());
            for (Class<?> t = type; t != null; t = t.getEnclosingClass())
            {
                if (!Modifier.isPublic(t.getModifiers()))
                {
                    return false;
                }
            }
            return true;
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            throw new AssertionError("cannot load " + name + ": " + ex, ex);
        }
    }

    /**
     * Assert the module's public types equal the list in {@code expected} (one binary name a line, '#' comments).
     */
    public static void assertMatches(final Path classes, final Path expected) throws IOException
    {
        final List<String> actual = of(classes);
        if (Boolean.getBoolean("engram.publicTypes.write"))
        {
            // regenerating on purpose: -Dengram.publicTypes.write=true (review the diff of the list)
            Files.write(expected, java.util.stream.Stream.concat(Stream.of("# public types of this module: the API. " +
                "A change here is an API change (PublicApiTest).",
                "# Types in .internal. packages are not user API and not listed (PublicTypes.isInternal)."), actual.stream()).toList());
            return;
        }
        final List<String> listed = Files.readAllLines(expected).stream().map(String::trim)
            .filter(l -> !l.isEmpty() && !l.startsWith("#")).sorted().toList();
        assertEquals(String.join("\n", listed), String.join("\n", actual), "the public types of " + classes +
            " differ from " + expected + ": make the new type package-private, or add it to the list on purpose " +
            "(the list is the module's API; see issue 13)");
    }
}
