package dev.engram.harness.stress;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One scenario run inside the child JVM: where its engine lives, its seed and deadline, its counters, and the
 * stamp counter its writers and readers share.
 */
final class StressRun
{
    /** Longest a writer waits for its writes to become visible before that counts as a failure. */
    static final long APPLY_TIMEOUT_MS = 30_000;
    /** Longest a thread may take to end once told to (a hang is a failure). */
    static final long JOIN_TIMEOUT_SECONDS = 60;

    private final Path directory;
    private final long seed;
    private final long startNs = System.nanoTime();
    private final long deadlineNs;
    private final StressStats stats = new StressStats();
    private final AtomicLong issued = new AtomicLong();

    StressRun(final Path directory, final long seed, final double seconds)
    {
        this.directory = directory;
        this.seed = seed;
        this.deadlineNs = startNs + (long)(seconds * 1e9);
    }

    /**
     * @return the engine's directory (reopened by the scenarios that close and open again).
     */
    Path engineDirectory()
    {
        return directory.resolve("state");
    }

    long seed()
    {
        return seed;
    }

    StressStats stats()
    {
        return stats;
    }

    /**
     * @return the stamp counter: writers take each op's stamp from it before committing; a reader reads it after
     * a read, so no value it got can carry a larger stamp.
     */
    AtomicLong issued()
    {
        return issued;
    }

    boolean deadlineReached()
    {
        return System.nanoTime() >= deadlineNs;
    }

    /**
     * @return milliseconds left before the deadline (0 if past).
     */
    long remainingMs()
    {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime()));
    }

    double elapsedSeconds()
    {
        return (System.nanoTime() - startNs) / 1e9;
    }

    /**
     * Let the workers run for {@code ms} or until the deadline, whichever comes first (the run's timer, not
     * a synchronisation).
     */
    void runFor(final long ms)
    {
        final long until = Math.min(deadlineNs, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms));
        long now;
        while ((now = System.nanoTime()) < until)
        {
            LockSupport.parkNanos(Math.min(until - now, 20_000_000));
        }
    }

    /**
     * Let the workers run until the deadline.
     */
    void runToDeadline()
    {
        runFor(Long.MAX_VALUE / 2_000_000);
    }

    /**
     * @return an engine context that checkpoints every {@code frames} frames, with no timer and no snapshot index
     *         (its upkeep slows checkpoints ~5x on two cores); scenarios add what they need.
     */
    static EngramContext context(final long frames)
    {
        final EngramContext ctx = new EngramContext().checkpointEveryFrames(frames).checkpointIntervalMs(0);
        ctx.state().snapshotIndex(false);
        ctx.journal().backPressureTimeoutNs(java.util.concurrent.TimeUnit.SECONDS.toNanos(120));   // a loaded machine
        return ctx;
    }

    /**
     * Attach {@code writer} to a freshly opened engine and put every key of its first set (fresh values: the model
     * is exact again); a put not applied in time is reported as a timeout of the main thread.
     */
    void attachAndFill(final StressWriter writer, final Engram engram)
    {
        writer.attach(engram);
        if (!writer.putAll(0, APPLY_TIMEOUT_MS))
        {
            applyTimedOut("main", writer.lastVersion());
        }
    }

    /**
     * A writer's writes did not become visible in time.
     */
    void applyTimedOut(final String thread, final long version)
    {
        stats.other(thread, "awaitApplied(" + version + ") timed out after " + APPLY_TIMEOUT_MS + " ms");
    }

    /**
     * Add the engine's own count of checkpoints published (background and explicit) to the run's.
     */
    void countCheckpoints(final Engram engram)
    {
        stats.checkpoints.add(engram.metrics().snapshot().checkpoints());
    }
}
