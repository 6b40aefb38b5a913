package dev.engram.replica.internal;

import dev.engram.engine.Engram;
import dev.engram.journal.Delta;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Ratis state machine of a node: applies committed entries (batches of deltas, {@link DeltaBatch}) into the
 * node's own {@link Engram}, in log order, on every node alike (the leader too: it applies only what is committed).
 * <p>
 * <b>Versions.</b> A batch carries no versions: the n-th delta applied from the log is Engram version n on every
 * node, because every node applies the same log in the same order and nothing else appends to its Engram. The
 * apply checks that the Engram hands out exactly that version (anything else means the Engram was written around the
 * group, and the node stops). The reply to the leader's proposal is the batch's first version and its count.
 * <p>
 * <b>Restart.</b> A node comes back at its snapshot's (index, version), see {@link SnapshotFile}; Raft then replays the
 * entries after it from the node's log. Deltas the Engram already holds (its recovered version is at or past the
 * snapshot's) are counted and skipped, the rest appended: the Engram ends at exactly the log's count whatever its
 * sync policy lost.
 */
public final class EngramStateMachine extends BaseStateMachine
{
    private static final long SNAPSHOT_SYNC_TIMEOUT_SECONDS = 60;

    private final Engram engram;
    private final Delta delta;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final VersionWatch replicated;
    private final Object applyLock = new Object();
    /** Deltas applied from the log so far (= the Engram version they reach); guarded by applyLock. */
    private long appliedVersion;

    /**
     * @param engram     the node's engine (opened by the caller; this writes to it, nothing else may).
     * @param replicated told each version applied (so {@code awaitReplicated} can wait for it).
     */
    public EngramStateMachine(final Engram engram, final VersionWatch replicated)
    {
        this.engram = engram;
        this.delta = engram.newDelta();
        this.replicated = replicated;
    }

    @Override
    public void initialize(final RaftServer server, final RaftGroupId groupId, final RaftStorage raftStorage)
        throws IOException
    {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        load(storage.loadLatestSnapshot());
    }

    @Override
    public void reinitialize() throws IOException
    {
        load(storage.loadLatestSnapshot());
        final LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.PAUSED)
        {
            lifeCycle.transition(LifeCycle.State.STARTING);
            lifeCycle.transition(LifeCycle.State.RUNNING);
        }
    }

    /**
     * Ratis asserts PAUSED before it installs a snapshot; the base class does nothing, which shuts the follower's
     * division down on its first install (docs/replication.md).
     */
    @Override
    public void pause()
    {
        final LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.RUNNING)
        {
            lifeCycle.transition(LifeCycle.State.PAUSING);
            lifeCycle.transition(LifeCycle.State.PAUSED);
        }
    }

    private void load(final SingleFileSnapshotInfo snapshot) throws IOException
    {
        synchronized (applyLock)
        {
            if (snapshot == null)
            {
                appliedVersion = 0;
                replicated.advance(0);
                return;
            }
            final SnapshotFile file = SnapshotFile.read(snapshot.getFile().getPath());
            if (file.index() != snapshot.getIndex() || file.term() != snapshot.getTerm())
            {
                throw new IOException("replica snapshot " + snapshot.getFile().getPath() + " names term " + file.term() +
                    " index " + file.index() + " but its file name says " + snapshot.getTermIndex());
            }
            final long held = engram.lastAppendedVersion();
            if (held < file.version())
            {
                throw new IOException("this node's Engram holds version " + held + " but its replica snapshot (" +
                    snapshot.getFile().getPath() + ") says it held " + file.version() + ": the Engram state was lost " +
                    "or replaced. Rebuilding a node from another node's snapshot is not implemented yet " +
                    "(docs/replication.md, \"Not done yet\"): restore the Engram directory or start the node empty");
            }
            setLastAppliedTermIndex(TermIndex.valueOf(file.term(), file.index()));
            appliedVersion = file.version();
            replicated.advance(appliedVersion);
        }
    }

    @Override
    public CompletableFuture<Message> applyTransaction(final TransactionContext trx)
    {
        final LogEntryProto entry = trx.getLogEntry();
        final byte[] bytes = entry.getStateMachineLogEntry().getLogData().toByteArray();
        final long first;
        final int count;
        synchronized (applyLock)
        {
            first = appliedVersion + 1;
            count = DeltaBatch.read(new UnsafeBuffer(bytes), 0, bytes.length,
                (i, ops, offset, length) -> applyOne(ops, offset, length));
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        replicated.advance(first + count - 1);
        final ByteBuffer reply = ByteBuffer.allocate(Long.BYTES + Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        reply.putLong(first).putInt(count).flip();
        return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
    }

    /** Called with applyLock held. */
    private void applyOne(final org.agrona.DirectBuffer ops, final int offset, final int length)
    {
        final long version = appliedVersion + 1;
        if (version <= engram.lastAppendedVersion())
        {
            appliedVersion = version;   // a replay after a restart: the Engram holds it already
            return;
        }
        OpsReplay.into(delta, ops, offset, length);
        final long got = engram.append(delta);
        if (got != version)
        {
            throw new IllegalStateException("replica diverged: the log's delta " + version + " became Engram version " +
                got + " (was the node's Engram written to outside the replica group?)");
        }
        appliedVersion = version;
    }

    /** Entries without deltas (Raft's own: configuration, a new leader's first entry) keep the version. */
    @Override
    public void notifyTermIndexUpdated(final long term, final long index)
    {
        synchronized (applyLock)
        {
            updateLastAppliedTermIndex(term, index);
        }
    }

    /**
     * Snapshot = checkpoint: record the last applied entry and the Engram version it reached, once the Engram has a
     * checkpoint at or after that version and the version is synced (so a restart never finds the Engram behind its
     * snapshot).
     */
    @Override
    public long takeSnapshot() throws IOException
    {
        final TermIndex last;
        final long version;
        synchronized (applyLock)
        {
            last = getLastAppliedTermIndex();
            version = appliedVersion;
        }
        if (last == null || last.getIndex() < 0)
        {
            return RaftLog.INVALID_LOG_INDEX;
        }
        engram.checkpoint();
        if (!engram.awaitSynced(version, SNAPSHOT_SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            throw new IOException("replica snapshot: Engram version " + version + " not synced within " +
                SNAPSHOT_SYNC_TIMEOUT_SECONDS + " s");
        }
        final java.io.File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        new SnapshotFile(last.getTerm(), last.getIndex(), version).write(file.toPath());
        final var md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        return last.getIndex();
    }

    @Override
    public SnapshotInfo getLatestSnapshot()
    {
        return storage.getLatestSnapshot();
    }

    @Override
    public StateMachineStorage getStateMachineStorage()
    {
        return storage;
    }

    /**
     * A far-behind node would need the leader's Engram checkpoint chain: not implemented yet, so refuse clearly
     * (docs/replication.md, "Not done yet").
     */
    @Override
    public CompletableFuture<TermIndex> notifyInstallSnapshotFromLeader(final RoleInfoProto roleInfo,
        final TermIndex firstTermIndexInLog)
    {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("node " + getId() + " is behind the " +
            "leader's log start " + firstTermIndexInLog + ": installing a snapshot (the leader's Engram checkpoint " +
            "chain) is not implemented yet"));
    }

    /** @return deltas applied from the log (the Engram version they reach). */
    public long appliedVersion()
    {
        synchronized (applyLock)
        {
            return appliedVersion;
        }
    }
}
