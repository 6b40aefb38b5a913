package dev.engram.harness.replica;

import dev.engram.engine.EngramContext;
import dev.engram.journal.Delta;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.replica.ReplicaSettings;
import dev.engram.replica.ReplicatedEngram;
import dev.engram.replica.ReplicationException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One node of the replica soak in its own JVM (the harness command {@value #COMMAND}; the soak generalises
 * {@code ReplicaKillTest}'s {@code ReplicaNodeChild}). Args: groupId nodeId directory controlDirectory writers
 * id=host:port (every peer). It opens its {@link ReplicatedEngram}; {@code writers} client threads write while it
 * leads, each one write ({@link SoakWrite}) after another, and report every write on stdout:
 * {@code START} when its JVM runs {@code main}, {@code OPEN <node>.<pid>} once the node is open, {@code SEND <key>} before it is proposed, then {@code ACK <key> <version>}, {@code FAIL <key> <detail>} (refused
 * before it reached the log) or {@code UNKNOWN <key> <detail>} (it may have reached the log). Every 50 ms it prints
 * {@code AT <replicated version> <leader 0|1> <term>}. {@code control/stop-writes} stops the writers
 * (it prints {@code IDLE} once every writer has its last outcome); {@code control/exit} closes the node (exit 0).
 */
public final class ReplicaSoakNode
{
    /** The harness command that runs a node. */
    public static final String COMMAND = "replica-soak-node";

    /** A history window larger than any soak writes. */
    private static final long KEEP_EVERY_VERSION = 1L << 50;

    private static volatile boolean stopWrites;
    private static volatile boolean exit;

    private ReplicaSoakNode()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        say("START");
        EngramSystemProperties.apply();
        final ReplicaSettings settings = new ReplicaSettings().groupId(UUID.fromString(args[0])).nodeId(args[1])
            .directory(Path.of(args[2])).electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600))
            .requestTimeout(Duration.ofSeconds(5))
            .engramContext(ReplicaSoakNode::engramContext);
        final Path control = Path.of(args[3]);
        final int writers = Integer.parseInt(args[4]);
        for (int i = 5; i < args.length; i++)
        {
            final int eq = args[i].indexOf('=');
            settings.peer(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        final String incarnation = args[1] + "." + ProcessHandle.current().pid();
        try (ReplicatedEngram node = ReplicatedEngram.open(settings))
        {
            say("OPEN " + incarnation);
            final List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++)
            {
                final int writer = w;
                final Thread thread = new Thread(() -> write(node, incarnation, writer), "soak-writer-" + w);
                thread.start();
                threads.add(thread);
            }
            boolean idle = false;
            while (!exit)
            {
                stopWrites = stopWrites || Files.exists(control.resolve("stop-writes"));
                exit = Files.exists(control.resolve("exit"));
                if (stopWrites && !idle)
                {
                    for (final Thread thread : threads)
                    {
                        thread.join();
                    }
                    idle = true;
                    say("IDLE");
                }
                say("AT " + node.replicatedVersion() + " " + (node.isLeader() ? 1 : 0) + " " + node.term());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
            stopWrites = true;
            for (final Thread thread : threads)
            {
                thread.join();
            }
        }
        say("CLOSED " + incarnation);
    }

    /**
     * Default settings, but every version kept ({@code historyVersions}): the journal's retention then removes no
     * cycle file, so the soak can read and compare every version on every node even across an hourly roll.
     */
    static EngramContext engramContext()
    {
        final EngramContext context = new EngramContext();
        context.state().historyVersions(KEEP_EVERY_VERSION);
        return context;
    }

    private static void write(final ReplicatedEngram node, final String incarnation, final int writer)
    {
        final Delta delta = node.newDelta();
        long sequence = 0;
        while (!stopWrites)
        {
            if (!node.isLeader())
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                continue;
            }
            final String key = SoakWrite.key(incarnation, writer, sequence++);
            say("SEND " + key);
            try
            {
                say("ACK " + key + " " + node.commit(SoakWrite.fill(delta, key)));
            }
            catch (final ReplicationException e)
            {
                say((e.mayHaveCommitted() ? "UNKNOWN " : "FAIL ") + key + " " + oneLine(e));
            }
            catch (final RuntimeException e)
            {
                say("UNKNOWN " + key + " " + oneLine(e));
            }
        }
    }

    private static String oneLine(final Exception e)
    {
        return (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\n', ' ');
    }

    private static void say(final String line)
    {
        synchronized (System.out)
        {
            System.out.println(line);
            System.out.flush();
        }
    }
}
