package dev.engram.harness.peers;

import dev.engram.harness.recovery.StateWorkload;

/**
 * The workload's tail as a cursor: {@link #prepare()} builds key and value of the next tail delta (outside
 * any timed region), {@link #put(PeerStore)} sends it.
 */
final class TailPuts
{
    private final StateWorkload workload;
    private final StateWorkload.TailKeys keys;
    private final StringBuilder key = new StringBuilder(32);
    private final byte[] value;
    private int next;

    TailPuts(final StateWorkload workload)
    {
        this.workload = workload;
        this.keys = workload.tailKeys();
        this.value = new byte[workload.tailValueLength()];
    }

    /** Build tail delta {@code next} (generation {@code next + 1}). */
    void prepare()
    {
        if (next >= workload.tailCount())
        {
            throw new IllegalStateException("the tail has only " + workload.tailCount() + " deltas");
        }
        final int k = keys.next();
        workload.fillValue(value, value.length, k, next + 1);
        StateWorkload.key(key, k);
        next++;
    }

    void put(final PeerStore store) throws Exception
    {
        store.put(key, value);
    }

    /** @return tail deltas prepared so far. */
    int count()
    {
        return next;
    }
}
