package dev.engram.harness.peers;

import java.util.Map;

/**
 * One system as the writer child drives it: a put of one key, and what "acknowledged" means for it.
 * Never closed: the parent ends the writer with SIGKILL.
 */
interface PeerStore
{
    /**
     * Put one value (the whole array) under {@code key}: the measured operation.
     */
    void put(CharSequence key, byte[] value) throws Exception;

    /**
     * The state is loaded: make it the system's base (Engram checkpoint, RocksDB flush to SST files; the
     * snapshot baseline does nothing, its timer saves). Not part of any latency figure.
     *
     * @return milliseconds it took.
     */
    long loaded() throws Exception;

    /**
     * Wait until every put so far is acknowledged the way this system acknowledges (Engram: written to the
     * mapped journal; RocksDB: returned from put; snapshot baseline: in the map).
     *
     * @return the number of acknowledged puts (= versions).
     */
    long awaitAcknowledged() throws Exception;

    /**
     * Switch the variant's per-put wait on or off: on for the measured tail puts only (RocksDB sync=true, Engram
     * await written / synced), off for the load and for the unmeasured rest of the tail, so that every variant
     * of a system writes the same load and the rest of the tail the same way. Starts off.
     */
    default void measured(final boolean on)
    {
    }

    /**
     * Wait until the system's background work for the puts so far is done (Engram: the history follower has indexed
     * them), before a CPU phase: what a phase is charged is then the work of its own puts at its own rate, not a
     * backlog an earlier, faster phase left. Not called before the latency phase.
     */
    default void settle() throws Exception
    {
    }

    /** @return times a put found the system's queue full and waited (Engram's ring), or -1 where there is no such count. */
    default long queueFullEvents()
    {
        return -1;
    }

    /** @return diagnostics for the {@code @tail-written} record (keys without spaces). */
    Map<String, Object> diagnostics() throws Exception;
}
