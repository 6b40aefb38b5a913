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
    void shouldSeeItsOwnCommitWhileTheReopenedJournalsQueueIsStillShut()
    {
        try (Engram engram = Engram.open(dir, ctx()))
        {
            for (int i = 0; i < 3000; i++)
            {
                engram.delta().put("k/" + i, bytes("old")).commit();
            }
            // history reads the journal's queue, so this waits for it: the close then settles every file and the
            // reopen below takes the fast path (a close during the queue's cold start leaves a bridge to copy)
            try (EngramSnapshot snapshot = engram.stateAt(engram.lastAppendedVersion()))
            {
                assertArrayEquals(bytes("old"), snapshot.get("k/2999"));
            }
        }
        final EngramContext gated = ctx().readYourWritesTimeoutMs(60_000);
        final dev.engram.journal.QueueOpenGate gate = new dev.engram.journal.QueueOpenGate().holdOpensOf(gated.state().journal());
        try (Engram engram = Engram.open(dir, gated))
        {
            // the queue opens in the background (the fast path) and cannot open before the gate is released
            assertTrue(engram.recoveryReport().replayPath().startsWith("fast"), engram.recoveryReport().replayPath());
            try
            {
                // the queue's open is held: each commit is written to the journal's bridge file and applied from there
                for (int i = 0; i < 200; i++)
                {
                    engram.delta().put("k/" + i, bytes("new" + i)).patch("k/" + (i + 1), 1, bytes("P")).commit();
                    assertArrayEquals(bytes("new" + i), engram.get("k/" + i));
                    assertArrayEquals(bytes("oPd"), engram.get("k/" + (i + 1)), "the patch of version " + engram.lastAppendedVersion());
                    engram.delta().delete("k/" + (i + 2000)).commit();
                    assertFalse(engram.contains("k/" + (i + 2000)));
                }
            }
            finally
            {
                gate.release();
            }
            final long v = engram.delta().put("after", bytes("open")).commit();
            assertArrayEquals(bytes("open"), engram.get("after"), "version " + v);
        }
        try (Engram engram = Engram.open(dir, ctx()))
        {
            assertArrayEquals(bytes("new199"), engram.get("k/199"));
            assertArrayEquals(bytes("oPd"), engram.get("k/200"));
            assertFalse(engram.contains("k/2100"));
            assertArrayEquals(bytes("open"), engram.get("after"));
        }
    }

    @Test
    void shouldFindItsOwnLastCommitInHistory()
    {
        try (Engram engram = Engram.open(dir, ctx()))
        {
            for (int i = 1; i <= 50; i++)
            {
                // right after the commit, before the journal thread may have written it (a new directory's journal
                // is still in its cold start): history asked for it waits for it instead of refusing it as too new
                final long v = engram.delta().put("h", bytes("v" + i)).commit();
                try (EngramSnapshot snapshot = engram.stateAt(v))
                {
                    assertArrayEquals(bytes("v" + i), snapshot.get("h"), "version " + v);
                }
                final long w = engram.delta().put("h", bytes("w" + i)).commit();
                assertEquals(w, engram.history("h").changes().get(engram.history("h").changes().size() - 1).version());
                assertEquals(java.util.List.of("h"), engram.diff(v, w).changed());
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
