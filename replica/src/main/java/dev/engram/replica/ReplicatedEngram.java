package dev.engram.replica;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.journal.Delta;
import dev.engram.recovery.KeyHistory;
import dev.engram.replica.internal.Batcher;
import dev.engram.replica.internal.EngramSlot;
import dev.engram.replica.internal.EngramStateMachine;
import dev.engram.replica.internal.RaftSetup;
import dev.engram.replica.internal.ReadBarrier;
import dev.engram.replica.internal.TlsMaterial;
import dev.engram.replica.internal.VersionWatch;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.exceptions.NotLeaderException;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * One node of a replica group: a full {@link Engram} on the node's own directory, kept identical to the other nodes'
 * by Apache Ratis (Raft). The leader takes writes; deltas travel in batches as Raft entries and every node, the
 * leader included, applies each committed entry into its Engram in log order, so every node holds the same versions
 * (dense: 1, 2, 3, ... across leaders) and the same state. When the leader dies, the others elect a new one within
 * about a second and it takes writes; a node that is not the leader refuses them with
 * {@link ReplicaNotLeaderException} naming the leader.
 * <pre>{@code
 * try (ReplicatedEngram node = ReplicatedEngram.open(settings)) {   // settings: ReplicaSettings
 *     if (node.isLeader()) {
 *         long v = node.commit(node.newDelta().put("user/42", bytes));   // committed on a majority, applied here
 *     }
 *     byte[] value = node.get("user/42");                              // this node's copy
 * }
 * }</pre>
 * <b>Versions</b> are assigned as entries apply (docs/replication.md, "Versions"): a write's version is known once
 * the group has committed it, so {@link #append} returns a future and {@link #commit} waits. <b>Reads</b> are served
 * from the node's own copy at the consistency of {@link ReplicaSettings#readConsistency}: {@link ReadConsistency#LOCAL}
 * by default (a follower may be behind the leader by the entries in flight), {@link ReadConsistency#LINEARIZABLE}
 * (Raft ReadIndex) or {@link ReadConsistency#BOUNDED_STALENESS}; {@link #readBarrier} asks for one once. Thread-safe.
 */
public final class ReplicatedEngram implements AutoCloseable
{
    private final ReplicaSettings settings;
    private final EngramSlot slot;
    private final EngramContext ctx;
    private final RaftServer server;
    private final RaftGroupId groupId;
    private final RaftPeerId peerId;
    private final VersionWatch replicated;
    private final Batcher batcher;
    private final ClientId clientId = ClientId.randomId();
    private final AtomicLong callIds = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ReadBarrier reads;
    /** The message of a read request (any bytes but Ratis' "DUMMY", which Ratis answers without the query). */
    private static final Message READ_VERSION = Message.valueOf("applied-version");
    private static final long READ_RETRY_FIRST_PAUSE_MS = 10;
    private static final long READ_RETRY_MAX_PAUSE_MS = 200;

    private ReplicatedEngram(final ReplicaSettings settings, final EngramSlot slot, final EngramContext ctx,
        final RaftServer server, final RaftGroupId groupId, final VersionWatch replicated)
    {
        this.settings = settings;
        this.slot = slot;
        this.ctx = ctx;
        this.server = server;
        this.groupId = groupId;
        this.peerId = RaftPeerId.valueOf(settings.nodeId());
        this.replicated = replicated;
        this.batcher = new Batcher("engram-replica-batcher-" + settings.nodeId(), this::propose,
            settings.maxBatchDeltas(), settings.maxBatchBytes(), settings.maxBatchesInFlight(),
            settings.batchLinger().toNanos());
        this.reads = new ReadBarrier(this::confirmRead);
    }

    /**
     * Open this node: its Engram (recovering it), then its Raft server, which replays the node's log after its last
     * snapshot and joins the group. Returns at once; a leader is elected in the background ({@link #leaderId()}).
     *
     * @throws IllegalArgumentException if the settings are incomplete or inconsistent, or a TLS file is missing,
     *                                  unreadable or does not pass the checks of {@link ReplicaTls} (nothing started).
     * @throws UncheckedIOException     if the Raft server cannot start (port in use, storage unreadable).
     */
    public static ReplicatedEngram open(final ReplicaSettings settings)
    {
        settings.validate();
        final String own = settings.peers().get(settings.nodeId());
        final String host = own.substring(0, own.lastIndexOf(':'));
        // TLS key material is read and checked before anything starts (a clear error naming the file)
        final TlsMaterial tls = settings.tls() == null ? null :
            settings.tls().load(settings.nodeId(), host.startsWith("[") && host.endsWith("]") ?
                host.substring(1, host.length() - 1) : host);
        final Path engramDir = settings.directory().resolve("engram");
        final Path raftDir = settings.directory().resolve("raft");
        final RaftGroupId groupId = RaftGroupId.valueOf(settings.groupId());
        final boolean raftExists = Files.isDirectory(raftDir.resolve(groupId.getUuid().toString()));
        final EngramContext ctx = settings.engramContext().get();
        final Engram engram = Engram.open(engramDir, ctx);
        final EngramSlot slot = new EngramSlot(engramDir, settings.engramContext(), engram);
        try
        {
            if (!raftExists && engram.lastAppendedVersion() > 0)
            {
                throw new IllegalStateException("node " + settings.nodeId() + ": " + engramDir + " holds versions up to " +
                    engram.lastAppendedVersion() + " but " + raftDir + " has no Raft log of group " + settings.groupId() +
                    ": a replica's Engram must only be written through its group (start the node on an empty directory)");
            }
            Files.createDirectories(raftDir);
            final List<RaftPeer> peers = new ArrayList<>();
            for (final Map.Entry<String, String> peer : settings.peers().entrySet())
            {
                peers.add(RaftPeer.newBuilder().setId(peer.getKey()).setAddress(peer.getValue()).build());
            }
            final int port = Integer.parseInt(own.substring(own.lastIndexOf(':') + 1));
            final RaftProperties properties = RaftSetup.properties(raftDir.toFile(), settings.bindHost(), port,
                settings.electionTimeoutMin(), settings.electionTimeoutMax(), settings.requestTimeout(),
                settings.maxBatchBytes(), settings.snapshotEveryEntries(), settings.logSegmentBytes(),
                settings.logPurgeGap());
            final VersionWatch replicated = new VersionWatch();
            final EngramStateMachine stateMachine = new EngramStateMachine(slot, replicated);
            final RaftServer server = RaftServer.newBuilder()
                .setServerId(RaftPeerId.valueOf(settings.nodeId()))
                // a joining node starts with no configuration: the leader's addNode gives it one
                .setGroup(settings.joining() && !raftExists ? RaftGroup.valueOf(groupId) : RaftGroup.valueOf(groupId, peers))
                .setStateMachine(stateMachine)
                .setProperties(properties)
                .setParameters(RaftSetup.parameters(tls))
                .setOption(raftExists ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
                .build();
            try
            {
                server.start();
            }
            catch (final IOException | RuntimeException e)
            {
                closeQuietly(server);
                throw e;
            }
            return new ReplicatedEngram(settings, slot, ctx, server, groupId, replicated);
        }
        catch (final IOException e)
        {
            slot.close();
            throw new UncheckedIOException("node " + settings.nodeId() + " could not start its Raft server: " + e, e);
        }
        catch (final RuntimeException e)
        {
            slot.close();
            throw e;
        }
    }

    /** @return this node's id. */
    public String nodeId()
    {
        return settings.nodeId();
    }

    /**
     * @return true if this node leads the group now and takes writes (a node just elected first applies the entries
     * of earlier terms, and only then says true).
     */
    public boolean isLeader()
    {
        if (closed.get())
        {
            return false;
        }
        final DivisionInfo info = info();
        return info.isLeader() && info.isLeaderReady();
    }

    /**
     * @return the leader's node id as this node knows it, or null while none is known (an election is running, or
     * this node is cut off).
     */
    public String leaderId()
    {
        final RaftPeerId leader = info().getLeaderId();
        return leader == null ? null : leader.toString();
    }

    /** @return this node's current Raft term (grows with every election it sees). */
    public long term()
    {
        return info().getCurrentTerm();
    }

    /**
     * @return a new, empty delta with this node's Engram limits (keep one per producer thread and clear it).
     */
    public Delta newDelta()
    {
        return slot.get().newDelta();
    }

    /**
     * Replicate {@code delta} (its ops are copied: the caller may clear and reuse it at once). Does not wait for
     * Raft: the delta joins the batch being formed.
     *
     * @return completes with the delta's version once a majority has committed it and this node applied it; fails
     * with {@link ReplicationException} (a {@link ReplicaNotLeaderException} if leadership was lost meanwhile:
     * see {@link ReplicationException#mayHaveCommitted()}).
     * @throws ReplicaNotLeaderException if this node is not the leader (the delta was not proposed).
     * @throws ReplicationException      if this node was just elected and still applies earlier entries (retry).
     * @throws IllegalArgumentException  if the delta is empty or too large.
     */
    public CompletableFuture<Long> append(final Delta delta)
    {
        ensureOpen();
        checkLeader(false);
        if (delta.opCount() == 0)
        {
            throw new IllegalArgumentException("delta has no ops");
        }
        if (delta.frameLength() > ctx.journal().maxDeltaLength())
        {
            throw new IllegalArgumentException("delta too large: frameLength=" + delta.frameLength() +
                " maxDeltaLength=" + ctx.journal().maxDeltaLength());
        }
        try
        {
            return batcher.offer(delta);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new ReplicationException("interrupted while the batch was full; the delta was not proposed", false, e);
        }
    }

    /**
     * Replicate {@code delta} and wait until a majority committed it and this node applied it (then this node's reads
     * see it).
     *
     * @return its version.
     * @throws ReplicaNotLeaderException if this node is not the leader or lost leadership (see
     *                                   {@link ReplicationException#mayHaveCommitted()}).
     * @throws ReplicationException      on timeout ({@link ReplicaSettings#requestTimeout}) or another failure.
     */
    public long commit(final Delta delta)
    {
        final CompletableFuture<Long> future = append(delta);
        final long timeoutMs = settings.requestTimeout().toMillis();
        final long version;
        try
        {
            version = future.get(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException e)
        {
            throw asReplicationException(e.getCause());
        }
        catch (final TimeoutException e)
        {
            throw new ReplicationException("node " + nodeId() + ": the delta was not committed within " + timeoutMs +
                " ms (no majority reachable?)", true, e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new ReplicationException("interrupted while waiting for the commit", true, e);
        }
        if (!slot.get().awaitApplied(version, timeoutMs, TimeUnit.MILLISECONDS))
        {
            throw new ReplicationException("node " + nodeId() + ": version " + version + " was committed but is not " +
                "visible to reads after " + timeoutMs + " ms", true, null);
        }
        return version;
    }

    /**
     * Wait until {@code version} is committed by a majority of the group and applied on this node (on the leader, a
     * version it handed out; on a follower, one it has caught up to).
     *
     * @return false on timeout.
     */
    public boolean awaitReplicated(final long version, final long timeout, final TimeUnit unit)
    {
        try
        {
            return replicated.await(version, timeout, unit);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** @return the highest version this node knows the group committed (and applied here). */
    public long replicatedVersion()
    {
        return replicated.version();
    }

    /** @return the highest version this node's reads see. */
    public long appliedVersion()
    {
        return slot.get().appliedVersion();
    }

    /** Wait until {@code version} is visible to this node's reads. @return false on timeout. */
    public boolean awaitApplied(final long version, final long timeout, final TimeUnit unit)
    {
        return slot.get().awaitApplied(version, timeout, unit);
    }

    /**
     * Make this node's reads at least as fresh as {@code consistency} asks (docs/replication.md, "Reads"): for
     * {@link ReadConsistency#LINEARIZABLE}, a Raft ReadIndex round with the leader, then a wait until this node applied
     * the leader's commit index; for {@link ReadConsistency#BOUNDED_STALENESS}, the same round only when the last one
     * is older than {@link ReplicaSettings#maxStaleness}; for {@link ReadConsistency#LOCAL}, nothing. The reads that
     * follow on this node see at least the returned version. The read methods ({@link #get}, {@link #contains},
     * {@link #keys}, {@link #forEach}, {@link #history}) call this with {@link ReplicaSettings#readConsistency} first;
     * with the default, {@code LOCAL}, call it yourself before a group of reads that must be fresh.
     *
     * @return the Engram version this node's reads now see at least.
     * @throws ReplicaReadException if the node could not confirm its state within {@link ReplicaSettings#requestTimeout}
     *                              (no leader with a majority reachable, or this node could not catch up).
     */
    public long readBarrier(final ReadConsistency consistency)
    {
        ensureOpen();
        final long timeoutNanos = settings.requestTimeout().toNanos();
        final long version;
        try
        {
            switch (consistency)
            {
                case LOCAL:
                    return slot.get().appliedVersion();
                case LINEARIZABLE:
                    version = reads.linearizable(timeoutNanos);
                    break;
                case BOUNDED_STALENESS:
                    version = reads.bounded(settings.maxStaleness().toNanos(), timeoutNanos);
                    break;
                default:
                    throw new IllegalArgumentException("unknown read consistency " + consistency);
            }
        }
        catch (final ExecutionException e)
        {
            throw readRefused(consistency, "it could not confirm its state with a leader: " + rootCause(e), e.getCause());
        }
        catch (final TimeoutException e)
        {
            throw readRefused(consistency, "it could not confirm its state with a leader within " +
                settings.requestTimeout().toMillis() + " ms (no leader with a majority reachable, or this node cannot " +
                "catch up)", e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw readRefused(consistency, "interrupted", e);
        }
        if (!slot.get().awaitApplied(version, settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS))
        {
            throw readRefused(consistency, "version " + version + " was applied but is not visible to reads after " +
                settings.requestTimeout().toMillis() + " ms", null);
        }
        return version;
    }

    private void readBarrier()
    {
        if (settings.readConsistency() != ReadConsistency.LOCAL)
        {
            readBarrier(settings.readConsistency());
        }
    }

    private ReplicaReadException readRefused(final ReadConsistency consistency, final String why, final Throwable cause)
    {
        final long age = reads.confirmationAgeNanos();
        final String leader = closed.get() ? null : leaderIdOrNull();
        return new ReplicaReadException(nodeId(), consistency, why + "; leader known: " +
            (leader == null ? "none" : leader) + "; last confirmation: " +
            (age < 0 ? "never" : TimeUnit.NANOSECONDS.toMillis(age) + " ms ago") +
            (consistency == ReadConsistency.BOUNDED_STALENESS ? " (bound " + settings.maxStaleness().toMillis() + " ms)" : "") +
            ". Retry, read on another node, or read LOCAL", cause);
    }

    private String leaderIdOrNull()
    {
        try
        {
            return leaderId();
        }
        catch (final RuntimeException e)
        {
            return null;
        }
    }

    private static String rootCause(final Throwable e)
    {
        Throwable cause = e;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException) && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        return String.valueOf(cause);
    }

    /**
     * A ReadIndex round on this node's Raft server: completes with the version this node applied once it reached
     * the leader's commit index (the state machine's query), or fails after trying until the request timeout.
     */
    private CompletableFuture<Long> confirmRead()
    {
        final long deadline = System.nanoTime() + settings.requestTimeout().toNanos();
        final CompletableFuture<Long> result = new CompletableFuture<>();
        confirmRead(deadline, READ_RETRY_FIRST_PAUSE_MS, result);
        return result;
    }

    /**
     * A round that fails (no leader known yet, the leader's connection not up again, a leader change) changed nothing,
     * so it is tried again, with a pause doubling up to {@link #READ_RETRY_MAX_PAUSE_MS}, until the deadline.
     */
    private void confirmRead(final long deadline, final long pauseMs, final CompletableFuture<Long> result)
    {
        confirmReadOnce(deadline).whenComplete((version, failure) ->
        {
            if (failure == null)
            {
                result.complete(version);
                return;
            }
            final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (closed.get() || leftMs <= pauseMs)
            {
                result.completeExceptionally(failure);
                return;
            }
            CompletableFuture.delayedExecutor(pauseMs, TimeUnit.MILLISECONDS).execute(() ->
                confirmRead(deadline, Math.min(2 * pauseMs, READ_RETRY_MAX_PAUSE_MS), result));
        });
    }

    private CompletableFuture<Long> confirmReadOnce(final long deadline)
    {
        final RaftClientRequest request = RaftClientRequest.newBuilder()
            .setClientId(clientId)
            .setServerId(peerId)
            .setGroupId(groupId)
            .setCallId(callIds.incrementAndGet())
            .setMessage(READ_VERSION)
            .setType(RaftClientRequest.readRequestType())
            .build();
        final CompletableFuture<RaftClientReply> reply;
        try
        {
            reply = server.submitClientRequestAsync(request);
        }
        catch (final IOException | RuntimeException e)
        {
            return CompletableFuture.failedFuture(e);
        }
        return reply.orTimeout(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())),
            TimeUnit.MILLISECONDS).thenApply(r ->
        {
            if (!r.isSuccess())
            {
                throw new CompletionException(r.getException() != null ? r.getException() :
                    new IOException("read refused by Raft: " + r));
            }
            return r.getMessage().getContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        });
    }

    /**
     * @return this node's copy of the key's value, or null (at {@link ReplicaSettings#readConsistency}).
     * @throws ReplicaReadException if a linearizable or bounded-staleness read cannot be served.
     */
    public byte[] get(final CharSequence key)
    {
        readBarrier();
        return slot.get().get(key);
    }

    /** @return this node's copy of a typed value, or null (see {@link Engram#get(CharSequence, Class)}; read as {@link #get(CharSequence)}). */
    public <T> T get(final CharSequence key, final Class<T> type)
    {
        readBarrier();
        return slot.get().get(key, type);
    }

    /** @return true if the key has a value on this node (read as {@link #get(CharSequence)}). */
    public boolean contains(final CharSequence key)
    {
        readBarrier();
        return slot.get().contains(key);
    }

    /** @return keys with {@code prefix} on this node (read as {@link #get(CharSequence)}). */
    public List<String> keys(final CharSequence prefix)
    {
        readBarrier();
        return slot.get().keys(prefix);
    }

    /** Visit this node's keys with {@code prefix} (see {@link Engram#forEach}; read as {@link #get(CharSequence)}). @return keys visited. */
    public long forEach(final CharSequence prefix, final BiConsumer<String, byte[]> consumer)
    {
        readBarrier();
        return slot.get().forEach(prefix, consumer);
    }

    /** @return the versions at which {@code key} changed on this node (the same on every node; read as {@link #get(CharSequence)}). */
    public KeyHistory history(final String key)
    {
        readBarrier();
        return slot.get().history(key);
    }

    /**
     * Take a snapshot now: a checkpoint of this node's Engram, synced, the Engram files a node behind the purged log
     * rebuilds from, and a record of the last applied log entry (docs/replication.md, "Snapshots"). A restart replays
     * the log from there; the log before it is purged. Automatic snapshots: {@link ReplicaSettings#snapshotEveryEntries}.
     *
     * @return the log index the snapshot stands at (-1 if nothing was applied yet).
     */
    public long snapshot()
    {
        ensureOpen();
        try
        {
            return server.getDivision(groupId).getStateMachine().takeSnapshot();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("node " + nodeId() + ": snapshot failed: " + e.getMessage(), e);
        }
    }

    /**
     * Add a node to the group online (call on the leader). The node must be running with
     * {@link ReplicaSettings#joining(boolean)} on an empty directory. Ratis' leader first catches the node up (it
     * installs the leader's snapshot, then the log), then commits the new configuration; this returns once that is
     * committed. Writes go on meanwhile.
     *
     * @param id      the new node's id.
     * @param address its Raft address, host:port.
     * @throws ReplicaNotLeaderException if this node is not the leader.
     * @throws ReplicationException      if the change was refused or not committed within the request timeout.
     */
    public void addNode(final String id, final String address)
    {
        final List<RaftPeer> peers = new ArrayList<>(members(true));
        if (peers.stream().anyMatch(p -> p.getId().toString().equals(id)))
        {
            throw new IllegalArgumentException("node " + id + " is already a member: " + members());
        }
        peers.add(RaftPeer.newBuilder().setId(id).setAddress(address).build());
        changeMembers(peers, "add " + id + " at " + address);
    }

    /**
     * Remove a node from the group online (call on the leader; the leader itself may be removed: it then steps down
     * and the others elect one). Returns once the new configuration is committed; the removed node may then be closed.
     *
     * @throws ReplicaNotLeaderException if this node is not the leader.
     * @throws ReplicationException      if the change was refused or not committed within the request timeout.
     */
    public void removeNode(final String id)
    {
        final List<RaftPeer> peers = new ArrayList<>(members(true));
        if (!peers.removeIf(p -> p.getId().toString().equals(id)))
        {
            throw new IllegalArgumentException("node " + id + " is not a member: " + members());
        }
        changeMembers(peers, "remove " + id);
    }

    /** @return the group's members as this node knows them (its committed or pending configuration), id to address. */
    public Map<String, String> members()
    {
        final Map<String, String> members = new java.util.LinkedHashMap<>();
        for (final RaftPeer peer : members(false))
        {
            members.put(peer.getId().toString(), peer.getAddress());
        }
        return members;
    }

    private java.util.Collection<RaftPeer> members(final boolean leader)
    {
        ensureOpen();
        if (leader)
        {
            checkLeader(false);
        }
        try
        {
            return server.getDivision(groupId).getRaftConf().getCurrentPeers();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("node " + nodeId() + ": its Raft group is not running: " + e, e);
        }
    }

    private void changeMembers(final List<RaftPeer> peers, final String what)
    {
        final SetConfigurationRequest request = new SetConfigurationRequest(clientId, peerId, groupId,
            callIds.incrementAndGet(), peers);
        final long timeoutMs = settings.requestTimeout().toMillis();
        final RaftClientReply reply;
        try
        {
            reply = server.setConfigurationAsync(request).get(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final IOException | ExecutionException e)
        {
            throw asReplicationException(e instanceof ExecutionException ? e.getCause() : e);
        }
        catch (final TimeoutException e)
        {
            throw new ReplicationException("node " + nodeId() + ": membership change (" + what + ") not committed " +
                "within " + timeoutMs + " ms (the new node still catching up, or no majority)", true, e);
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
            throw new ReplicationException("interrupted during a membership change (" + what + ")", true, e);
        }
        if (!reply.isSuccess())
        {
            throw failed(reply, 0);
        }
    }

    /** For tests: the first index this node's Raft log still holds (entries before it were purged). */
    long raftLogStartIndex() throws IOException
    {
        return server.getDivision(groupId).getRaftLog().getStartIndex();
    }

    /** For tests: the index of the last log entry this node applied. */
    long lastAppliedIndex() throws IOException
    {
        return server.getDivision(groupId).getInfo().getLastAppliedIndex();
    }

    /** For tests: this node's Raft division (its log, state and server protocol). */
    RaftServer.Division division() throws IOException
    {
        return server.getDivision(groupId);
    }

    /** For tests: this node's Raft server (the server protocol the leader's calls arrive on). */
    RaftServer raftServer()
    {
        return server;
    }

    /** For tests: how many times this node rebuilt its Engram from a snapshot since it opened. */
    int snapshotInstalls() throws IOException
    {
        return ((EngramStateMachine)server.getDivision(groupId).getStateMachine()).rebuilds();
    }

    /**
     * Stop this node: writes not yet proposed fail, the Raft server stops (a leader's followers elect another), the
     * Engram closes.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        try
        {
            batcher.close();
        }
        finally
        {
            try
            {
                closeQuietly(server);
            }
            finally
            {
                slot.close();
            }
        }
    }

    private CompletableFuture<Long> propose(final byte[] batch, final int count)
    {
        checkLeader(true);
        final RaftClientRequest request = RaftClientRequest.newBuilder()
            .setClientId(clientId)
            .setServerId(peerId)
            .setGroupId(groupId)
            .setCallId(callIds.incrementAndGet())
            .setMessage(Message.valueOf(UnsafeByteOperations.unsafeWrap(batch)))
            .setType(RaftClientRequest.writeRequestType())
            .build();
        final CompletableFuture<RaftClientReply> reply;
        try
        {
            reply = server.submitClientRequestAsync(request);
        }
        catch (final IOException e)
        {
            throw new ReplicationException("node " + nodeId() + ": batch of " + count + " deltas not proposed: " + e, false, e);
        }
        return reply.handle((r, failure) ->
        {
            if (failure != null)
            {
                throw asReplicationException(failure);
            }
            if (!r.isSuccess())
            {
                throw failed(r, count);
            }
            final ByteBuffer bytes = r.getMessage().getContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            return bytes.getLong(0);
        });
    }

    private ReplicationException failed(final RaftClientReply reply, final int count)
    {
        final NotLeaderException notLeader = reply.getNotLeaderException();
        if (notLeader != null)
        {
            final RaftPeer suggested = notLeader.getSuggestedLeader();
            return new ReplicaNotLeaderException(nodeId(), suggested == null ? null : suggested.getId().toString(),
                suggested == null ? null : suggested.getAddress(), true);
        }
        if (reply.getLeaderNotReadyException() != null)
        {
            return new ReplicationException("node " + nodeId() + " was just elected leader and still applies earlier " +
                "entries; the batch of " + count + " deltas was not proposed: retry", false, reply.getException());
        }
        return new ReplicationException("node " + nodeId() + ": batch of " + count + " deltas failed: " +
            reply.getException(), true, reply.getException());
    }

    private static ReplicationException asReplicationException(final Throwable failure)
    {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        if (cause instanceof ReplicationException e)
        {
            return e;
        }
        return new ReplicationException("replicated write failed: " + cause, true, cause);
    }

    /**
     * @param proposed true when called as a batch is proposed (the deltas in it were accepted while leading).
     */
    private void checkLeader(final boolean proposed)
    {
        final DivisionInfo info = info();
        if (!info.isLeader())
        {
            final RaftPeerId leader = info.getLeaderId();
            final String leaderId = leader == null || leader.equals(peerId) ? null : leader.toString();
            throw new ReplicaNotLeaderException(nodeId(), leaderId,
                leaderId == null ? null : addressOf(leader), false);
        }
        if (!proposed && !info.isLeaderReady())
        {
            throw new ReplicationException("node " + nodeId() + " was just elected leader and still applies earlier " +
                "entries; the delta was not proposed: retry", false, null);
        }
    }

    /** @return a member's address from the group's configuration (members added later are not in the settings). */
    private String addressOf(final RaftPeerId id)
    {
        try
        {
            final RaftPeer peer = server.getDivision(groupId).getRaftConf().getPeer(id);
            return peer != null ? peer.getAddress() : settings.peers().get(id.toString());
        }
        catch (final IOException e)
        {
            return settings.peers().get(id.toString());
        }
    }

    private DivisionInfo info()
    {
        try
        {
            return server.getDivision(groupId).getInfo();
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("node " + nodeId() + ": its Raft group is not running: " + e, e);
        }
    }

    private void ensureOpen()
    {
        if (closed.get())
        {
            throw new IllegalStateException("replica node " + nodeId() + " is closed");
        }
    }

    private static void closeQuietly(final RaftServer server)
    {
        try
        {
            server.close();
        }
        catch (final IOException | RuntimeException e)
        {
            // closing: nothing left to do with a failure
        }
    }
}
