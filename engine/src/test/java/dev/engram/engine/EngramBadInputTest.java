package dev.engram.engine;

import dev.engram.recovery.VersionUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad arguments get an exception that says what was wrong, before anything is used, and the engine stays
 * usable afterwards.
 */
class EngramBadInputTest
{
    @TempDir
    Path dir;

    private static void assertRefused(final Class<? extends Throwable> type, final String expected, final Executable call)
    {
        final Throwable ex = assertThrows(type, call);
        assertTrue(ex.getMessage() != null && ex.getMessage().contains(expected), "message should say '" + expected +
            "': " + ex.getMessage());
    }

    @Test
    void shouldRefuseBadArgumentsWithAClearMessageAndStayUsable()
    {
        final EngramContext ctx = new EngramContext();
        ctx.state().snapshotIndex(false);
        try (Engram engram = Engram.open(dir, ctx))
        {
            final long v = engram.delta().put("k", new byte[] {1}).commit();
            assertTrue(engram.awaitApplied(v, 60, TimeUnit.SECONDS));

            assertRefused(IllegalArgumentException.class, "key must not be null", () -> engram.get(null));
            assertRefused(IllegalArgumentException.class, "prefix must not be null", () -> engram.keys(null));
            assertRefused(IllegalArgumentException.class, "consumer must not be null", () -> engram.forEach("", null));
            assertRefused(IllegalArgumentException.class, "history key must not be null", () -> engram.history(null));
            assertRefused(IllegalArgumentException.class, "tag name must not be null", () -> engram.tag(null, v));
            assertRefused(IllegalArgumentException.class, "patchOffset=2147483648",
                () -> engram.delta().patch("k", 2147483648L, new byte[1]));
            assertRefused(IllegalArgumentException.class, "patchOffset=" + Long.MAX_VALUE,
                () -> engram.delta().patch("k", Long.MAX_VALUE, new byte[1]));
            final VersionUnavailableException future = assertThrows(VersionUnavailableException.class,
                () -> engram.stateAt(v + 1000));
            assertTrue(future.getMessage().contains("newer than the journal's written version"), future.getMessage());
            assertFalse(future.getMessage().contains("removed by retention"), future.getMessage());

            // the rest of the façade's arguments (issue 12): each names the argument and its limit
            assertRefused(IllegalArgumentException.class, "key must be 1..65535 UTF-8 bytes: length=0", () -> engram.history(""));
            assertRefused(IllegalArgumentException.class, "tag name must not be empty", () -> engram.tag("", v));
            assertRefused(IllegalArgumentException.class, "cannot tag version=-1: versions are 0.." + v, () -> engram.tag("t", -1));
            assertRefused(IllegalArgumentException.class, "cannot tag version=" + (v + 5) + ": versions are 0.." + v,
                () -> engram.tag("t", v + 5));
            assertRefused(IllegalArgumentException.class, "tag name must not be null", () -> engram.versionOfTag(null));
            assertRefused(IllegalArgumentException.class, "instant must not be null", () -> engram.stateAt((java.time.Instant)null));
            assertRefused(IllegalArgumentException.class, "type must not be null", () -> engram.get("k", (Class<?>)null));
            assertRefused(IllegalArgumentException.class, "unit must not be null", () -> engram.awaitApplied(v, 1, null));
            assertRefused(IllegalArgumentException.class, "key must not be null", () -> engram.contains(null));
            assertRefused(IllegalArgumentException.class, "prefix must not be null", () -> engram.forEach(null, (k, b) -> { }));
            final VersionUnavailableException diffFuture = assertThrows(VersionUnavailableException.class,
                () -> engram.diff(v, v + 1000));
            assertTrue(diffFuture.getMessage().contains("newer than the journal's written version=" + v), diffFuture.getMessage());
            final VersionUnavailableException negative = assertThrows(VersionUnavailableException.class,
                () -> engram.stateAt(-1));
            assertTrue(negative.getMessage().contains("versions are 0 or more"), negative.getMessage());

            final long next = engram.delta().put("k", new byte[] {2}).commit();
            assertEquals(v + 1, next, "refused calls used no version");
            assertTrue(engram.awaitApplied(next, 60, TimeUnit.SECONDS));
            assertArrayEquals(new byte[] {2}, engram.get("k"));
        }
    }
}
