package dev.engram.replica;

/**
 * A replicated write failed; the message says whether it may still have been committed (see
 * {@link #mayHaveCommitted()}).
 */
public class ReplicationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final boolean mayHaveCommitted;

    /**
     * @param message          what failed and why.
     * @param mayHaveCommitted true if the write reached the Raft log before the failure (its outcome is unknown:
     *                         a later leader may still commit it), false if it was refused before that.
     * @param cause            the underlying failure, or null.
     */
    public ReplicationException(final String message, final boolean mayHaveCommitted, final Throwable cause)
    {
        super(message, cause);
        this.mayHaveCommitted = mayHaveCommitted;
    }

    /**
     * @return false when the write certainly did not happen; true when it may have been committed anyway (it was
     * proposed before leadership or the node was lost): read the state to know.
     */
    public boolean mayHaveCommitted()
    {
        return mayHaveCommitted;
    }
}
