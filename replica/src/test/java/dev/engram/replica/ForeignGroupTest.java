package dev.engram.replica;

import dev.engram.journal.Delta;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.GroupMismatchException;
import org.apache.ratis.retry.RetryPolicies;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.engram.replica.ReplicatedEngramTest.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A node configured with another group id, pointed at a running group's members (docs/replication.md, "Security"):
 * the members refuse its requests (Ratis answers a request for a group a server does not run with a group mismatch,
 * before any of its state is touched), so it never learns of a leader, never leads, refuses writes and linearizable or bounded reads, and the group's
 * state, versions and members are unchanged.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ForeignGroupTest
{
    @TempDir
    Path dir;

    @Test
    void aNodeOfAnotherGroupCannotJoinNorServeTheGroup() throws Exception
    {
        try (ReplicaGroup group = new ReplicaGroup(dir.resolve("group"), 3))
        {
            final Delta delta = group.awaitLeader().newDelta();
            long last = 0;
            for (int i = 0; i < 20; i++)
            {
                last = group.commit(delta.clear().put("k/" + i, bytes("v" + i)).put("last", bytes("v" + i)));
            }
            group.awaitReplicatedEverywhere(last);
            final Map<String, String> members = group.awaitLeader().members();

            // the foreign node: its own group id, the group's members as its peers (same ids and addresses), itself
            // and one more member that does not run, so that it campaigns against the group's nodes
            final Duration electionMax = Duration.ofMillis(600);
            final ReplicaSettings foreign = new ReplicaSettings().groupId(UUID.randomUUID()).nodeId("x")
                .directory(dir.resolve("x")).electionTimeout(Duration.ofMillis(300), electionMax)
                .requestTimeout(Duration.ofSeconds(3));
            final Map<String, String> peers = new LinkedHashMap<>(members);
            peers.put("x", "127.0.0.1:" + ReplicaGroup.freePort());
            peers.put("y", "127.0.0.1:" + ReplicaGroup.freePort());
            peers.forEach(foreign::peer);
            try (ReplicatedEngram x = ReplicatedEngram.open(foreign))
            {
                // a negative claim needs a window: ten of its election timeouts, in which it campaigns again and again
                final long until = System.nanoTime() + 10 * electionMax.toNanos();
                while (System.nanoTime() < until)
                {
                    assertFalse(x.isLeader(), "the foreign node became leader");
                    assertNull(x.leaderId(), "the foreign node learnt of a leader");
                    for (final ReplicatedEngram node : group.running())
                    {
                        assertEquals(members, node.members(), "members of " + node.nodeId());
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
                // what each of its requests meets: a member refuses a request for the foreign group id
                for (final String member : members.keySet())
                {
                    assertGroupMismatch(foreign.groupId(), member, members);
                }
                final ReplicaNotLeaderException write = assertThrows(ReplicaNotLeaderException.class,
                    () -> x.commit(x.newDelta().put("k/0", bytes("foreign"))));
                assertFalse(write.mayHaveCommitted());
                assertThrows(ReplicaReadException.class, () -> x.readBarrier(ReadConsistency.LINEARIZABLE));
                assertThrows(ReplicaReadException.class, () -> x.readBarrier(ReadConsistency.BOUNDED_STALENESS));
                assertNull(x.get("last"), "the foreign node holds none of the group's state");
                assertEquals(0, x.appliedVersion());

                // the group is as it was, and goes on with the next version on every node
                for (final ReplicatedEngram node : group.running())
                {
                    assertEquals(last, node.readBarrier(ReadConsistency.LINEARIZABLE), "version of " + node.nodeId());
                    assertArrayEquals(bytes("v0"), node.get("k/0"), node.nodeId());
                    assertEquals(members, node.members(), node.nodeId());
                }
                final long next = group.commit(delta.clear().put("after", bytes("a")));
                assertEquals(last + 1, next);
                group.awaitReplicatedEverywhere(next);
                for (final ReplicatedEngram node : group.running())
                {
                    assertArrayEquals(bytes("a"), node.get("after"), node.nodeId());
                }
                assertNull(x.get("after"));
            }
        }
    }

    /** A Ratis client of group {@code groupId} asks {@code member} for a write: the member refuses the group id. */
    private static void assertGroupMismatch(final UUID groupId, final String member, final Map<String, String> members)
        throws Exception
    {
        final RaftPeer[] peers = members.entrySet().stream()
            .map(e -> RaftPeer.newBuilder().setId(e.getKey()).setAddress(e.getValue()).build()).toArray(RaftPeer[]::new);
        try (RaftClient client = RaftClient.newBuilder().setProperties(new RaftProperties())
            .setRaftGroup(RaftGroup.valueOf(RaftGroupId.valueOf(groupId), peers))
            .setLeaderId(RaftPeerId.valueOf(member)).setRetryPolicy(RetryPolicies.noRetry()).build())
        {
            Throwable failure = null;
            try
            {
                client.io().send(Message.valueOf("foreign"));
            }
            catch (final Exception e)
            {
                failure = e;
            }
            Throwable cause = failure;
            while (cause != null && !(cause instanceof GroupMismatchException))
            {
                cause = cause.getCause();
            }
            if (cause == null)
            {
                throw new AssertionError("member " + member + " did not refuse a request for group " + groupId +
                    " with a group mismatch: " + failure, failure);
            }
        }
    }
}
