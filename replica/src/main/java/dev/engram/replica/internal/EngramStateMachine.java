package dev.engram.replica.internal;

import dev.engram.engine.Engram;
import dev.engram.journal.Delta;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
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
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.stream.Stream;
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
 * <p>
 * <b>Snapshots</b> are Engram checkpoints with the files to rebuild from ({@link EngramSnapshotDir}): Ratis' leader
 * sends them to a follower whose next entry it no longer holds, and the follower's {@link #reinitialize()} rebuilds
 * its Engram from them before the log goes on after the snapshot's index.
 */
public final class EngramStateMachine extends BaseStateMachine
{
    private static final long SNAPSHOT_SYNC_TIMEOUT_SECONDS = 60;

    private final EngramSlot slot;
    private Delta delta;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final VersionWatch replicated;
    private final Object applyLock = new Object();
    private final Object snapshotLock = new Object();
    /** Deltas applied from the log so far (= the Engram version they reach); guarded by applyLock. */
    private long appliedVersion;
    private volatile Path smDir;
    private volatile int rebuilds;
    /** What Ratis sends a follower: the snapshot file and its Engram directory's files (null before a snapshot). */
    private volatile FileListSnapshotInfo latest;

    /**
     * @param slot       the node's engine (opened by the caller; this writes to it, nothing else may, and rebuilds
     *                   it from a snapshot the leader installs).
     * @param replicated told each version applied (so {@code awaitReplicated} can wait for it).
     */
    public EngramStateMachine(final EngramSlot slot, final VersionWatch replicated)
    {
        this.slot = slot;
        this.delta = slot.get().newDelta();
        this.replicated = replicated;
    }

    @Override
    public void initialize(final RaftServer server, final RaftGroupId groupId, final RaftStorage raftStorage)
        throws IOException
    {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        smDir = raftStorage.getStorageDir().getStateMachineDir().toPath();
        // RUNNING once loaded: pause() (before a snapshot install) only moves a RUNNING state machine to PAUSED, and
        // Ratis asserts PAUSED before it reloads (a state machine left NEW failed that assertion and stopped the node)
        getLifeCycle().startAndTransition(() -> load(storage.loadLatestSnapshot()), IOException.class);
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
                latest = null;
                return;
            }
            final SnapshotFile file = SnapshotFile.read(snapshot.getFile().getPath());
            if (file.index() != snapshot.getIndex() || file.term() != snapshot.getTerm())
            {
                throw new IOException("replica snapshot " + snapshot.getFile().getPath() + " names term " + file.term() +
                    " index " + file.index() + " but its file name says " + snapshot.getTermIndex());
            }
            final Path dir = smDir.resolve(EngramSnapshotDir.name(file.term(), file.index()));
            long held = slot.get().lastAppendedVersion();
            if (held < file.version())
            {
                // a snapshot the leader installed (or one this node took, with its Engram lost since): rebuild from it
                if (!Files.isDirectory(dir))
                {
                    throw new IOException("this node's Engram holds version " + held + " but its replica snapshot (" +
                        snapshot.getFile().getPath() + ") says it held " + file.version() + " and the snapshot's Engram " +
                        "files (" + dir + ") are missing: delete the node's directory and start it empty, so it " +
                        "installs the leader's snapshot");
                }
                final Engram rebuilt = slot.rebuildFrom(dir);
                rebuilds++;
                delta = rebuilt.newDelta();
                held = rebuilt.lastAppendedVersion();
                if (held < file.version())
                {
                    throw new IOException("the Engram rebuilt from replica snapshot " + dir + " holds version " + held +
                        " but the snapshot says " + file.version() + ": the snapshot is incomplete");
                }
            }
            latest = snapshotInfo(snapshot.getFile().getPath(), dir, snapshot.getTermIndex());
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
        final Engram engram = slot.get();
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

    /**
     * A read request, answered once this node applied at least the leader's commit index as it was when the read
     * started (Ratis' ReadIndex, docs/replication.md "Reads"): the reply is the version this node's Engram applied from
     * the log (8 bytes, little-endian). The caller then waits until that version is visible to its reads.
     */
    @Override
    public CompletableFuture<Message> query(final Message request)
    {
        final ByteBuffer reply = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        reply.putLong(appliedVersion()).flip();
        return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(reply)));
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
     * snapshot), with the Engram files a node behind the purged log rebuilds from ({@link EngramSnapshotDir}). Keeps
     * this snapshot and the one before (the leader may still be sending it) and removes older ones.
     */
    @Override
    public long takeSnapshot() throws IOException
    {
        synchronized (snapshotLock)   // Ratis' automatic trigger and ReplicatedEngram.snapshot() may meet
        {
            try
            {
                return takeSnapshotLocked();
            }
            catch (final RuntimeException e)
            {
                // Ratis stops the node on anything but an IOException from here (and its updater thread then spun,
                // logging the failure); a failed snapshot leaves the log and the previous snapshot, so the node goes on
                throw new IOException("replica snapshot failed: " + e, e);
            }
        }
    }

    private long takeSnapshotLocked() throws IOException
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
        if (version == 0)
        {
            // only Raft's own entries applied (a new leader's first entry, configurations): no Engram state to keep,
            // and the Engram has nothing to checkpoint; Ratis asks for one when a node stops
            return latest == null ? RaftLog.INVALID_LOG_INDEX : latest.getIndex();
        }
        final FileListSnapshotInfo previous = latest;
        if (previous != null && previous.getIndex() >= last.getIndex())
        {
            return previous.getIndex();   // nothing applied since
        }
        final Engram engram = slot.get();
        engram.checkpoint();
        if (!engram.awaitSynced(version, SNAPSHOT_SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS))
        {
            throw new IOException("replica snapshot: Engram version " + version + " not synced within " +
                SNAPSHOT_SYNC_TIMEOUT_SECONDS + " s");
        }
        // the Engram files first, then the snapshot file that names them: a crash between leaves the older snapshot
        final long held = EngramSnapshotDir.build(smDir, last.getTerm(), last.getIndex(), engram,
            TimeUnit.SECONDS.toMillis(SNAPSHOT_SYNC_TIMEOUT_SECONDS));
        if (held < version)
        {
            throw new IOException("replica snapshot: the Engram files copied hold version " + held + ", before the " +
                "applied version " + version);
        }
        final java.io.File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        new SnapshotFile(last.getTerm(), last.getIndex(), version).write(file.toPath());
        final var md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        latest = snapshotInfo(file.toPath(), smDir.resolve(EngramSnapshotDir.name(last.getTerm(), last.getIndex())), last);
        // keep this snapshot and the one before (the leader may still be sending it to a follower)
        removeOlderThan(previous == null ? last : previous.getTermIndex());
        return last.getIndex();
    }

    private static FileListSnapshotInfo snapshotInfo(final Path file, final Path dir, final TermIndex termIndex)
        throws IOException
    {
        final List<FileInfo> files = new ArrayList<>();
        files.add(new FileInfo(file, null));   // a null digest: Ratis computes the MD5 as it reads each file
        if (Files.isDirectory(dir))   // absent for a snapshot taken before snapshots carried the Engram's files
        {
            for (final Path p : EngramSnapshotDir.files(dir))
            {
                files.add(new FileInfo(p, null));
            }
        }
        return new FileListSnapshotInfo(files, termIndex);
    }

    /** Remove snapshot files and Engram directories of snapshots older than {@code oldestKept}. */
    private void removeOlderThan(final TermIndex oldestKept) throws IOException
    {
        try (Stream<Path> list = Files.list(smDir))
        {
            for (final Path p : list.toList())
            {
                final String name = p.getFileName().toString();
                final Matcher m = SNAPSHOT_NAME.matcher(name);
                if (m.matches() && Long.parseLong(m.group(2)) < oldestKept.getIndex())
                {
                    EngramSnapshotDir.deleteTree(p);
                }
            }
        }
    }

    private static final java.util.regex.Pattern SNAPSHOT_NAME =
        java.util.regex.Pattern.compile("(?:snapshot|engram)\\.(\\d+)_(\\d+)(?:\\.md5|\\.tmp)?");

    @Override
    public SnapshotInfo getLatestSnapshot()
    {
        return latest;
    }

    @Override
    public StateMachineStorage getStateMachineStorage()
    {
        return storage;
    }

    /** @return how many times the Engram was rebuilt from a snapshot's files since this state machine was made. */
    public int rebuilds()
    {
        return rebuilds;
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
