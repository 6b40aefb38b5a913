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
import org.apache.ratis.util.CodeInjectionForTesting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A follower whose Raft log refuses one appendEntries request must take the leader's next ones (docs/replication.md,
 * "Soak", run 3). With Ratis' default {@code raft.server.log.append-entries.compose.enabled} a follower chains every
 * append on the one before; one failed append left that chain failed, so the follower failed every later append, for
 * every leader, until it restarted, while it kept answering heartbeats: it stopped at the version before and never
 * caught up (the soak's "stuck follower").
 * <p>
 * The first test makes the failure by handing the follower, as its leader would, one entry its log refuses (an entry
 * of an older term after its last entry). The second makes it as it most likely came about in the soak: appends of
 * the leader's entries arriving on several streams at once (as after the leader's appender restarts its streams
 * while the old one still delivers); Ratis' log runs one append at a time and refuses a second one running at once.
 * With compose, one such refusal stopped the follower (in one of the 10 rounds, in two runs here); without it, each
 * refusal fails only its request.
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

    @Test
    void aFollowerTakingAppendsFromSeveralStreamsAtOnceKeepsTakingEntries() throws Exception
    {
        try (ReplicaGroup group = new ReplicaGroup(dir, 3))
        {
            final ReplicatedEngram leader = group.awaitLeader();
            long last = group.commit(leader.newDelta().put("k/first", bytes("v")));
            group.awaitReplicatedEverywhere(last);
            final ReplicatedEngram follower = group.followers(leader).get(0);
            final RaftServer.Division followerDivision = follower.division();
            final RaftServer.Division leaderDivision = leader.division();
            final AtomicLong refused = new AtomicLong();
            // the leader's own appends to the follower are held back (its heartbeats pass): this test's threads send
            // the leader's entries instead, each in chunks of its own size, all at once
            CodeInjectionForTesting.put(APPEND_ENTRIES_HOOK, (local, remote, args) ->
            {
                if (String.valueOf(local).equals(follower.nodeId()) && String.valueOf(remote).equals(leader.nodeId()) &&
                    !STREAM.get() && ((AppendEntriesRequestProto)args[1]).getEntriesCount() > 0)
                {
                    throw new IllegalStateException("test: the leader's appends to " + follower.nodeId() +
                        " held back");
                }
                return false;
            });
            try
            {
                for (int round = 0; round < 10; round++)
                {
                    for (int i = 0; i < 150; i++)
                    {
                        last = group.commit(leader.newDelta().put("k/" + round + "/" + i, bytes("v" + i)));
                    }
                    final long from = followerDivision.getRaftLog().getLastEntryTermIndex().getIndex() + 1;
                    final long to = leaderDivision.getRaftLog().getLastCommittedIndex();
                    final CountDownLatch start = new CountDownLatch(1);
                    final List<Thread> streams = new ArrayList<>();
                    final List<CompletableFuture<?>> replies = new ArrayList<>();
                    for (int t = 0; t < 3; t++)
                    {
                        final int chunk = 1 + 2 * t;
                        final Thread stream = new Thread(() ->
                        {
                            STREAM.set(true);
                            try
                            {
                                start.await();
                                for (long first = from; first <= to; first += chunk)
                                {
                                    final AppendEntriesRequestProto request = appendFromLeader(group, leader, follower,
                                        leaderDivision, first, Math.min(to, first + chunk - 1));
                                    try
                                    {
                                        final CompletableFuture<?> reply =
                                            follower.raftServer().appendEntriesAsync(request);
                                        synchronized (replies)
                                        {
                                            replies.add(reply.whenComplete((r, e) ->
                                            {
                                                if (e != null)
                                                {
                                                    refused.incrementAndGet();
                                                }
                                            }));
                                        }
                                    }
                                    catch (final IOException e)
                                    {
                                        refused.incrementAndGet();
                                    }
                                }
                            }
                            catch (final Exception e)
                            {
                                throw new IllegalStateException(e);
                            }
                        }, "test-stream-" + t);
                        stream.start();
                        streams.add(stream);
                    }
                    start.countDown();
                    for (final Thread stream : streams)
                    {
                        stream.join();
                    }
                    for (final CompletableFuture<?> reply : replies)
                    {
                        try
                        {
                            reply.get(ReplicaGroup.WAIT_SECONDS, TimeUnit.SECONDS);
                        }
                        catch (final Exception e)
                        {
                            // counted as refused; the leader sends it again
                        }
                    }
                }
            }
            finally
            {
                CodeInjectionForTesting.remove(APPEND_ENTRIES_HOOK);
            }
            // the leader's appends reach the follower again: it must take every entry
            last = group.commit(leader.newDelta().put("k/last", bytes("v")));
            if (!follower.awaitApplied(last, ReplicaGroup.WAIT_SECONDS, TimeUnit.SECONDS))
            {
                fail("follower " + follower.nodeId() + " stopped taking entries after appends from several " +
                    "streams at once (" + refused.get() + " of them refused): applied " + follower.appliedVersion() +
                    ", the group is at " + last + ", its log ends at " +
                    followerDivision.getRaftLog().getLastEntryTermIndex());
            }
            group.awaitReplicatedEverywhere(last);
            for (int round = 0; round < 10; round++)
            {
                assertEquals("v149", new String(follower.get("k/" + round + "/149"), StandardCharsets.UTF_8));
            }
        }
    }

    /** Ratis' hook at the start of a server's appendEntries handling (the simple class name and the method). */
    private static final String APPEND_ENTRIES_HOOK = "RaftServerImpl.appendEntries";
    /** Set on this test's sending threads: their calls pass the hook. */
    private static final ThreadLocal<Boolean> STREAM = ThreadLocal.withInitial(() -> false);

    /** An appendEntries from the leader in its term with its entries first..last (as its appender builds one). */
    private static AppendEntriesRequestProto appendFromLeader(final ReplicaGroup group, final ReplicatedEngram leader,
        final ReplicatedEngram follower, final RaftServer.Division leaderDivision, final long first, final long last)
        throws Exception
    {
        final LogEntryProto previous = leaderDivision.getRaftLog().get(first - 1);
        final AppendEntriesRequestProto.Builder request = AppendEntriesRequestProto.newBuilder()
            .setServerRequest(RaftRpcRequestProto.newBuilder()
                .setRequestorId(RaftPeerId.valueOf(leader.nodeId()).toByteString())
                .setReplyId(RaftPeerId.valueOf(follower.nodeId()).toByteString())
                .setRaftGroupId(RaftGroupIdProto.newBuilder()
                    .setId(RaftGroupId.valueOf(group.groupId()).toByteString()))
                .setCallId(first))
            .setLeaderTerm(leaderDivision.getInfo().getCurrentTerm())
            .setPreviousLog(TermIndexProto.newBuilder().setTerm(previous.getTerm()).setIndex(previous.getIndex()))
            .setLeaderCommit(0);
        for (long i = first; i <= last; i++)
        {
            request.addEntries(leaderDivision.getRaftLog().get(i));
        }
        return request.build();
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
