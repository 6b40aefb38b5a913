package dev.engram.replica;

/**
 * A node could not serve a read at the consistency asked for ({@link ReadConsistency}): it could not reach a leader
 * that still holds a majority, or could not catch up to the leader's commit in time. Nothing was read; the node never
 * answers such a read from state older than the mode allows. Retry (on this node once the group is reachable, or on
 * another node), or read with {@link ReadConsistency#LOCAL}.
 */
public final class ReplicaReadException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final String nodeId;
    private final ReadConsistency consistency;

    /**
     * @param nodeId      the node that refused.
     * @param consistency the consistency asked for.
     * @param message     why.
     * @param cause       the underlying failure, or null.
     */
    public ReplicaReadException(final String nodeId, final ReadConsistency consistency, final String message,
        final Throwable cause)
    {
        super("node " + nodeId + " refused a " + consistency + " read: " + message, cause);
        this.nodeId = nodeId;
        this.consistency = consistency;
    }

    /** @return the node that refused the read. */
    public String nodeId()
    {
        return nodeId;
    }

    /** @return the consistency the read asked for. */
    public ReadConsistency consistency()
    {
        return consistency;
    }
}
