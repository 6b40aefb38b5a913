package dev.engram.examples;

import dev.engram.engine.Engram;
import dev.engram.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The README's embedding (issue 14): its {@code java} block under "## Embedding" is at most 20 lines, compiles
 * verbatim in a class that only adds the imports, runs in a JVM of its own and leaves a state a fresh open reads
 * back; and {@link Embedding20Lines}'s {@code main} is that block, line for line, so the docs cannot drift from
 * the program.
 */
class Embedding20LinesTest
{
    /** The module's base directory is the working directory of its tests. */
    private static final Path README = Path.of("../README.md");
    private static final Path EXAMPLE = Path.of("src/main/java/dev/engram/examples/Embedding20Lines.java");
    private static final String SECTION = "## Embedding";
    private static final String MAIN = "public static void main(final String[] args)";
    private static final int MAX_LINES = 20;

    /** What the block needs besides itself: its imports, and a class and a method around it. */
    private static final String TEMPLATE = """
        import dev.engram.engine.Engram;
        import dev.engram.engine.EngramContext;
        import dev.engram.engine.RecordCodec;
        import dev.engram.journal.SyncPolicy;

        import java.nio.file.Path;

        public final class ReadmeEmbedding {
            public static void main(String[] args) {
        %s    }
        }
        """;

    @Test
    void readmeBlockIsTheExampleMainLineForLine() throws Exception
    {
        final String readme = readmeBlock();
        final String example = SourceBlocks.methodBody(Files.readString(EXAMPLE, StandardCharsets.UTF_8), MAIN);
        assertEquals(readme, example, "the java block under '" + SECTION + "' in README.md and the body of " +
            "Embedding20Lines.main must be the same code: change both");
    }

    @Test
    void readmeBlockIsAtMostTwentyLines() throws Exception
    {
        final long lines = readmeBlock().lines().count();
        assertTrue(lines <= MAX_LINES, "README's embedding is " + lines + " lines, at most " + MAX_LINES);
    }

    @Test
    void readmeBlockCompilesAndRunsAndItsStateReopens(@TempDir final Path work) throws Exception
    {
        final Path classes = work.resolve("classes");
        SnippetCompiler.compile("ReadmeEmbedding", String.format(TEMPLATE, readmeBlock().indent(8)), classes);

        try (ChildJvm child = ChildJvm.builder(SnippetLauncher.class).name("readme-embedding")
            .args(classes, "ReadmeEmbedding").workingDirectory(work).logs(work, "readme-embedding").start())
        {
            assertEquals(0, child.awaitExit(5, TimeUnit.MINUTES), child::describe);
            assertEquals("version 1: User[name=ann, visits=1], weights[4096]=1", child.stdoutText().strip(),
                child::describe);
        }

        try (Engram engram = Engram.open(work.resolve("state")))      // the snippet's Path.of("state"), closed cleanly
        {
            assertEquals(2, engram.writtenVersion());
            assertTrue(engram.contains("user/42"));
            final byte[] expected = new byte[8192];
            System.arraycopy(new byte[] {1, 2, 3, 4}, 0, expected, 4096, 4);
            assertArrayEquals(expected, engram.get("weights/7"), "8 KiB of zeros, patched at 4096");
        }
    }

    private static String readmeBlock() throws Exception
    {
        return SourceBlocks.markdownBlock(Files.readString(README, StandardCharsets.UTF_8), SECTION, "java");
    }
}
