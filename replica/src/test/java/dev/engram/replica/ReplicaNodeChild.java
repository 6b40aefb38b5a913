package dev.engram.replica;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One node of {@link ReplicaKillTest}'s group in its own JVM. Args: groupId nodeId directory controlDirectory
 * id=host:port (every peer). While it leads and {@code control/stop-writes} is absent it commits deltas one after
 * another and prints {@code ACK <key> <version>} for each acknowledged one; once {@code stop-writes} exists its leader
 * commits {@code final} and prints {@code FINAL <version>}; every 50 ms it prints {@code AT <replicated version>};
 * {@code control/exit} closes it (exit 0).
 */
public final class ReplicaNodeChild
{
    private ReplicaNodeChild()
    {
    }

    public static void main(final String[] args)
    {
        final ReplicaSettings settings = new ReplicaSettings().groupId(UUID.fromString(args[0])).nodeId(args[1])
            .directory(Path.of(args[2])).electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600))
            .requestTimeout(Duration.ofSeconds(5))
            // the test compares every version's history on every node: keep it all (without a window, retention
            // removes journal cycle files checkpoints cover, and five-minute cycles roll inside a run)
            .engramContext(ReplicaGroup::wholeHistory);
        final Path control = Path.of(args[3]);
        for (int i = 4; i < args.length; i++)
        {
            final int eq = args[i].indexOf('=');
            settings.peer(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        final String incarnation = args[1] + "-" + ProcessHandle.current().pid();
        try (ReplicatedEngram node = ReplicatedEngram.open(settings))
        {
            say("OPEN " + args[1]);
            long i = 0;
            boolean finalDone = false;
            long nextAt = 0;
            while (!Files.exists(control.resolve("exit")))
            {
                final boolean stop = Files.exists(control.resolve("stop-writes"));
                if (node.isLeader() && !(stop && finalDone))
                {
                    final String key = stop ? "final" : "k/" + incarnation + "/" + i;
                    try
                    {
                        final long v = node.commit(node.newDelta().put(key, ReplicatedEngramTest.value(key))
                            .put("last", key.getBytes(StandardCharsets.UTF_8)));
                        if (stop)
                        {
                            say("FINAL " + v);
                            finalDone = true;
                        }
                        else
                        {
                            say("ACK " + key + " " + v);
                            i++;
                        }
                    }
                    catch (final ReplicationException e)
                    {
                        say("FAIL " + e.mayHaveCommitted() + " " + e.getMessage().replace('\n', ' '));
                    }
                }
                else
                {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
                if (System.nanoTime() > nextAt)
                {
                    say("AT " + node.replicatedVersion() + " " + node.appliedVersion());
                    nextAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
                }
            }
        }
        say("CLOSED " + args[1]);
    }

    private static void say(final String line)
    {
        System.out.println(line);
        System.out.flush();
    }
}
