package dev.engram.replica;

/**
 * How fresh a replica node's reads must be (docs/replication.md, "Reads"). The default for a node's reads is set by
 * {@link ReplicaSettings#readConsistency}; {@link ReplicatedEngram#readBarrier(ReadConsistency)} asks for one mode
 * once, before a group of reads.
 */
public enum ReadConsistency
{
    /**
     * This node's own copy as it is now: no network, never refused. On the leader it holds every write the leader
     * acknowledged; a follower may be behind by the entries in flight, and a node cut off from the group by any
     * amount.
     */
    LOCAL,
    /**
     * Linearizable (Raft ReadIndex): the read sees every write acknowledged anywhere in the group before it started.
     * The node asks the leader for its commit index (the leader first confirms with a majority that it still leads)
     * and waits until it applied that far. One round trip to the leader per read; a node that cannot reach a leader
     * with a majority fails the read with {@link ReplicaReadException} and never answers from stale state.
     */
    LINEARIZABLE,
    /**
     * Bounded staleness: the read sees every write acknowledged anywhere in the group up to at most
     * {@link ReplicaSettings#maxStaleness} before it is served. The node confirms its state with the leader as a
     * linearizable read does, and then serves reads from its own copy without asking again while that confirmation is
     * younger than the bound; past it, the next read confirms again, and a node that cannot confirm refuses with
     * {@link ReplicaReadException}.
     */
    BOUNDED_STALENESS
}
