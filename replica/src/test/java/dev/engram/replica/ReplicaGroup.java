package dev.engram.replica;

import dev.engram.journal.Delta;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * A test's replica group: 3 nodes in this JVM on 127.0.0.1 (free ports), each on its own directory under a root, with
 * stop and restart of any node and waits on conditions (leader elected, version reached).
 */
final class ReplicaGroup implements AutoCloseable
{
    static final long WAIT_SECONDS = 60;

    private final Path root;
    private final UUID groupId = UUID.randomUUID();
    private final Map<String, String> peers = new LinkedHashMap<>();
    private final Map<String, ReplicatedEngram> nodes = new LinkedHashMap<>();

    private final UnaryOperator<ReplicaSettings> tune;

    ReplicaGroup(final Path root, final int size) throws IOException
    {
        this(root, size, UnaryOperator.identity());
    }

    /** @param tune changes every node's settings (the same on every node). */
    ReplicaGroup(final Path root, final int size, final UnaryOperator<ReplicaSettings> tune) throws IOException
    {
        this.root = root;
        this.tune = tune;
        for (int i = 0; i < size; i++)
        {
            peers.put("n" + i, "127.0.0.1:" + freePort());
        }
        for (final String id : peers.keySet())
        {
            start(id);
        }
    }

    static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    ReplicaSettings settings(final String id)
    {
        final ReplicaSettings settings = new ReplicaSettings().groupId(groupId).nodeId(id).directory(root.resolve(id))
            .electionTimeout(Duration.ofMillis(300), Duration.ofMillis(600)).requestTimeout(Duration.ofSeconds(30))
            // tests compare every version's history on every node: keep it all (without a window, retention removes
            // journal cycle files checkpoints cover, and five-minute cycles roll inside a test)
            .engramContext(ReplicaGroup::wholeHistory);
        peers.forEach(settings::peer);
        return tune.apply(settings);
    }

    /**
     * @return a node's engine settings that keep every version's history (a history window): the tests compare it on
     *         every node.
     */
    static dev.engram.engine.EngramContext wholeHistory()
    {
        final dev.engram.engine.EngramContext ctx = new dev.engram.engine.EngramContext();
        ctx.state().historyVersions(1_000_000_000L);
        return ctx;
    }

    ReplicatedEngram start(final String id)
    {
        final ReplicatedEngram node = ReplicatedEngram.open(settings(id));
        nodes.put(id, node);
        return node;
    }

    /** Start a new node {@code id} on a new port and an empty directory, joining the running group. */
    ReplicatedEngram startJoining(final String id) throws IOException
    {
        peers.put(id, "127.0.0.1:" + freePort());
        final ReplicatedEngram node = ReplicatedEngram.open(settings(id).joining(true));
        nodes.put(id, node);
        return node;
    }

    UUID groupId()
    {
        return groupId;
    }

    String address(final String id)
    {
        return peers.get(id);
    }

    void stop(final String id)
    {
        nodes.remove(id).close();
    }

    ReplicatedEngram node(final String id)
    {
        return nodes.get(id);
    }

    List<ReplicatedEngram> running()
    {
        return new ArrayList<>(nodes.values());
    }

    /** @return the leader once exactly one running node leads and the others know it. */
    ReplicatedEngram awaitLeader()
    {
        final ReplicatedEngram[] found = new ReplicatedEngram[1];
        await("a leader elected among " + nodes.keySet(), () ->
        {
            ReplicatedEngram leader = null;
            for (final ReplicatedEngram node : nodes.values())
            {
                if (node.isLeader())
                {
                    if (leader != null)
                    {
                        return false;
                    }
                    leader = node;
                }
            }
            if (leader == null)
            {
                return false;
            }
            for (final ReplicatedEngram node : nodes.values())
            {
                if (!leader.nodeId().equals(node.leaderId()))
                {
                    return false;
                }
            }
            found[0] = leader;
            return true;
        });
        return found[0];
    }

    List<ReplicatedEngram> followers(final ReplicatedEngram leader)
    {
        final List<ReplicatedEngram> followers = running();
        followers.remove(leader);
        return followers;
    }

    /**
     * Commit on whichever node leads, retrying while a new leader still applies earlier entries or none is known
     * (never after a write that may have been committed: the caller sees that failure).
     */
    long commit(final Delta delta)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (true)
        {
            try
            {
                return awaitLeader().commit(delta);
            }
            catch (final ReplicationException e)
            {
                if (e.mayHaveCommitted() || System.nanoTime() > deadline)
                {
                    throw e;
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
    }

    void awaitReplicatedEverywhere(final long version)
    {
        for (final ReplicatedEngram node : nodes.values())
        {
            if (!node.awaitReplicated(version, WAIT_SECONDS, TimeUnit.SECONDS) ||
                !node.awaitApplied(version, WAIT_SECONDS, TimeUnit.SECONDS))
            {
                throw new AssertionError("node " + node.nodeId() + " did not reach version " + version + " in " +
                    WAIT_SECONDS + " s: replicated=" + node.replicatedVersion() + " applied=" + node.appliedVersion());
            }
        }
    }

    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("timed out after " + WAIT_SECONDS + " s waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    @Override
    public void close()
    {
        for (final ReplicatedEngram node : nodes.values())
        {
            node.close();
        }
        nodes.clear();
    }
}
