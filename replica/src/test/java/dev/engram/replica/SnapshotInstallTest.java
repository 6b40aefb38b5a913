package dev.engram.replica;

import dev.engram.journal.Delta;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

import static dev.engram.replica.ReplicatedEngramTest.assertAcknowledgedPresent;
import static dev.engram.replica.ReplicatedEngramTest.assertIdentical;
import static dev.engram.replica.ReplicatedEngramTest.bytes;
import static dev.engram.replica.ReplicatedEngramTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshot install (docs/replication.md, "Snapshots"), 3 nodes in this JVM: automatic snapshots every few entries
 * and small log segments, so the running nodes purge their logs past what a stopped node needs. That node, restarted,
 * or started again on an empty directory, rebuilds its Engram from the leader's snapshot files (sent by Ratis'
 * snapshot install) and catches up from the log after it: the same state and versions 1..n as the others.
 */
@Timeout(value = 300, unit = java.util.concurrent.TimeUnit.SECONDS)
class SnapshotInstallTest
{
    private static final byte[] PADDING = new byte[400];

    @TempDir
    Path dir;

    static ReplicaSettings tune(final ReplicaSettings settings)
    {
        return settings.snapshotEveryEntries(40).logPurge(64 * 1024, 1).maxBatch(64, 16 * 1024);
    }

    @Test
    void aFollowerBehindThePurgedLogInstallsTheLeadersSnapshot() throws Exception
    {
        try (ReplicaGroup group = new ReplicaGroup(dir, 3, SnapshotInstallTest::tune))
        {
            final Map<String, Long> acked = new HashMap<>();
            long last = commit(group, "k/a/", 50, acked);
            group.awaitReplicatedEverywhere(last);
            final String id = group.followers(group.awaitLeader()).get(0).nodeId();
            final long stoppedAt = group.node(id).lastAppliedIndex();
            group.stop(id);

            // the others snapshot and purge until the stopped node's next entry is gone from both their logs
            int round = 0;
            while (minLogStart(group) <= stoppedAt + 1)
            {
                last = commit(group, "k/b" + round++ + "/", 40, acked);
                assertTrue(round < 200, "the running nodes never purged their logs past index " + stoppedAt);
            }
            group.awaitReplicatedEverywhere(last);

            final ReplicatedEngram back = group.start(id);
            group.awaitReplicatedEverywhere(last);
            assertTrue(back.snapshotInstalls() >= 1, "node " + id + " rebuilt its Engram from the leader's snapshot");
            assertIdentical(group.running(), last);
            assertAcknowledgedPresent(group.running(), acked);

            // the rebuilt node restarts on its own state, and the group goes on with the next version
            group.stop(id);
            group.start(id);
            last = commit(group, "k/c/", 30, acked);
            group.awaitReplicatedEverywhere(last);
            assertIdentical(group.running(), last);
            assertAcknowledgedPresent(group.running(), acked);
        }
    }

    @Test
    void aNodeStartedOnAnEmptyDirectoryRebuildsFromTheSnapshot() throws Exception
    {
        try (ReplicaGroup group = new ReplicaGroup(dir, 3, SnapshotInstallTest::tune))
        {
            final Map<String, Long> acked = new HashMap<>();
            long last = commit(group, "k/a/", 50, acked);
            group.awaitReplicatedEverywhere(last);
            final String id = group.followers(group.awaitLeader()).get(0).nodeId();
            group.stop(id);
            deleteTree(dir.resolve(id));   // a replaced machine: nothing of the node is left

            int round = 0;
            while (minLogStart(group) <= 1)
            {
                last = commit(group, "k/b" + round++ + "/", 40, acked);
                assertTrue(round < 200, "the running nodes never purged their logs");
            }
            final ReplicatedEngram fresh = group.start(id);
            last = commit(group, "k/c/", 20, acked);
            group.awaitReplicatedEverywhere(last);
            assertTrue(fresh.snapshotInstalls() >= 1, "the empty node " + id + " rebuilt from the leader's snapshot");
            assertIdentical(group.running(), last);
            assertAcknowledgedPresent(group.running(), acked);
            assertEquals(last, fresh.appliedVersion());
        }
    }

    @Test
    void aNodeWhoseEngramDirectoryWasLostRebuildsFromItsOwnSnapshotAtOpen() throws Exception
    {
        try (ReplicaGroup group = new ReplicaGroup(dir, 3, s -> tune(s).snapshotEveryEntries(0)))
        {
            final Map<String, Long> acked = new HashMap<>();
            long last = commit(group, "k/a/", 60, acked);
            group.awaitReplicatedEverywhere(last);
            final ReplicatedEngram follower = group.followers(group.awaitLeader()).get(0);
            final String id = follower.nodeId();
            assertTrue(follower.snapshot() > 0, "a snapshot at a log index");
            group.stop(id);
            deleteTree(dir.resolve(id).resolve("engram"));   // the state lost, the Raft log and snapshot kept

            last = commit(group, "k/b/", 20, acked);
            final ReplicatedEngram back = group.start(id);
            group.awaitReplicatedEverywhere(last);
            assertEquals(1, back.snapshotInstalls(), "rebuilt once, from its own snapshot's files");
            assertIdentical(group.running(), last);
            assertAcknowledgedPresent(group.running(), acked);
        }
    }

    @Test
    void aNodeIsAddedOnlineInstallsTheSnapshotAndAnotherIsRemoved() throws Exception
    {
        try (ReplicaGroup group = new ReplicaGroup(dir, 3, SnapshotInstallTest::tune))
        {
            final Map<String, Long> acked = new HashMap<>();
            long last = commit(group, "k/a/", 50, acked);
            int round = 0;
            while (minLogStart(group) <= 1)
            {
                last = commit(group, "k/b" + round++ + "/", 40, acked);
                assertTrue(round < 200, "the running nodes never purged their logs");
            }

            final ReplicatedEngram leader = group.awaitLeader();   // the joining node knows no leader until it is added
            final ReplicatedEngram added = group.startJoining("n3");
            leader.addNode("n3", group.address("n3"));
            last = commit(group, "k/c/", 20, acked);
            group.awaitReplicatedEverywhere(last);
            assertEquals(java.util.Set.of("n0", "n1", "n2", "n3"), group.awaitLeader().members().keySet());
            assertTrue(added.snapshotInstalls() >= 1, "the added node rebuilt from the leader's snapshot");
            assertIdentical(group.running(), last);
            assertAcknowledgedPresent(group.running(), acked);

            final String removed = group.followers(group.awaitLeader()).stream().map(ReplicatedEngram::nodeId)
                .filter(id -> !id.equals("n3")).findFirst().orElseThrow();
            group.awaitLeader().removeNode(removed);
            group.stop(removed);
            last = commit(group, "k/d/", 20, acked);
            group.awaitReplicatedEverywhere(last);
            for (final ReplicatedEngram node : group.running())
            {
                ReplicaGroup.await("node " + node.nodeId() + " sees " + removed + " removed",
                    () -> !node.members().containsKey(removed) && node.members().size() == 3);
            }
            assertIdentical(group.running(), last);
            assertAcknowledgedPresent(group.running(), acked);
        }
    }

    static long minLogStart(final ReplicaGroup group) throws IOException
    {
        long min = Long.MAX_VALUE;
        for (final ReplicatedEngram node : group.running())
        {
            min = Math.min(min, node.raftLogStartIndex());
        }
        return min;
    }

    /** Commit {@code count} deltas one by one (each its own entry), each with a 400-byte padding key. */
    static long commit(final ReplicaGroup group, final String prefix, final int count,
        final Map<String, Long> acked)
    {
        long last = 0;
        for (int i = 0; i < count; i++)
        {
            final String key = prefix + i;
            final Delta delta = group.awaitLeader().newDelta().put(key, value(key)).put("last", bytes(key))
                .put("pad/" + (i % 7), PADDING);
            last = group.commit(delta);
            acked.put(key, last);
        }
        return last;
    }

    private static void deleteTree(final Path root) throws IOException
    {
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path p : walk.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
    }
}
