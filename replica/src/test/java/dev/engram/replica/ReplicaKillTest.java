package dev.engram.replica;

import dev.engram.engine.Engram;
import dev.engram.testsupport.ChildJvm;
import dev.engram.testsupport.StdoutListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three nodes in three JVMs on 127.0.0.1. The leader, writing, is killed with SIGKILL: another node is elected and
 * writes, no acknowledged version is lost, the killed node restarts (Engram crash recovery, then its Raft log) and
 * catches up. Then the new leader is frozen with SIGSTOP: the other two elect a third, and once woken (SIGCONT) the
 * frozen one is a deposed leader whose pending write must not take a version. At the end every node's Engram, opened
 * on its own, holds the same versions (1..n, each once), the same state and every acknowledged write, and no version
 * was acknowledged twice.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReplicaKillTest
{
    private static final long WAIT_SECONDS = 90;

    @TempDir
    Path dir;

    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> at = new ConcurrentHashMap<>();
    private final AtomicLong finalVersion = new AtomicLong();
    private final Map<String, ChildJvm> children = new LinkedHashMap<>();

    @Test
    void killedLeaderIsReplacedFrozenLeaderIsDeposedAndNothingAcknowledgedIsLost() throws Exception
    {
        final UUID groupId = UUID.randomUUID();
        final Map<String, String> peers = new LinkedHashMap<>();
        for (final String id : List.of("n0", "n1", "n2"))
        {
            peers.put(id, "127.0.0.1:" + ReplicaGroup.freePort());
        }
        final Path control = Files.createDirectories(dir.resolve("control"));
        try
        {
            for (final String id : peers.keySet())
            {
                start(groupId, id, peers, control);
            }
            await("50 acknowledged writes", () -> acked.size() >= 50);
            final String leader = lastWriter();
            final long ackedBeforeKill = acked.size();
            final long killedAt = System.nanoTime();
            assertEquals(ChildJvm.SIGKILL_EXIT_VALUE, children.get(leader).killHard(30, TimeUnit.SECONDS));
            await("writes acknowledged by a new leader", () -> acked.keySet().stream()
                .anyMatch(k -> !k.startsWith("k/" + leader + "-")));
            final long failoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            System.out.println("leader " + leader + " killed after " + ackedBeforeKill + " acks; a new leader " +
                "acknowledged a write " + failoverMs + " ms later");
            final int afterKill = acked.size();
            await("50 more acknowledged writes", () -> acked.size() >= afterKill + 50);

            children.remove(leader).close();
            start(groupId, leader, peers, control);
            final long beforeStop = maxAcked();
            await("the killed node caught up", () -> at.get(leader).get() >= beforeStop);

            // the new leader frozen (SIGSTOP): the others elect a third; woken (SIGCONT), it is a deposed leader
            final String frozen = lastWriter();
            final long frozenAt = maxAcked();
            signal(children.get(frozen), "STOP");
            await("writes acknowledged by a leader elected while " + frozen + " was frozen", () -> acked.entrySet()
                .stream().anyMatch(e -> e.getValue() > frozenAt && !e.getKey().startsWith("k/" + frozen + "-")));
            signal(children.get(frozen), "CONT");
            final int afterThaw = acked.size();
            await("30 more acknowledged writes", () -> acked.size() >= afterThaw + 30);
            Files.createFile(control.resolve("stop-writes"));
            await("the final write", () -> finalVersion.get() > 0);
            final long last = finalVersion.get();
            await("every node at version " + last, () -> at.values().stream().allMatch(v -> v.get() >= last) &&
                at.size() == 3);
            Files.createFile(control.resolve("exit"));
            for (final ChildJvm child : children.values())
            {
                child.awaitCleanExit(WAIT_SECONDS, TimeUnit.SECONDS);
            }

            final List<Map<String, String>> states = new ArrayList<>();
            for (final String id : peers.keySet())
            {
                try (Engram engram = Engram.open(dir.resolve(id).resolve("engram")))
                {
                    assertEquals(last, engram.lastAppendedVersion(), id);
                    assertArrayEquals(LongStream.rangeClosed(1, last).toArray(), engram.history("last").versions(),
                        "versions on " + id + " are 1.." + last + ", each once");
                    for (final Map.Entry<String, Long> ack : acked.entrySet())
                    {
                        assertArrayEquals(ReplicatedEngramTest.value(ack.getKey()), engram.get(ack.getKey()),
                            "acknowledged " + ack + " on " + id);
                        assertEquals(ack.getValue(), engram.history(ack.getKey()).versions()[0], ack + " on " + id);
                    }
                    final Map<String, String> state = new TreeMap<>();
                    engram.forEach("k/", (k, v) -> state.put(k, new String(v, StandardCharsets.ISO_8859_1)));
                    states.add(state);
                }
            }
            assertEquals(acked.size(), acked.values().stream().distinct().count(), "no version acknowledged twice");
            assertEquals(states.get(0), states.get(1));
            assertEquals(states.get(0), states.get(2));
            assertTrue(states.get(0).size() >= acked.size());
        }
        finally
        {
            for (final ChildJvm child : children.values())
            {
                child.close();
            }
        }
    }

    private long maxAcked()
    {
        return acked.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    private static void signal(final ChildJvm child, final String signal) throws IOException, InterruptedException
    {
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).inheritIO().start();
        assertEquals(0, kill.waitFor(), "kill -" + signal + " " + child.pid());
    }

    private String lastWriter()
    {
        final long max = acked.values().stream().mapToLong(Long::longValue).max().orElseThrow();
        final String key = acked.entrySet().stream().filter(e -> e.getValue() == max).findFirst().orElseThrow().getKey();
        return key.substring(2, key.indexOf('-'));
    }

    private void start(final UUID groupId, final String id, final Map<String, String> peers, final Path control)
        throws IOException
    {
        final List<String> args = new ArrayList<>(List.of(groupId.toString(), id, dir.resolve(id).toString(),
            control.toString()));
        peers.forEach((peer, address) -> args.add(peer + "=" + address));
        at.put(id, new AtomicLong());
        final ChildJvm child = ChildJvm.builder(ReplicaNodeChild.class)
            .name(id)
            .jvmArg("-Xmx256m")
            .args(args)
            .logs(dir, id + "-" + System.nanoTime())
            .onStdout(new StdoutListener()
            {
                @Override
                public void line(final String line)
                {
                    final String[] parts = line.split(" ");
                    switch (parts[0])
                    {
                        case "ACK" -> acked.put(parts[1], Long.parseLong(parts[2]));
                        case "AT" -> at.get(id).set(Long.parseLong(parts[1]));
                        case "FINAL" -> finalVersion.set(Long.parseLong(parts[1]));
                        default ->
                        {
                        }
                    }
                }
            })
            .start();
        children.put(id, child);
    }

    private void await(final String what, final java.util.function.BooleanSupplier condition)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                final StringBuilder detail = new StringBuilder();
                children.forEach((id, c) -> detail.append('\n').append(c.describe()).append('\n').append(c.stderrTail()));
                throw new AssertionError("timed out after " + WAIT_SECONDS + " s waiting for " + what + "; acked=" +
                    acked.size() + " at=" + at + detail);
            }
            Thread.sleep(10);
        }
    }
}
