package dev.engram.replica;

import dev.engram.engine.EngramContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Settings of one node of a replica group (docs/replication.md, "Settings"): who the group is, where this node keeps
 * its state, how writes are batched into Raft entries and the Raft timeouts. Fluent; every node of a group is given
 * the same group id and peers, and its own node id and directory.
 * <pre>{@code
 * ReplicaSettings settings = new ReplicaSettings()
 *     .groupId(groupId)                                   // the same UUID on every node
 *     .peer("a", "127.0.0.1:7001").peer("b", "127.0.0.1:7002").peer("c", "127.0.0.1:7003")
 *     .nodeId("a")
 *     .directory(Path.of("node-a"));                      // engram/ and raft/ inside
 * }</pre>
 */
public final class ReplicaSettings
{
    /** Default largest number of deltas in one Raft entry. */
    public static final int MAX_BATCH_DELTAS_DEFAULT = 4096;
    /** Default largest encoded size of one Raft entry (a single delta may not exceed it). */
    public static final int MAX_BATCH_BYTES_DEFAULT = 1 << 20;
    /** Default number of batches proposed and not yet applied on the leader. */
    public static final int MAX_BATCHES_IN_FLIGHT_DEFAULT = 4;
    /** Default number of log entries applied between two automatic snapshots. */
    public static final long SNAPSHOT_EVERY_ENTRIES_DEFAULT = 10_000;
    /** Default size of one Raft log segment file (the unit the log is purged in). */
    public static final long LOG_SEGMENT_BYTES_DEFAULT = 32L << 20;
    /** Default number of entries a snapshot must be past the last purge before the log is purged again. */
    public static final int LOG_PURGE_GAP_DEFAULT = 1024;
    /** Default bound of a {@link ReadConsistency#BOUNDED_STALENESS} read. */
    public static final Duration MAX_STALENESS_DEFAULT = Duration.ofSeconds(1);

    private UUID groupId;
    private final Map<String, String> peers = new LinkedHashMap<>();
    private String nodeId;
    private Path directory;
    private String bindHost = "127.0.0.1";
    private Supplier<EngramContext> engramContext = EngramContext::new;
    private int maxBatchDeltas = MAX_BATCH_DELTAS_DEFAULT;
    private int maxBatchBytes = MAX_BATCH_BYTES_DEFAULT;
    private int maxBatchesInFlight = MAX_BATCHES_IN_FLIGHT_DEFAULT;
    private Duration batchLinger = Duration.ZERO;
    private Duration electionTimeoutMin = Duration.ofMillis(150);
    private Duration electionTimeoutMax = Duration.ofMillis(300);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private long snapshotEveryEntries = SNAPSHOT_EVERY_ENTRIES_DEFAULT;
    private long logSegmentBytes = LOG_SEGMENT_BYTES_DEFAULT;
    private int logPurgeGap = LOG_PURGE_GAP_DEFAULT;
    private boolean joining;
    private ReadConsistency readConsistency = ReadConsistency.LOCAL;
    private Duration maxStaleness = MAX_STALENESS_DEFAULT;
    private ReplicaTls tls;

    /** @param groupId the group's id, the same on every node (a node of another group is refused). @return this. */
    public ReplicaSettings groupId(final UUID groupId)
    {
        this.groupId = Objects.requireNonNull(groupId, "groupId");
        return this;
    }

    /**
     * Add a member of the group (every member, this node included, in the same order on every node).
     *
     * @param id      the member's node id (letters, digits, '-', '_').
     * @param address its Raft address, host:port.
     * @return this.
     */
    public ReplicaSettings peer(final String id, final String address)
    {
        if (id == null || !id.matches("[A-Za-z0-9_-]{1,64}"))
        {
            throw new IllegalArgumentException("peer id must be 1-64 letters, digits, '-' or '_': id=" + id);
        }
        if (address == null || address.lastIndexOf(':') < 1)
        {
            throw new IllegalArgumentException("peer address must be host:port: id=" + id + " address=" + address);
        }
        if (peers.putIfAbsent(id, address) != null)
        {
            throw new IllegalArgumentException("peer " + id + " given twice");
        }
        return this;
    }

    /**
     * A node that joins a running group (docs/replication.md, "Membership"): started on an empty directory with no
     * Raft configuration of its own, it waits until the group's leader adds it ({@link ReplicatedEngram#addNode}),
     * then installs the leader's snapshot and catches up from the log. Its peers need only hold its own address
     * (others are learnt from the group). Ignored once the node's Raft directory exists (a restart).
     *
     * @param joining true to join.
     * @return this.
     */
    public ReplicaSettings joining(final boolean joining)
    {
        this.joining = joining;
        return this;
    }

    /** @return true if this node joins a running group. */
    public boolean joining()
    {
        return joining;
    }

    /** @param nodeId this node's id (one of the peers). @return this. */
    public ReplicaSettings nodeId(final String nodeId)
    {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        return this;
    }

    /** @param directory this node's own directory: {@code engram/} (the Engram state) and {@code raft/} (the Raft log). @return this. */
    public ReplicaSettings directory(final Path directory)
    {
        this.directory = Objects.requireNonNull(directory, "directory");
        return this;
    }

    /**
     * @param bindHost the interface the node's Raft server (and its admin and client services) listen on;
     *                 127.0.0.1 unless set (never every interface by default).
     * @return this.
     */
    public ReplicaSettings bindHost(final String bindHost)
    {
        this.bindHost = Objects.requireNonNull(bindHost, "bindHost");
        return this;
    }

    /**
     * Mutual TLS for this node's Raft transport (docs/replication.md, "Security"): off by default (plaintext, which is
     * only safe on a trusted network: 127.0.0.1, or a private network only the group's machines reach). With TLS, set
     * it on every node of the group, each with its own key and the same trusted CA: a node without a certificate
     * issued by that CA, or without TLS, can then not vote, lead, take entries, serve reads or change members. The
     * files are read and checked at {@link ReplicatedEngram#open}, before anything starts.
     *
     * @param tls this node's key material and the certificates it trusts, or null for plaintext.
     * @return this.
     */
    public ReplicaSettings tls(final ReplicaTls tls)
    {
        this.tls = tls;
        return this;
    }

    /** @return the TLS settings, or null (plaintext). */
    public ReplicaTls tls()
    {
        return tls;
    }

    /**
     * @param engramContext makes the context of the node's Engram (a fresh one per open: a context belongs to one
     *                      engine); sync policy, checkpoints, codecs as for a local engine.
     * @return this.
     */
    public ReplicaSettings engramContext(final Supplier<EngramContext> engramContext)
    {
        this.engramContext = Objects.requireNonNull(engramContext, "engramContext");
        return this;
    }

    /**
     * Bound one Raft entry (a batch of deltas).
     *
     * @param maxDeltas deltas per entry (at least 1).
     * @param maxBytes  encoded bytes per entry (at least 4 KiB); a single delta larger than this is refused.
     * @return this.
     */
    public ReplicaSettings maxBatch(final int maxDeltas, final int maxBytes)
    {
        if (maxDeltas < 1 || maxBytes < 4096)
        {
            throw new IllegalArgumentException("maxBatch: maxDeltas must be >= 1 and maxBytes >= 4096: maxDeltas=" +
                maxDeltas + " maxBytes=" + maxBytes);
        }
        this.maxBatchDeltas = maxDeltas;
        this.maxBatchBytes = maxBytes;
        return this;
    }

    /**
     * @param maxBatchesInFlight batches proposed by the leader and not yet applied there (at least 1); while they
     *                           are in flight new deltas gather into the next batch.
     * @return this.
     */
    public ReplicaSettings maxBatchesInFlight(final int maxBatchesInFlight)
    {
        if (maxBatchesInFlight < 1)
        {
            throw new IllegalArgumentException("maxBatchesInFlight must be >= 1: " + maxBatchesInFlight);
        }
        this.maxBatchesInFlight = maxBatchesInFlight;
        return this;
    }

    /**
     * @param batchLinger how long the leader waits for more deltas before proposing a batch that is not full
     *                    (0, the default: propose at once; batches still form while earlier ones are in flight).
     * @return this.
     */
    public ReplicaSettings batchLinger(final Duration batchLinger)
    {
        if (batchLinger.isNegative())
        {
            throw new IllegalArgumentException("batchLinger must be >= 0: " + batchLinger);
        }
        this.batchLinger = batchLinger;
        return this;
    }

    /**
     * @param min the shortest election timeout (Raft's randomised timeout is in [min, max]).
     * @param max the longest.
     * @return this.
     */
    public ReplicaSettings electionTimeout(final Duration min, final Duration max)
    {
        if (min.toMillis() < 10 || max.compareTo(min) <= 0)
        {
            throw new IllegalArgumentException("electionTimeout: need 10 ms <= min < max: min=" + min + " max=" + max);
        }
        this.electionTimeoutMin = min;
        this.electionTimeoutMax = max;
        return this;
    }

    /**
     * @param requestTimeout how long a blocking commit waits for its batch to be committed and applied, and how long a
     *                       linearizable or bounded-staleness read waits for the leader's confirmation and the apply.
     * @return this.
     */
    public ReplicaSettings requestTimeout(final Duration requestTimeout)
    {
        if (requestTimeout.isNegative() || requestTimeout.isZero())
        {
            throw new IllegalArgumentException("requestTimeout must be > 0: " + requestTimeout);
        }
        this.requestTimeout = requestTimeout;
        return this;
    }

    /**
     * @param entries take a snapshot (an Engram checkpoint and a copy of the files to rebuild from, docs/replication.md
     *                "Snapshots") automatically each time this many log entries were applied since the last one
     *                (10,000 by default); 0 turns automatic snapshots off ({@code snapshot()} still takes one).
     * @return this.
     */
    public ReplicaSettings snapshotEveryEntries(final long entries)
    {
        if (entries < 0)
        {
            throw new IllegalArgumentException("snapshotEveryEntries must be >= 0 (0: off): " + entries);
        }
        this.snapshotEveryEntries = entries;
        return this;
    }

    /**
     * @param bytes the size of one Raft log segment file (32 MiB by default; at least 64 KiB, and raised to the
     *              largest entry, {@code maxBatchBytes} + 64 KiB, if smaller). The log is purged a whole closed segment
     *              at a time, up to the latest snapshot; a node that was down past it installs the leader's snapshot.
     * @param purgeGap entries a snapshot must be past the last purge before the log is purged again (1,024 by default).
     * @return this.
     */
    public ReplicaSettings logPurge(final long bytes, final int purgeGap)
    {
        if (bytes < 64 * 1024 || purgeGap < 1)
        {
            throw new IllegalArgumentException("logPurge: need segment bytes >= 64 KiB and purgeGap >= 1: bytes=" + bytes +
                " purgeGap=" + purgeGap);
        }
        this.logSegmentBytes = bytes;
        this.logPurgeGap = purgeGap;
        return this;
    }

    /**
     * @param readConsistency how fresh this node's reads ({@code get}, {@code contains}, {@code keys}, {@code forEach},
     *                        {@code history}) must be: {@link ReadConsistency#LOCAL} (the default: this node's copy, no
     *                        network), {@link ReadConsistency#LINEARIZABLE} (a round trip to the leader per read) or
     *                        {@link ReadConsistency#BOUNDED_STALENESS} (at most {@link #maxStaleness} behind).
     * @return this.
     */
    public ReplicaSettings readConsistency(final ReadConsistency readConsistency)
    {
        this.readConsistency = Objects.requireNonNull(readConsistency, "readConsistency");
        return this;
    }

    /**
     * @param maxStaleness how far behind the group a {@link ReadConsistency#BOUNDED_STALENESS} read may be (1 s by
     *                     default; at least 1 ms): the node serves it from its own copy only while its last confirmation
     *                     with the leader is younger than this.
     * @return this.
     */
    public ReplicaSettings maxStaleness(final Duration maxStaleness)
    {
        if (maxStaleness.toMillis() < 1)
        {
            throw new IllegalArgumentException("maxStaleness must be >= 1 ms: " + maxStaleness);
        }
        this.maxStaleness = maxStaleness;
        return this;
    }

    /** @return the consistency of this node's reads. */
    public ReadConsistency readConsistency()
    {
        return readConsistency;
    }

    /** @return the bound of a bounded-staleness read. */
    public Duration maxStaleness()
    {
        return maxStaleness;
    }

    /** @return entries between automatic snapshots (0: off). */
    public long snapshotEveryEntries()
    {
        return snapshotEveryEntries;
    }

    /** @return the Raft log's segment size. */
    public long logSegmentBytes()
    {
        return logSegmentBytes;
    }

    /** @return the log purge gap. */
    public int logPurgeGap()
    {
        return logPurgeGap;
    }

    /** @return the group id. */
    public UUID groupId()
    {
        return groupId;
    }

    /** @return the members, id to host:port, in the order given. */
    public Map<String, String> peers()
    {
        return Collections.unmodifiableMap(peers);
    }

    /** @return this node's id. */
    public String nodeId()
    {
        return nodeId;
    }

    /** @return this node's directory. */
    public Path directory()
    {
        return directory;
    }

    /** @return the bind host. */
    public String bindHost()
    {
        return bindHost;
    }

    /** @return the maker of the Engram context. */
    public Supplier<EngramContext> engramContext()
    {
        return engramContext;
    }

    /** @return deltas per entry. */
    public int maxBatchDeltas()
    {
        return maxBatchDeltas;
    }

    /** @return bytes per entry. */
    public int maxBatchBytes()
    {
        return maxBatchBytes;
    }

    /** @return batches in flight. */
    public int maxBatchesInFlight()
    {
        return maxBatchesInFlight;
    }

    /** @return the batch linger. */
    public Duration batchLinger()
    {
        return batchLinger;
    }

    /** @return the shortest election timeout. */
    public Duration electionTimeoutMin()
    {
        return electionTimeoutMin;
    }

    /** @return the longest election timeout. */
    public Duration electionTimeoutMax()
    {
        return electionTimeoutMax;
    }

    /** @return the request timeout. */
    public Duration requestTimeout()
    {
        return requestTimeout;
    }

    /**
     * @throws IllegalArgumentException naming what is missing or wrong.
     */
    void validate()
    {
        if (groupId == null || nodeId == null || directory == null)
        {
            throw new IllegalArgumentException("replica settings need groupId, nodeId and directory: groupId=" + groupId +
                " nodeId=" + nodeId + " directory=" + directory);
        }
        if (!peers.containsKey(nodeId))
        {
            throw new IllegalArgumentException("nodeId " + nodeId + " is not one of the peers " + peers.keySet());
        }
        if (!joining && (peers.size() < 3 || peers.size() % 2 == 0))
        {
            throw new IllegalArgumentException("a replica group has an odd number of at least 3 peers (3 or 5): got " +
                peers.size() + " " + peers.keySet());
        }
    }
}
