package dev.engram.journal;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.locks.LockSupport;

/**
 * The idle strategy of Engram's background threads ({@link JournalContext#backgroundIdleStrategy()}): never spins,
 * parks whenever there is no work, and sizes each park by how much work the previous wake-up found, so a thread
 * wakes about as often as it has a batch worth waking for.
 * <p>
 * A wake-up (timer, futex, context switch) costs a few microseconds of CPU on a virtual machine whatever it
 * finds. With a fixed short park, a producer at 10,000 deltas/s made the journal thread and the applier wake
 * for nearly every delta: ~22 and ~14 µs of CPU per delta, several times a RocksDB put (docs/benchmarks.md,
 * "CPU per put"). Here a wake-up that found fewer than {@link #TARGET_BATCH} items (none included) doubles the
 * next park, up to {@code maxParkNs}; one that found at least that many halves it, down to {@code minParkNs}.
 * At a low rate the thread settles at the longest park and takes what piled up in one go; as the rate rises the
 * park shrinks until each wake-up finds about a batch, so the ring never waits longer than a batch's worth.
 * <p>
 * Nobody who waits pays for the longer park: callers that await a version unpark the thread they wait on
 * ({@link JournalProgress#wakeWriter}, the applier's waiters). Not thread-safe: one instance per thread.
 */
final class BatchingIdleStrategy implements IdleStrategy
{
    /** Items a wake-up should find: fewer lengthen the next park, as many or more shorten it. */
    static final int TARGET_BATCH = 32;

    private final long minParkNs;
    private final long maxParkNs;
    private long parkNs;
    private long foundSinceParked;

    /**
     * @param minParkNs the shortest park, > 0.
     * @param maxParkNs the longest park, >= minParkNs.
     */
    BatchingIdleStrategy(final long minParkNs, final long maxParkNs)
    {
        if (minParkNs <= 0 || maxParkNs < minParkNs)
        {
            throw new IllegalArgumentException("need 0 < minParkNs <= maxParkNs: minParkNs=" + minParkNs + " maxParkNs=" + maxParkNs);
        }
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.parkNs = minParkNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            foundSinceParked += workCount;
            return;
        }
        LockSupport.parkNanos(nextParkNs());
    }

    /**
     * Size the park about to start from the work found since the last one, and start counting afresh.
     *
     * @return the park's length, ns.
     */
    long nextParkNs()
    {
        parkNs = foundSinceParked >= TARGET_BATCH ? Math.max(minParkNs, parkNs >> 1) : Math.min(maxParkNs, parkNs << 1);
        foundSinceParked = 0;
        return parkNs;
    }

    @Override
    public void idle()
    {
        idle(0);
    }

    /**
     * Back to the shortest park (the next wake-up comes soon).
     */
    @Override
    public void reset()
    {
        parkNs = minParkNs;
        foundSinceParked = 0;
    }

    @Override
    public String alias()
    {
        return "batching";
    }

    @Override
    public String toString()
    {
        return "BatchingIdleStrategy{minParkNs=" + minParkNs + ", maxParkNs=" + maxParkNs + ", parkNs=" + parkNs + '}';
    }
}
