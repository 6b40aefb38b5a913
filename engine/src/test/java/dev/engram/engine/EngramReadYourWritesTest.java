package dev.engram.engine;

import dev.engram.journal.SyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Read-your-writes by default (issue 14): a thread's read right after its own {@code commit()} sees that commit,
 * without an {@code awaitApplied} — also right after a reopen, while the journal's queue still opens in the
 * background (the window in which a read used to return null for ~1 s).
 */
class EngramReadYourWritesTest
{
    @TempDir
    Path dir;

    private static EngramContext ctx()
    {
        final EngramContext ctx = new EngramContext().syncPolicy(SyncPolicy.PERIODIC).syncIntervalMs(50)
            .checkpointIntervalMs(0);
        ctx.state().snapshotIndex(false);
        return ctx;
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldSeeItsOwnCommitInTheNextRead()
    {
        try (Engram engram = Engram.open(dir, ctx()))
        {
            for (int i = 0; i < 20_000; i++)
            {
                final String key = "user/" + i;
                engram.delta().put(key, bytes("v" + i)).commit();
                assertArrayEquals(bytes("v" + i), engram.get(key), key);
                engram.delta().put("counter", String.valueOf(i)).commit();
                assertEquals(String.valueOf(i), engram.get("counter", String.class));
                if (i % 1000 == 0)
                {
                    engram.delta().delete(key).commit();
                    assertFalse(engram.contains(key), key);
                }
            }
            assertEquals(19_980, engram.keys("user/").size(), "forEach sees every own commit too");
        }
    }

    @Test
    void shouldSeeItsOwnCommitRightAfterAReopen()
    {
        try (Engram engram = Engram.open(dir, ctx()))
        {
            for (int i = 0; i < 3000; i++)
            {
                engram.delta().put("k/" + i, bytes("old")).commit();
            }
        }
        for (int round = 0; round < 3; round++)
        {
            try (Engram engram = Engram.open(dir, ctx()))
            {
                // the journal's queue opens in the background after open() returned: the commit waits in the ring
                final long v = engram.delta().put("k/" + round, bytes("new" + round)).commit();
                assertArrayEquals(bytes("new" + round), engram.get("k/" + round), "version " + v);
                assertTrue(engram.appliedVersion() >= v);
            }
        }
    }

    @Test
    void shouldNotWaitWhenTurnedOff()
    {
        try (Engram engram = Engram.open(dir, ctx().readYourWrites(false)))
        {
            final long v = engram.delta().put("k", bytes("v")).commit();
            engram.get("k");   // may or may not see it: no wait, no failure
            assertTrue(engram.awaitApplied(v, 60, java.util.concurrent.TimeUnit.SECONDS));
            assertArrayEquals(bytes("v"), engram.get("k"));
        }
        assertThrows(IllegalArgumentException.class, () -> new EngramContext().readYourWritesTimeoutMs(0));
    }
}
