package dev.engram.replica;

import dev.engram.journal.Delta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.engram.replica.ReplicatedEngramTest.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reads at each consistency (docs/replication.md, "Reads"), 3 nodes in this JVM on 127.0.0.1: a linearizable read on
 * any node sees the write the leader just acknowledged; a leader cut off from the others serves no linearizable read
 * (never the stale value it still holds); a bounded-staleness read on a follower is served within the bound and
 * refused past it. Cuts use {@link Partition} (Ratis' test hooks), one at a time.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReplicaReadTest
{
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void aLinearizableReadOnEveryNodeSeesTheWriteTheLeaderAcknowledged() throws Exception
    {
        try (ReplicaGroup group = new ReplicaGroup(dir, 3, s -> s.readConsistency(ReadConsistency.LINEARIZABLE)))
        {
            final Delta delta = group.awaitLeader().newDelta();
            for (int i = 0; i < 30; i++)
            {
                // acknowledged by the leader's commit: a majority holds it, but a follower may not have applied it yet
                // (it learns the commit index with the leader's next message)
                final long version = group.commit(delta.clear().put("k", bytes("v" + i)));
                for (final ReplicatedEngram node : group.running())
                {
                    assertArrayEquals(bytes("v" + i), node.get("k"), "a linearizable get on " + node.nodeId() +
                        " after version " + version + " was acknowledged");
                    assertTrue(node.readBarrier(ReadConsistency.LINEARIZABLE) >= version, node.nodeId());
                }
            }
        }
    }

    @Test
    void aLeaderCutOffFromTheGroupServesNoLinearizableRead() throws Exception
    {
        try (ReplicaGroup group = new ReplicaGroup(dir, 3, s -> s.requestTimeout(READ_TIMEOUT)))
        {
            final Delta delta = group.awaitLeader().newDelta();
            group.awaitReplicatedEverywhere(group.commit(delta.clear().put("k", bytes("old"))));
            final ReplicatedEngram old = group.awaitLeader();
            final ReplicatedEngram next;
            try (Partition cut = new Partition(old.nodeId()))
            {
                next = awaitLeaderAmong(group, old);
                final long version = commitOn(next, delta.clear().put("k", bytes("new")));
                assertTrue(version > 0);
                // the cut node's own copy is stale: a read without ReadIndex would answer "old"
                assertArrayEquals(bytes("old"), old.get("k"), "the cut node's local copy");
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    final ReplicaReadException refused = assertThrows(ReplicaReadException.class,
                        () -> old.readBarrier(ReadConsistency.LINEARIZABLE),
                        "a linearizable read on the cut-off former leader " + old.nodeId());
                    assertEquals(ReadConsistency.LINEARIZABLE, refused.consistency());
                    assertEquals(old.nodeId(), refused.nodeId());
                }
                assertArrayEquals(bytes("new"), readLinearizable(next), "the new leader's linearizable read");
            }
            // healed: the former leader follows the new one, and its linearizable reads see the new value (never "old")
            ReplicaGroup.await(old.nodeId() + " serving a linearizable read after the cut healed", () ->
            {
                try
                {
                    old.readBarrier(ReadConsistency.LINEARIZABLE);
                }
                catch (final ReplicaReadException e)
                {
                    return false;
                }
                assertArrayEquals(bytes("new"), old.get("k"), "a linearizable read on the former leader");
                return true;
            });
        }
    }

    @Test
    void aFollowerServesReadsWithinTheStalenessBoundAndRefusesBeyondIt() throws Exception
    {
        final Duration bound = Duration.ofSeconds(1);
        try (ReplicaGroup group = new ReplicaGroup(dir, 3, s -> s.readConsistency(ReadConsistency.BOUNDED_STALENESS)
            .maxStaleness(bound).requestTimeout(READ_TIMEOUT)))
        {
            final ReplicatedEngram leader = group.awaitLeader();
            final ReplicatedEngram follower = group.followers(leader).get(0);
            final Delta delta = leader.newDelta();
            final long first = group.commit(delta.clear().put("k", bytes("one")));
            // within the bound: the follower serves its own copy, which holds every write acknowledged before the read
            assertArrayEquals(bytes("one"), follower.get("k"), "a bounded read on follower " + follower.nodeId());
            assertTrue(follower.readBarrier(ReadConsistency.BOUNDED_STALENESS) >= first);

            try (Partition cut = new Partition(follower.nodeId()))
            {
                final ReplicatedEngram writer = awaitLeaderAmong(group, follower);
                commitOn(writer, delta.clear().put("k", bytes("two")));
                final long committed = System.nanoTime();
                // the cut follower cannot have "two": it may serve "one" only while its last confirmation (sent before
                // "two" was committed) is within the bound, then it must refuse
                ReplicaGroup.await("the cut follower " + follower.nodeId() + " refusing a bounded read", () ->
                {
                    final long start = System.nanoTime();
                    final byte[] got;
                    try
                    {
                        got = follower.get("k");
                    }
                    catch (final ReplicaReadException e)
                    {
                        assertEquals(ReadConsistency.BOUNDED_STALENESS, e.consistency());
                        return true;
                    }
                    assertArrayEquals(bytes("one"), got, "a bounded read on the cut follower");
                    assertTrue(start - committed <= bound.toNanos(), "the cut follower served a read " +
                        TimeUnit.NANOSECONDS.toMillis(start - committed) + " ms after a write it does not hold " +
                        "was committed, past the bound of " + bound.toMillis() + " ms");
                    return false;
                });
            }
            ReplicaGroup.await("the follower serving bounded reads again after the cut healed", () ->
            {
                try
                {
                    return Arrays.equals(bytes("two"), follower.get("k"));
                }
                catch (final ReplicaReadException e)
                {
                    return false;
                }
            });
        }
    }

    /** @return the node other than {@code excluded} that leads (the cut node may still believe it leads). */
    static ReplicatedEngram awaitLeaderAmong(final ReplicaGroup group, final ReplicatedEngram excluded)
    {
        final ReplicatedEngram[] found = new ReplicatedEngram[1];
        ReplicaGroup.await("a leader among the nodes other than " + excluded.nodeId(), () ->
        {
            for (final ReplicatedEngram node : group.followers(excluded))
            {
                if (node.isLeader())
                {
                    found[0] = node;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Commit on {@code node}, retrying while it was just elected and still applies earlier entries. */
    static long commitOn(final ReplicatedEngram node, final Delta delta)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ReplicaGroup.WAIT_SECONDS);
        while (true)
        {
            try
            {
                return node.commit(delta);
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

    private static byte[] readLinearizable(final ReplicatedEngram node)
    {
        node.readBarrier(ReadConsistency.LINEARIZABLE);
        return node.get("k");
    }
}
