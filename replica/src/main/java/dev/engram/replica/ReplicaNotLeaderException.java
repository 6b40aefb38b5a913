package dev.engram.replica;

/**
 * A write reached a node that does not lead the group (a follower, a candidate, or a deposed leader: Raft fences
 * a leader by term, so one that lost its term refuses writes). Names the leader this node knows of, if any.
 */
public final class ReplicaNotLeaderException extends ReplicationException
{
    private static final long serialVersionUID = 1L;

    private final String nodeId;
    private final String leaderId;
    private final String leaderAddress;

    /**
     * @param nodeId           the node that refused.
     * @param leaderId         the leader it knows of, or null.
     * @param leaderAddress    that leader's address, or null.
     * @param mayHaveCommitted see {@link ReplicationException#mayHaveCommitted()}.
     */
    public ReplicaNotLeaderException(final String nodeId, final String leaderId, final String leaderAddress,
        final boolean mayHaveCommitted)
    {
        super("node " + nodeId + " is not the leader of its replica group: " +
            (leaderId == null ? "no leader is known yet (an election may be running; retry shortly)" :
                "the leader is " + leaderId + " at " + leaderAddress + "; write there") +
            (mayHaveCommitted ? ". The write was proposed before leadership was lost: it may still be committed" :
                ". The write was not proposed"), mayHaveCommitted, null);
        this.nodeId = nodeId;
        this.leaderId = leaderId;
        this.leaderAddress = leaderAddress;
    }

    /** @return the node that refused the write. */
    public String nodeId()
    {
        return nodeId;
    }

    /** @return the leader's node id as the refusing node knows it, or null if none is known. */
    public String leaderId()
    {
        return leaderId;
    }

    /** @return the leader's host:port, or null if none is known. */
    public String leaderAddress()
    {
        return leaderAddress;
    }
}
