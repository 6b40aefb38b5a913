package dev.engram.replica;

import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftGroupIdProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.proto.RaftProtos.TermIndexProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A follower whose Raft log refuses one appendEntries request must take the leader's next ones (docs/replication.md,
 * "A follower that stopped taking entries"). With Ratis' default {@code raft.server.log.append-entries.compose.enabled}
 * a follower chains every append on the one before; one failed append left that chain failed, so the follower failed
 * every later append, for every leader, until it restarted, while it kept answering heartbeats: it stopped at the
 * version before and never caught up (the soak's "stuck follower").
 * <p>
 * The failure is made by handing the follower, as its leader would, one entry its log refuses (an entry of an older
 * term after its last entry): in the soak the refused append was, by every sign, a log append run concurrently with
 * another (Ratis' log runs one append at a time and throws on a second).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FollowerAppendFailureTest
{
    @TempDir
    Path dir;

    @Test
    void aFollowerTakesEntriesAgainAfterOneAppendFailed() throws Exception
    {
        try (ReplicaGroup group = new ReplicaGroup(dir, 3))
        {
            final ReplicatedEngram leader = group.awaitLeader();
            long last = 0;
            for (int i = 0; i < 20; i++)
            {
                last = group.commit(leader.newDelta().put("k/" + i, bytes("v" + i)));
            }
            group.awaitReplicatedEverywhere(last);
            final ReplicatedEngram follower = group.followers(leader).get(0);

            // one appendEntries the follower's log refuses, sent as from the leader in its term
            final RaftServer.Division division = follower.division();
            final TermIndex previous = division.getRaftLog().getLastEntryTermIndex();
            assertTrue(previous.getTerm() >= 1, "the follower's last entry has a term: " + previous);
            final LogEntryProto refused = LogEntryProto.newBuilder()
                .setTerm(previous.getTerm() - 1)
                .setIndex(previous.getIndex() + 1)
                .setStateMachineLogEntry(StateMachineLogEntryProto.newBuilder()
                    .setLogData(ByteString.copyFrom(new byte[8])))
                .build();
            final AppendEntriesRequestProto request = AppendEntriesRequestProto.newBuilder()
                .setServerRequest(RaftRpcRequestProto.newBuilder()
                    .setRequestorId(RaftPeerId.valueOf(leader.nodeId()).toByteString())
                    .setReplyId(RaftPeerId.valueOf(follower.nodeId()).toByteString())
                    .setRaftGroupId(RaftGroupIdProto.newBuilder()
                        .setId(RaftGroupId.valueOf(group.groupId()).toByteString()))
                    .setCallId(1L << 40))
                .setLeaderTerm(division.getInfo().getCurrentTerm())
                .setPreviousLog(TermIndexProto.newBuilder().setTerm(previous.getTerm()).setIndex(previous.getIndex()))
                .setLeaderCommit(division.getRaftLog().getLastCommittedIndex())
                .addEntries(refused)
                .build();
            boolean refusedByTheLog;
            try
            {
                follower.raftServer().appendEntriesAsync(request).get(ReplicaGroup.WAIT_SECONDS, TimeUnit.SECONDS);
                refusedByTheLog = false;
            }
            catch (final Exception e)
            {
                refusedByTheLog = true;   // the log refused it (IOException at once, or a failed future)
            }
            assertTrue(refusedByTheLog, "the follower's log refuses an entry of an older term after its last entry");
            assertEquals(previous, division.getRaftLog().getLastEntryTermIndex(), "nothing was appended");

            // the group goes on; the follower must take the next entries from the leader
            for (int i = 20; i < 40; i++)
            {
                last = group.commit(leader.newDelta().put("k/" + i, bytes("v" + i)));
            }
            if (!follower.awaitApplied(last, ReplicaGroup.WAIT_SECONDS, TimeUnit.SECONDS))
            {
                fail("follower " + follower.nodeId() + " stopped taking entries after one refused append: applied " +
                    follower.appliedVersion() + ", the group is at " + last + ", its log ends at " +
                    division.getRaftLog().getLastEntryTermIndex());
            }
            group.awaitReplicatedEverywhere(last);
            for (int i = 0; i < 40; i++)
            {
                assertEquals("v" + i, new String(follower.get("k/" + i), StandardCharsets.UTF_8));
            }
        }
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
