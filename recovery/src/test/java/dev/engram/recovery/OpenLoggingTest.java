package dev.engram.recovery;

import dev.engram.journal.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Logging (issue 14): SLF4J API only, the application's binding decides where it goes. One INFO line per open with
 * the recovery summary; a WARN for what an operator must know (here: a key quarantined while the store ran, and
 * again when the reopen's replay meets the frame). Run in a child JVM with slf4j-simple writing to stdout.
 */
class OpenLoggingTest
{
    @TempDir
    Path work;

    @Test
    void shouldLogEachOpenAndWarnAboutQuarantinedKeys() throws Exception
    {
        final Path dir = work.resolve("state");
        final String out = ChildJvm.runToCompletion(OpenLoggingChild.class, work, 300, dir.toString());
        assertTrue(out.contains("INFO dev.engram.recovery.StateStore - engram opened " + dir + ": new store, version=0"), out);
        assertTrue(out.contains("WARN dev.engram.recovery.internal.overlay.KeyQuarantine - key 'bad' quarantined"), out);
        assertTrue(out.contains("engram opened " + dir + ": clean shutdown, version=2"), out);
        assertTrue(out.contains("WARN dev.engram.recovery.StateStore - recovery in " + dir + " quarantined key 'bad'"), out);
        assertTrue(out.contains("reopened at version=2"), out);
    }
}
