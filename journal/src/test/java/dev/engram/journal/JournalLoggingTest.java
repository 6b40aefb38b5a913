package dev.engram.journal;

import dev.engram.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A full ring is logged (WARN, at most every 10 s), naming the journal directory and, while it is so, that the
 * Chronicle queue is still opening; child JVM with slf4j-simple writing to stdout.
 */
class JournalLoggingTest
{
    @TempDir
    Path work;

    @Test
    void shouldWarnOnceWhenTheRingIsFull() throws Exception
    {
        final Path dir = work.resolve("journal");
        final String out = ChildJvm.runToCompletion(JournalLoggingChild.class, work, 300, dir.toString());
        assertTrue(out.contains("refused=48"), out);
        final String warn = "WARN dev.engram.journal.Journal - journal ring full in " + dir + ": producers are refused (FAIL_FAST)";
        assertTrue(out.contains(warn), out);
        assertTrue(out.contains("(its Chronicle queue is still opening)"), out);
        assertEquals(out.indexOf(warn), out.lastIndexOf(warn), "once, not per refused append: " + out);
    }
}
