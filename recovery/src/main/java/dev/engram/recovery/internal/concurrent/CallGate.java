package dev.engram.recovery.internal.concurrent;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Counts the calls in progress that use a store's shared resources on their caller's thread (a checkpoint
 * built by {@code checkpoint()}, {@code stateAt}, {@code history}, {@code diff}, tags) so that close waits for
 * them before it frees anything, and refuses new ones once closing. One atomic word: the top bit is "closed",
 * the rest the number of calls inside; entering is a CAS that fails once the bit is set, so no call can slip in
 * after {@link #close} counted zero.
 * <p>
 * Heavy calls only: the per-read path uses {@link ReaderHazards} (no shared write per read).
 */
public final class CallGate
{
    private static final long CLOSED = Long.MIN_VALUE;

    private final AtomicLong state = new AtomicLong();
    private volatile Thread closer;

    /**
     * @return true if the call may proceed (then {@link #exit()} in a finally), false once closing.
     */
    public boolean tryEnter()
    {
        while (true)
        {
            final long current = state.get();
            if ((current & CLOSED) != 0)
            {
                return false;
            }
            if (state.compareAndSet(current, current + 1))
            {
                return true;
            }
        }
    }

    public void exit()
    {
        long current;
        do
        {
            current = state.get();
            if ((current & ~CLOSED) == 0)
            {
                throw new IllegalStateException("CallGate.exit without a matching tryEnter");
            }
        }
        while (!state.compareAndSet(current, current - 1));
        final long after = current - 1;
        if (after == CLOSED)
        {
            final Thread waiting = closer;
            if (waiting != null)
            {
                LockSupport.unpark(waiting);
            }
        }
    }

    /**
     * Refuse new calls and wait for those inside to leave.
     *
     * @return true if none is inside; false if some still were when the timeout passed.
     */
    public boolean closeAndAwait(final long timeout, final TimeUnit unit)
    {
        closer = Thread.currentThread();
        long current = state.get();
        while (!state.compareAndSet(current, current | CLOSED))
        {
            current = state.get();
        }
        final long timeoutNs = unit.toNanos(timeout);
        final long start = System.nanoTime();
        while (inside() > 0)
        {
            final long left = timeoutNs - (System.nanoTime() - start);
            if (left <= 0)
            {
                return false;
            }
            LockSupport.parkNanos(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
        return true;
    }

    /**
     * @return calls inside now.
     */
    long inside()
    {
        return state.get() & ~CLOSED;
    }

    boolean isClosed()
    {
        return (state.get() & CLOSED) != 0;
    }
}
