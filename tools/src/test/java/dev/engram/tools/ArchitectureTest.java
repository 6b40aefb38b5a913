package dev.engram.tools;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The modules' and recovery's packages depend on each other only in the designed direction (issue 13). It reads the
 * main sources of every module from the repository root (this module's basedir is one level down; it sees all
 * modules' sources, which is why it lives in tools, the module that depends on all libraries) and checks the
 * dependencies a source file names in code: its imports whose simple name its code uses, and fully qualified
 * {@code dev.engram...} names in code. Comments and string literals are not dependencies (a javadoc link to a
 * class of a higher layer is documentation).
 * <p>
 * A plain text check rather than ArchUnit: the rules are about packages only, the sources are at hand, and no new
 * dependency is needed.
 */
class ArchitectureTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static final String JOURNAL_INTERNAL = "dev.engram.journal.internal";
    private static final String RECOVERY = "dev.engram.recovery";
    private static final String RECOVERY_INTERNAL = "dev.engram.recovery.internal";
    private static final String ENGINE = "dev.engram.engine";
    private static final String BACKUP = "dev.engram.backup";
    private static final String BACKUP_INTERNAL = "dev.engram.backup.internal";
    private static final String REPLICA = "dev.engram.replica";
    private static final String REPLICA_INTERNAL = "dev.engram.replica.internal";
    private static final String TOOLS = "dev.engram.tools";
    private static final String BENCH = "dev.engram.bench";
    private static final String HARNESS = "dev.engram.harness";
    private static final String EXAMPLES = "dev.engram.examples";
    private static final String TEST_SUPPORT = "dev.engram.testsupport";

    /** The modules whose main sources are checked. */
    private static final List<String> MODULES = List.of(
        "journal", "recovery", "engine", "backup", "backup-s3", "replica", "tools", "bench", "harness", "examples",
        "test-support");

    /** The library modules: what users put on their class path. */
    private static final List<String> LIBRARIES = List.of("journal", "recovery", "engine", "backup", "backup-s3", "replica",
        "tools");

    /**
     * The internal packages of recovery and the internal packages each may use (besides itself and the API package
     * {@code dev.engram.recovery}'s values, settings and exceptions). A new internal package must be placed here.
     */
    private static final Map<String, Set<String>> RECOVERY_LAYERS = Map.of(
        "concurrent", Set.of(),
        "checkpoint", Set.of(),
        "overlay", Set.of("checkpoint"),
        "ordered", Set.of("checkpoint", "overlay"),
        "chain", Set.of("checkpoint", "concurrent", "overlay", "ordered"),
        "history", Set.of("checkpoint", "overlay", "ordered", "chain"),
        "procedure", Set.of("checkpoint", "concurrent", "overlay", "ordered", "chain", "history"));

    /** The API types on top of the internals (they open, read and inspect a store): internals never use them. */
    private static final Set<String> RECOVERY_ENTRY_POINTS = Set.of(
        RECOVERY + ".StateStore", RECOVERY + ".StateReader", RECOVERY + ".ReadOnlyState");

    /**
     * Code outside recovery that may use a recovery internal type, each with its reason. Empty: engine, tools,
     * bench, harness and examples use the API package only.
     */
    private static final Map<String, String> INTERNAL_USE_ALLOWED = Map.of();

    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+?)(\\.\\*)?\\s*;",
        Pattern.MULTILINE);
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Pattern QUALIFIED = Pattern.compile("\\bdev\\.engram(?:\\.[a-z_]\\w*)+(?:\\.[A-Z]\\w*)?");

    @Test
    void everyModuleHasSourcesToCheck()
    {
        for (final String module : MODULES)
        {
            assertTrue(sources(module).size() > 0, "no main sources found for " + module + " under " + ROOT);
        }
        final Set<String> found = new TreeSet<>();
        for (final Source source : sources("recovery"))
        {
            if (source.pkg.startsWith(RECOVERY_INTERNAL + "."))
            {
                found.add(area(source.pkg));
            }
        }
        assertEquals(new TreeSet<>(RECOVERY_LAYERS.keySet()), found,
            "recovery's internal packages and the layers this test knows differ: " +
            "place the new package in RECOVERY_LAYERS");
    }

    @Test
    void journalDependsOnNoOtherModule()
    {
        assertNoUse("journal", d -> under(d, RECOVERY) || under(d, ENGINE) || under(d, BACKUP) || under(d, TOOLS) ||
            notALibrary(d));
    }

    @Test
    void recoveryDependsOnJournalOnly()
    {
        assertNoUse("recovery", d -> under(d, ENGINE) || under(d, TOOLS) || notALibrary(d));
    }

    @Test
    void engineDependsOnNoToolOrBenchmark()
    {
        assertNoUse("engine", d -> under(d, TOOLS) || notALibrary(d));
    }

    /**
     * The backup engine sits beside the engine, above recovery and the journal: nothing below it uses it, and it
     * uses no tool, benchmark, harness or example (tools uses it for the backup commands). backup-s3 is a storage
     * on backup's API: backup does not know it, and it uses no backup internal.
     */
    @Test
    void backupIsUsedByNoLowerModuleAndUsesNoTool()
    {
        for (final String module : List.of("journal", "recovery", "engine"))
        {
            assertNoUse(module, d -> under(d, BACKUP));
        }
        assertNoUse("backup", d -> under(d, TOOLS) || notALibrary(d) || under(d, BACKUP + ".s3"));
        assertNoUse("backup-s3", d -> under(d, TOOLS) || notALibrary(d));
        for (final String module : MODULES)
        {
            if (!module.equals("backup"))
            {
                assertNoUse(module, d -> under(d, BACKUP_INTERNAL));
            }
        }
    }

    /**
     * The backup module's internal packages: format and source use no other internal package, repository and crypto
     * (the AES-GCM sealer of encrypted repositories) use the format; none uses the API's entry point {@code Backups}
     * (they may use its exceptions and values).
     */
    @Test
    void backupInternalsFollowTheirLayers()
    {
        final Map<String, Set<String>> layers = Map.of(
            "format", Set.of(),
            "source", Set.of(),
            "repository", Set.of("format"),
            "crypto", Set.of("format"));
        final List<String> violations = new ArrayList<>();
        for (final Source source : sources("backup"))
        {
            if (!source.pkg.startsWith(BACKUP_INTERNAL + "."))
            {
                continue;
            }
            final String area = source.pkg.substring(BACKUP_INTERNAL.length() + 1).split("\\.")[0];
            assertTrue(layers.containsKey(area),
                "place the new package " + source.pkg + " in backupInternalsFollowTheirLayers");
            for (final String dependency : source.dependencies)
            {
                if (dependency.equals(BACKUP + ".Backups"))
                {
                    violations.add(source.file + " uses the entry point " + dependency);
                }
                else if (under(dependency, BACKUP_INTERNAL))
                {
                    final String other = dependency.substring(BACKUP_INTERNAL.length() + 1).split("\\.")[0];
                    if (!other.equals(area) && !layers.get(area).contains(other))
                    {
                        violations.add(source.file + " (" + area + ") uses " + dependency + " (" + other + ")");
                    }
                }
            }
        }
        assertEquals(List.of(), violations, "backup's internal layers: format and source, then repository and crypto");
    }

    @Test
    void toolsDependOnNoBenchmarkOrHarness()
    {
        // tools may use examples: the operator CLI knows the example's codecs (Codecs)
        assertNoUse("tools", d -> under(d, BENCH) || under(d, HARNESS));
    }

    /**
     * Replicas sit on the engine (each node embeds an Engram, docs/replication.md): nothing below uses them, backup
     * neither, and they use no tool, benchmark, harness or example; their internals are theirs alone.
     */
    @Test
    void replicaIsUsedByNoLowerModuleAndUsesNoTool()
    {
        for (final String module : List.of("journal", "recovery", "engine", "backup"))
        {
            assertNoUse(module, d -> under(d, REPLICA));
        }
        assertNoUse("replica", d -> under(d, TOOLS) || under(d, BACKUP) || notALibrary(d));
        for (final String module : MODULES)
        {
            if (!module.equals("replica"))
            {
                assertNoUse(module, d -> under(d, REPLICA_INTERNAL));
            }
        }
    }

    @Test
    void librariesDoNotUseTestSupport()
    {
        for (final String module : LIBRARIES)
        {
            assertNoUse(module, d -> under(d, TEST_SUPPORT));
        }
    }

    @Test
    void onlyRecoveryUsesRecoveryInternals()
    {
        for (final String module : MODULES)
        {
            if (!module.equals("recovery"))
            {
                assertNoUse(module, d -> under(d, RECOVERY_INTERNAL) && !INTERNAL_USE_ALLOWED.containsKey(d));
            }
        }
    }

    /**
     * The journal's internals (file mapping, directory locking, cycle files, the scanner) are what recovery builds
     * its checkpoints and replay on, and engine shares its UTF-8 helpers: library modules above the journal may use
     * them, since all libraries are built and released together at one version, so an internal change and its users
     * change in the same commit. Benchmarks, harnesses, examples and test support are written against the API.
     */
    @Test
    void onlyLibrariesUseJournalInternals()
    {
        for (final String module : MODULES)
        {
            if (!LIBRARIES.contains(module))
            {
                assertNoUse(module, d -> under(d, JOURNAL_INTERNAL));
            }
        }
    }

    @Test
    void recoveryInternalsFollowTheirLayers()
    {
        final List<String> violations = new ArrayList<>();
        for (final Source source : sources("recovery"))
        {
            if (!source.pkg.startsWith(RECOVERY_INTERNAL + "."))
            {
                continue;
            }
            final String area = area(source.pkg);
            final Set<String> allowed = RECOVERY_LAYERS.getOrDefault(area, Set.of());
            for (final String dependency : source.dependencies)
            {
                if (RECOVERY_ENTRY_POINTS.contains(dependency))
                {
                    violations.add(source.file + " uses the entry point " + dependency);
                }
                else if (under(dependency, RECOVERY_INTERNAL))
                {
                    final String other = area(dependency);
                    if (!other.equals(area) && !allowed.contains(other))
                    {
                        violations.add(source.file + " (" + area + ") uses " + dependency + " (" + other + ")");
                    }
                }
            }
        }
        assertEquals(List.of(), violations, "recovery's internal layers, lowest first: checkpoint and concurrent, " +
            "overlay, ordered, chain, history, procedure; a package uses only those below it");
    }

    private static void assertNoUse(final String module, final Predicate<String> forbidden)
    {
        final List<String> violations = new ArrayList<>();
        for (final Source source : sources(module))
        {
            for (final String dependency : source.dependencies)
            {
                if (forbidden.test(dependency))
                {
                    violations.add(source.file + " uses " + dependency);
                }
            }
        }
        assertEquals(List.of(), violations, "module " + module + " depends on what it must not");
    }

    /** Benchmarks, harnesses and examples: built on the libraries, never used by them. */
    private static boolean notALibrary(final String name)
    {
        return under(name, BENCH) || under(name, HARNESS) || under(name, EXAMPLES);
    }

    private static boolean under(final String name, final String pkg)
    {
        return name.equals(pkg) || name.startsWith(pkg + ".");
    }

    /** {@code dev.engram.recovery.internal.chain[.Type]} to {@code chain}. */
    private static String area(final String name)
    {
        final String rest = name.substring(RECOVERY_INTERNAL.length() + 1);
        final int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    private static List<Source> sources(final String module)
    {
        final Path root = ROOT.resolve(module).resolve("src/main/java");
        if (!Files.isDirectory(root))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root))
        {
            return files.filter(p -> p.toString().endsWith(".java")).sorted()
                .map(p -> Source.read(ROOT.relativize(p), p))
                .toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * One source file: its package and the {@code dev.engram} types or packages its code names.
     */
    private record Source(Path file, String pkg, Set<String> dependencies)
    {
        static Source read(final Path name, final Path file)
        {
            final String text;
            try
            {
                text = Files.readString(file);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            final Matcher pkg = PACKAGE.matcher(text);
            final String pkgName = pkg.find() ? pkg.group(1) : "";
            final String code = withoutCommentsAndStrings(text);
            final String body = IMPORT.matcher(code).replaceAll("");
            final Set<String> dependencies = new TreeSet<>();
            final Matcher imports = IMPORT.matcher(code);
            while (imports.find())
            {
                final String imported = imports.group(2);
                if (!imported.startsWith("dev.engram."))
                {
                    continue;
                }
                final boolean wildcard = imports.group(3) != null;
                final String type = typeOf(imported);
                final String simple = imports.group(1) != null || wildcard ? null :
                    type.substring(type.lastIndexOf('.') + 1);
                if (simple == null || Pattern.compile("\\b" + simple + "\\b").matcher(body).find())
                {
                    dependencies.add(type);
                }
            }
            final Matcher qualified = QUALIFIED.matcher(body);
            while (qualified.find())
            {
                dependencies.add(qualified.group());
            }
            dependencies.removeIf(d -> d.equals(pkgName) || (d.startsWith(pkgName + ".") &&
                Character.isUpperCase(d.charAt(pkgName.length() + 1))));
            return new Source(name, pkgName, dependencies);
        }

        /** {@code a.b.Type.member} or {@code a.b.Type.Nested} to {@code a.b.Type}; a package stays itself. */
        private static String typeOf(final String name)
        {
            final String[] parts = name.split("\\.");
            final StringBuilder type = new StringBuilder();
            for (final String part : parts)
            {
                if (type.length() > 0)
                {
                    type.append('.');
                }
                type.append(part);
                if (Character.isUpperCase(part.charAt(0)))
                {
                    break;
                }
            }
            return type.toString();
        }

        /**
         * Comments become a space; string, text block and char literals become {@code ""}. One pass, so a "//" in a
         * string is no comment.
         */
        private static String withoutCommentsAndStrings(final String text)
        {
            final StringBuilder code = new StringBuilder(text.length());
            int i = 0;
            while (i < text.length())
            {
                final char c = text.charAt(i);
                if (text.startsWith("/*", i))
                {
                    final int end = text.indexOf("*/", i + 2);
                    i = end < 0 ? text.length() : end + 2;
                    code.append(' ');
                }
                else if (text.startsWith("//", i))
                {
                    final int end = text.indexOf('\n', i);
                    i = end < 0 ? text.length() : end;
                }
                else if (text.startsWith("\"\"\"", i))
                {
                    final int end = text.indexOf("\"\"\"", i + 3);
                    i = end < 0 ? text.length() : end + 3;
                    code.append("\"\"");
                }
                else if (c == '"' || c == '\'')
                {
                    i++;
                    while (i < text.length() && text.charAt(i) != c && text.charAt(i) != '\n')
                    {
                        i += text.charAt(i) == '\\' ? 2 : 1;
                    }
                    i++;
                    code.append("\"\"");
                }
                else
                {
                    code.append(c);
                    i++;
                }
            }
            return code.toString();
        }
    }
}
