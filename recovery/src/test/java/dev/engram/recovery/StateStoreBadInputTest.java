package dev.engram.recovery;

import dev.engram.journal.Delta;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad arguments to the state store's own API (issue 12: {@code untag(null)}, {@code versionOfTag(null)},
 * {@code stateAt((Instant)null)}, {@code read(key, null)} and {@code get(key, null, 0)} were bare
 * NullPointerExceptions; a {@code dst} too small an IndexOutOfBoundsException from inside the read) get an
 * IllegalArgumentException naming the argument and its limit, use no version, and leave the store usable.
 */
class StateStoreBadInputTest
{
    @TempDir
    Path dir;

    private static void assertRefused(final String expected, final Executable call)
    {
        final Throwable ex = assertThrows(IllegalArgumentException.class, call);
        assertTrue(ex.getMessage() != null && ex.getMessage().contains(expected),
            () -> "message should say '" + expected + "': " + ex.getMessage());
    }

    private static void assertUnavailable(final String expected, final Executable call)
    {
        final VersionUnavailableException ex = assertThrows(VersionUnavailableException.class, call);
        assertTrue(ex.getMessage().contains(expected), () -> "message should say '" + expected + "': " + ex.getMessage());
        assertFalse(ex.getMessage().contains("retention"), ex.getMessage());
    }

    @Test
    void shouldRefuseEachBadArgumentNamingItsLimitAndStayUsable()
    {
        try (StateStore store = StateStore.open(new StateContext().directory(dir).background(false).snapshotIndex(false)))
        {
            final Delta delta = store.journal().newDelta();
            final long v = store.journal().append(delta.put("k", new byte[] {1, 2, 3}));
            assertTrue(store.awaitApplied(v, 60, TimeUnit.SECONDS));

            // history
            assertRefused("history key must not be null", () -> store.history(null));
            assertRefused("key must be 1..65535 UTF-8 bytes: length=0", () -> store.history(""));
            assertRefused("key must be 1..65535 UTF-8 bytes: length=65536", () -> store.history("x".repeat(65536)));
            assertRefused("fromVersion=10 toVersion=5", () -> store.history("k", 10, 5));
            // tags
            assertRefused("tag name must not be null", () -> store.tag(null, v));
            assertRefused("tag name must not be empty", () -> store.tag("", v));
            assertRefused("cannot tag version=-1: versions are 0.." + v, () -> store.tag("t", -1));
            assertRefused("cannot tag version=" + (v + 1000) + ": versions are 0.." + v, () -> store.tag("t", v + 1000));
            assertRefused("tag name must not be null", () -> store.untag(null));
            assertRefused("tag name must not be null", () -> store.versionOfTag(null));
            assertRefused("no tag name=missing", () -> store.versionOfTag("missing"));
            // past states
            assertUnavailable("versions are 0 or more", () -> store.stateAt(-1));
            assertUnavailable("newer than the journal's written version=" + v, () -> store.stateAt(v + 1000));
            assertUnavailable("newer than the journal's written version=" + v, () -> store.stateAt(Long.MAX_VALUE));
            assertRefused("instant must not be null", () -> store.stateAt((java.time.Instant)null));
            assertUnavailable("newer than the journal's written version=" + v, () -> store.diff(v, v + 1000));
            assertRefused("unit must not be null", () -> store.awaitApplied(v, 1, null));
            // reads
            try (StateReader reader = store.newReader())
            {
                assertRefused("key must not be null", () -> reader.get(null));
                assertRefused("key must not be null", () -> reader.contains(null));
                assertRefused("prefix must not be null", () -> reader.forEach(null, (k, ko, kl, b, o, l) -> { }));
                assertRefused("consumer must not be null", () -> reader.forEach("", null));
                assertRefused("value reader must not be null", () -> reader.read("k", null));
                assertRefused("keyBuffer must not be null", () -> reader.read(null, 0, 1, (b, o, l) -> l));
                assertRefused("keyLength=0) must be 1..65535 bytes", () -> reader.read(new UnsafeBuffer(new byte[4]), 0, 0,
                    (b, o, l) -> l));
                assertRefused("keyOffset=3, keyLength=2) must be 1..65535 bytes inside the keyBuffer (capacity 4)",
                    () -> reader.read(new UnsafeBuffer(new byte[4]), 3, 2, (b, o, l) -> l));
                assertRefused("dst buffer must not be null", () -> reader.get("k", null, 0));
                assertRefused("dstOffset=-1 must be in [0, 8]", () -> reader.get("k", new UnsafeBuffer(new byte[8]), -1));
                assertRefused("dstOffset=9 must be in [0, 8]", () -> reader.get("k", new UnsafeBuffer(new byte[8]), 9));
                assertRefused("is 3 bytes but the dst buffer holds 2 from dstOffset=6",
                    () -> reader.get("k", new UnsafeBuffer(new byte[8]), 6));
                final UnsafeBuffer fits = new UnsafeBuffer(new byte[8]);
                assertEquals(3, reader.get("k", fits, 5));
                assertEquals(3, fits.getByte(7));
            }

            // nothing used a version; the store goes on
            final long next = store.journal().append(delta.put("k", new byte[] {9}));
            assertEquals(v + 1, next);
            assertTrue(store.awaitApplied(next, 60, TimeUnit.SECONDS));
            store.tag("t", next);
            assertEquals(next, store.versionOfTag("t"));
            try (StateReader reader = store.newReader())
            {
                assertArrayEquals(new byte[] {9}, reader.get("k"));
            }
            try (StateSnapshot snapshot = store.stateAt(v))
            {
                assertEquals(v, snapshot.version());
            }
        }
    }
}
