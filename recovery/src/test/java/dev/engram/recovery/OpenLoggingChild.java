package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.DeltaFrameDescriptor;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM of {@link OpenLoggingTest}: SLF4J (slf4j-simple, the test binding) logs to stdout; opens a new store,
 * appends a frame the engine cannot apply, and reopens it.
 */
public final class OpenLoggingChild
{
    public static void main(final String[] args) throws Exception
    {
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.out");
        System.setProperty("org.slf4j.simpleLogger.log.dev.engram", "info");   // the tests default to warn
        final Path dir = Path.of(args[0]);
        final StateContext ctx = new StateContext().directory(dir).background(false).snapshotIndex(false);
        try (StateStore store = StateStore.open(ctx))
        {
            final Delta delta = store.journal().newDelta();
            store.journal().append(delta.clear().put("ok", "1".getBytes(StandardCharsets.UTF_8)));
            final long v = store.journal().append(StateQuarantineTest.forgeLastPatchOffset(
                delta.clear().patch("bad", 0, "x".getBytes(StandardCharsets.UTF_8)), DeltaFrameDescriptor.MAX_VALUE_LENGTH));
            if (!store.awaitApplied(v, 60, TimeUnit.SECONDS))
            {
                throw new IllegalStateException("not applied: " + v);
            }
        }
        try (StateStore store = StateStore.open(ctx))
        {
            System.out.println("reopened at version=" + store.recoveryReport().recoveredVersion());
        }
    }
}
