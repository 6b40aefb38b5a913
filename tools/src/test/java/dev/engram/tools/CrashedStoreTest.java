package dev.engram.tools;

import dev.engram.engine.Engram;
import dev.engram.journal.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The read-only commands on a store whose process was killed with SIGKILL while appending: they all run, change no
 * file and create none (no lock, no temp file); the next normal open (here {@code engram checkpoint}) recovers it.
 */
class CrashedStoreTest
{
    @TempDir
    Path work;

    /** The child: the reference content, then appends until it is killed. */
    public static final class AppendUntilKilled
    {
        public static void main(final String[] args) throws Exception
        {
            try (Engram engram = Engram.open(Path.of(args[0]), TestStores.context()))
            {
                TestStores.fill(engram);
                Files.writeString(Path.of(args[1]), "ready", StandardCharsets.UTF_8);
                final byte[] value = new byte[300];
                for (long i = 0; ; i++)
                {
                    value[(int)(i % value.length)]++;
                    engram.delta().put("loop/" + (i % 1000), value).commit();
                }
            }
        }
    }

    @Test
    void readOnlyCommandsShouldWorkAndChangeNothingOnAStoreLeftByAKill() throws Exception
    {
        final Path store = work.resolve("store");
        final Path ready = work.resolve("ready");
        try (ChildJvm child = ChildJvm.builder(AppendUntilKilled.class).args(store, ready)
            .stdout(work.resolve("child.out")).stderr(work.resolve("child.err")).start())
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (!Files.exists(ready) && child.isAlive() && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
                Thread.yield();
            }
            assertTrue(Files.exists(ready), child::describe);
            assertEquals(ChildJvm.SIGKILL_EXIT_VALUE, child.killHard(30, TimeUnit.SECONDS), child::describe);
        }
        assertFalse(Files.exists(store.resolve("clean-shutdown")));
        final var before = TestStores.fingerprint(store);
        for (final List<Object> command : List.of(List.<Object>of("info", store), List.<Object>of("verify", store),
            List.<Object>of("get", store, "k/0"), List.<Object>of("history", store, "k/1"), List.<Object>of("tags", store),
            List.<Object>of("diff", store, TestStores.FIRST_DELTA_VERSION, TestStores.LAST_VERSION),
            List.<Object>of("dump-journal", store, "--from", TestStores.LAST_VERSION)))
        {
            final CliRun run = CliRun.of(command.toArray());
            assertEquals(0, run.exit(), () -> command + ": " + run);
            assertEquals(before, TestStores.fingerprint(store), () -> command + " changed or created a file");
        }
        assertEquals("value-0-v4", CliRun.of("get", store, "k/0").out().strip());
        assertTrue(CliRun.of("info", store).out().contains("closed cleanly no"));

        final CliRun checkpoint = CliRun.of("checkpoint", store);
        assertEquals(0, checkpoint.exit(), checkpoint::toString);
        final CliRun verify = CliRun.of("verify", store);
        assertEquals(0, verify.exit(), verify::toString);
        assertFalse(verify.out().contains("torn tail"), verify.out());
    }
}
