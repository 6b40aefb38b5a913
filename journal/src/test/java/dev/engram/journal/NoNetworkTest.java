package dev.engram.journal;

import dev.engram.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The journal never touches the network and prints nothing: Chronicle's usage analytics are excluded from
 * the build and switched off by {@link Journal#open(JournalContext)} itself, and its banner is silenced.
 * <p>
 * The real check runs in a child JVM ({@link NoNetworkChild}) started WITHOUT the build's
 * {@code -Dchronicle.*} properties (so only Engram's own code can switch analytics and the banner off),
 * with a security manager that records and refuses every connect, DNS lookup, listen and accept, and
 * with {@code user.home} pointing at an empty directory (Chronicle's analytics wrote
 * {@code ~/.chronicle.analytics.*} there). A control run proves the recorder sees a connect and a lookup.
 * On failure the child's files are kept and their path printed.
 */
class NoNetworkTest
{
    private static final String ANALYTICS_CLASS = "net.openhft.chronicle.analytics.Analytics";

    @Test
    void shouldMakeNoNetworkAttemptAndPrintNothingWhenJournalOpensAppendsReplaysAndCloses() throws Exception
    {
        final Set<String> realHomeChronicleFilesBefore = chronicleFilesIn(Path.of(System.getProperty("user.home")));
        final ChildRun run = runChild("workload");
        try
        {
            assertEquals(0, run.exitValue, () -> "child failed: " + run.describe());
            assertEquals(List.of(), run.attempts, () -> "network attempts recorded: " + run.describe());

            final List<String> stdout = run.stdout.lines().collect(Collectors.toList());
            assertEquals(1, stdout.size(), () -> "stdout must hold only the child's own summary line, found:\n" + run.stdout);
            final String summary = stdout.get(0);
            assertTrue(summary.startsWith(NoNetworkChild.STDOUT_PREFIX + " versions=" + 2 * NoNetworkChild.DELTAS_PER_PRODUCER + " "),
                () -> "unexpected stdout: " + summary);
            assertTrue(summary.contains(" analyticsBefore=null analyticsAfterOpen=true"),
                () -> "Journal.open must set chronicle.analytics.disable=true itself: " + summary);
            assertTrue(summary.contains(" announcerBefore=null announcerAfterOpen=true"),
                () -> "Journal.open must set chronicle.announcer.disable=true itself: " + summary);

            final List<Path> homeEntries;
            try (Stream<Path> files = Files.walk(run.home))
            {
                homeEntries = files.filter(p -> !p.equals(run.home)).collect(Collectors.toList());
            }
            assertEquals(List.of(), homeEntries.stream().filter(p -> p.getFileName().toString().startsWith(".chronicle"))
                .collect(Collectors.toList()), "Chronicle analytics files written into user.home");
            // JNA (loaded by Chronicle's posix layer) creates the empty directory ~/.cache/JNA/temp; files are not allowed
            assertEquals(List.of(), homeEntries.stream().filter(Files::isRegularFile).collect(Collectors.toList()),
                "files written into user.home");
            assertEquals(realHomeChronicleFilesBefore, chronicleFilesIn(Path.of(System.getProperty("user.home"))),
                "new ~/.chronicle* files appeared in the real home directory");
            System.out.println("NoNetworkTest: " + summary + "; no network attempt; directories created in user.home: " +
                homeEntries + "; child stderr:\n" + run.stderr);
        }
        catch (final Throwable ex)
        {
            System.out.println("NoNetworkTest FAILED: child files kept at " + run.root);
            throw ex;
        }
        JournalCrashTest.deleteRecursively(run.root);
    }

    @Test
    void shouldRecordConnectAndLookupWhenChildReachesForTheNetwork() throws Exception
    {
        final ChildRun run = runChild("control");
        try
        {
            assertEquals(0, run.exitValue, () -> "control child failed: " + run.describe());
            assertEquals(NoNetworkChild.STDOUT_PREFIX + " control refused=2", run.stdout.strip(), run::describe);
            assertEquals(2, run.attempts.size(), run::describe);
            assertTrue(run.attempts.get(0).startsWith("connect host=127.0.0.1 port=9 "), run::describe);
            assertTrue(run.attempts.get(1).startsWith("resolve host=engram-no-network-control.invalid "), run::describe);
        }
        catch (final Throwable ex)
        {
            System.out.println("NoNetworkTest FAILED: child files kept at " + run.root);
            throw ex;
        }
        JournalCrashTest.deleteRecursively(run.root);
    }

    @Test
    void shouldKeepChronicleAnalyticsOffTheClassPathWhenBuilt()
    {
        final ClassLoader loader = getClass().getClassLoader();
        assertThrows(ClassNotFoundException.class, () -> Class.forName(ANALYTICS_CLASS, false, loader),
            "chronicle-analytics must be excluded from the build");
        assertNull(loader.getResource(ANALYTICS_CLASS.replace('.', '/') + ".class"));
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            assertFalse(Path.of(entry).getFileName().toString().startsWith("chronicle-analytics"),
                () -> "chronicle-analytics on the test class path: " + entry);
        }
    }

    /**
     * In this JVM surefire already passes the property on the command line; the child-JVM test above is the
     * check that Journal.open sets it by itself.
     */
    @Test
    void shouldDisableAnalyticsWhenJournalOpens(@TempDir final Path dir)
    {
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir)))
        {
            assertEquals("true", System.getProperty(EngramSystemProperties.ANALYTICS_DISABLE));
            assertFalse(journal.isClosed());
        }
        assertEquals("true", System.getProperty(EngramSystemProperties.ANALYTICS_DISABLE));
    }

    private static ChildRun runChild(final String mode) throws Exception
    {
        // JDK 24 removed the ability to install a security manager (JEP 486): the recorder needs JDK 17-23
        assumeTrue(Runtime.version().feature() < 24,
            "NoNetworkChild's recorder needs a security manager, which JDK " + Runtime.version().feature() + " cannot install");
        final Path base = Path.of(System.getProperty("basedir", "."), "target", "no-network-data");
        Files.createDirectories(base);
        final Path root = Files.createTempDirectory(base, mode + "-");
        final Path home = Files.createDirectories(root.resolve("home"));
        final Path attemptsFile = root.resolve("network-attempts.txt");
        try (ChildJvm child = ChildJvm.builder(NoNetworkChild.class)
            // the child gets the build's --add-opens/--add-exports but none of its -Dchronicle.* properties
            .flagFilter(flag -> !flag.startsWith("-Dchronicle."))
            .jvmArg("-Djava.security.manager=allow")
            .jvmArg("-Duser.home=" + home)
            .jvmArg("-Xmx256m")
            .args(mode, root.resolve("journal"), attemptsFile)
            .stdout(root.resolve("stdout.txt"))
            .stderr(root.resolve("stderr.txt"))
            .start())
        {
            assertTrue(child.command().stream().noneMatch(arg -> arg.startsWith("-Dchronicle.")), () -> "" + child.command());
            final int exitValue = child.awaitExit(120, TimeUnit.SECONDS);
            final List<String> attempts = Files.exists(attemptsFile) ?
                Files.readAllLines(attemptsFile, StandardCharsets.UTF_8) : List.of("<no attempts file: the child did not finish>");
            return new ChildRun(root, home, exitValue, attempts, child.stdoutText(), child.stderrText());
        }
    }

    private static Set<String> chronicleFilesIn(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".chronicle"))
                .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private record ChildRun(Path root, Path home, int exitValue, List<String> attempts, String stdout, String stderr)
    {
        String describe()
        {
            return "exitValue=" + exitValue + " attempts=" + attempts + " files=" + root + "\n--- stdout ---\n" + stdout +
                "--- stderr ---\n" + stderr;
        }
    }
}
