package dev.engram.journal.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Pacing of the engine's low-priority background work (the history follower's indexing, anchor builds) where the
 * process may use one CPU only (a container's quota, {@code taskset}): once such a thread has the core, the kernel
 * lets it keep it for a whole slice (0.75 ms and more, whatever its nice value), and a yield does not hand the core
 * back to a producer that has used more than its share, so a producer spinning on the same core waited that long for
 * every slice the background thread took (issue 18). {@link #pause()}, called between small units of work, sleeps
 * {@link #PAUSE_NS} once {@link #CHUNK_NS} of wall time has passed since the last sleep: the thread leaves the run
 * queue, and the producer waits at most about one chunk. With two or more CPUs it only yields. One instance per
 * thread (not thread-safe), except the shared one that never sleeps. The system property {@code engram.backgroundPacing}
 * ({@code true} / {@code false}) overrides the choice (benchmarks).
 */
public final class BackgroundPacing
{
    /** Work between pauses, when paced. */
    public static final long CHUNK_NS = TimeUnit.MICROSECONDS.toNanos(100);
    /** The sleep of a pause (the kernel's timer slack adds ~50 µs). */
    public static final long PAUSE_NS = TimeUnit.MICROSECONDS.toNanos(50);

    private final boolean paced;
    private long chunkStartNs = System.nanoTime();
    private long pauses;

    /**
     * @param paced sleep between chunks (else only yield).
     */
    public BackgroundPacing(final boolean paced)
    {
        this.paced = paced;
    }

    private static final BackgroundPacing UNPACED = new BackgroundPacing(false);
    private static final ThreadLocal<BackgroundPacing> PER_THREAD = ThreadLocal.withInitial(() -> UNPACED);

    /**
     * @return the calling thread's pacing: {@link #backgroundThread()}'s on a background thread, else one that never
     *         sleeps (an application thread's {@code stateAt} or {@code checkpoint()} runs at full speed).
     */
    public static BackgroundPacing forThread()
    {
        return PER_THREAD.get();
    }

    /**
     * Make the calling thread a paced background thread ({@link #forThisProcess()}): the loops it runs (the history
     * follower's polls, the anchor and checkpoint builds) share one chunk clock through {@link #forThread()}.
     *
     * @return its pacing.
     */
    public static BackgroundPacing backgroundThread()
    {
        final BackgroundPacing pacing = forThisProcess();
        PER_THREAD.set(pacing);
        return pacing;
    }

    /**
     * @return pacing that sleeps between chunks when this process may use one CPU only
     *         ({@link Runtime#availableProcessors()}, which follows the affinity mask and a container's CPU quota).
     */
    public static BackgroundPacing forThisProcess()
    {
        final String forced = System.getProperty("engram.backgroundPacing");
        if (forced != null)
        {
            return new BackgroundPacing(Boolean.parseBoolean(forced));
        }
        return new BackgroundPacing(Runtime.getRuntime().availableProcessors() <= 1);
    }

    /**
     * @return whether this pacing sleeps between chunks.
     */
    public boolean paced()
    {
        return paced;
    }

    /**
     * Between two units of work: when paced, sleep once a chunk's time has passed since the last sleep; else yield.
     */
    public void pause()
    {
        if (paced)
        {
            tick();
        }
        else
        {
            Thread.yield();
        }
    }

    /**
     * Between two small units of work inside a long one (frames replayed, entries written): when paced, sleep once a
     * chunk's time has passed; else nothing (no yield per unit).
     */
    public void tick()
    {
        if (paced && System.nanoTime() - chunkStartNs >= CHUNK_NS)
        {
            LockSupport.parkNanos(PAUSE_NS);
            pauses++;
            chunkStartNs = System.nanoTime();
        }
    }

    /**
     * A unit of work starts after the thread was idle (parked for a while): its chunk starts now.
     */
    public void idled()
    {
        chunkStartNs = System.nanoTime();
    }

    /**
     * @return sleeps taken so far.
     */
    public long pauses()
    {
        return pauses;
    }
}
