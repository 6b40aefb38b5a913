package dev.engram.recovery.internal.chain;

/**
 * Lets a check that runs after open write into the state directory (rebuild the catalog or a key index) only while
 * its store still holds the directory: a write step runs between {@link #begin()} and {@link #end()}, and the store's
 * close, which does not wait for the check, lets go of the directory lock only once the step ended.
 */
public interface DirectoryWrites
{
    /** For callers that hold the directory themselves (the checkpointer): every write may go ahead. */
    DirectoryWrites HELD = new DirectoryWrites()
    {
        @Override
        public boolean begin()
        {
            return true;
        }

        @Override
        public void end()
        {
        }
    };

    /**
     * @return true if the write may go ahead (then {@link #end()} exactly once, in a finally), false if the store
     * closed: write nothing.
     */
    boolean begin();

    /**
     * The write step ended (whether it succeeded or not).
     */
    void end();
}
