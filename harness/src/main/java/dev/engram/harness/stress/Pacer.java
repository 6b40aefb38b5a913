package dev.engram.harness.stress;

import java.util.concurrent.locks.LockSupport;

/**
 * Holds a loop to a rate (ops per second; 0: flat out) by parking until each op's scheduled time. It shapes
 * load only; nothing in the suite relies on it for ordering.
 */
final class Pacer
{
    private static final long MAX_BACKLOG_NS = 50_000_000;

    private final long nsPerOp;
    private final long start = System.nanoTime();
    private long done;

    Pacer(final long opsPerSecond)
    {
        this.nsPerOp = opsPerSecond <= 0 ? 0 : 1_000_000_000L / opsPerSecond;
    }

    /**
     * Wait until the next op is due.
     */
    void pace()
    {
        if (nsPerOp == 0)
        {
            return;
        }
        long now = System.nanoTime();
        if (now - (start + done * nsPerOp) > MAX_BACKLOG_NS)
        {
            done = (now - start) / nsPerOp;   // fell behind (a busy machine): no burst to catch up
        }
        final long due = start + done++ * nsPerOp;
        while ((now = System.nanoTime()) < due)
        {
            LockSupport.parkNanos(Math.min(due - now, 1_000_000));
        }
    }
}
