package dev.engram.journal.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Threads waiting for a published version (written, synced, applied) to reach a target, and the one thread
 * that publishes it waking exactly those whose target it reached. The publisher parks when it has nothing to
 * do, so a waiter that only polled would pay its park (up to hundreds of microseconds) on every wait; here a
 * waiter nudges the publisher, spins for {@link #SPIN_NS}, then registers in a fixed slot and parks, and the
 * publisher unparks it right after publishing. Publishing costs one volatile read while nobody waits.
 *
 * <p>Ordering: a waiter registers (volatile writes of its thread, then its target) before it reads the version
 * again, the publisher writes the version (volatile) before it reads the registrations, so one of them always
 * sees the other. A waiter that
 * finds every slot taken falls back to polling in parks of {@link #POLL_PARK_NS}; a registered waiter also
 * parks at most {@link #SAFETY_PARK_NS} at a time. A spurious unpark (a waiter that left its slot just
 * before the publisher looked) is harmless: every park here re-checks its condition.
 */
public final class VersionWaiters
{
    /** Slots for concurrently parked waiters; more waiters than this poll instead. */
    public static final int DEFAULT_SLOTS = 64;
    static final long POLL_PARK_NS = TimeUnit.MICROSECONDS.toNanos(100);
    static final long SAFETY_PARK_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /**
     * How long a waiter spins after the nudge before it parks: about what the woken publisher needs to write
     * a frame, so a single caller awaiting each write is not also paying its own wake-up (measured with
     * {@code bench peers}: await written p50 38 → 12 µs; see docs/benchmarks.md).
     */
    static final long SPIN_NS = TimeUnit.MICROSECONDS.toNanos(30);

    private final AtomicReferenceArray<Thread> threads;
    private final AtomicLongArray targets;
    private final AtomicInteger registered = new AtomicInteger();
    private final long safetyParkNs;

    /**
     * @param slots how many waiters can park at once (the rest poll).
     */
    public VersionWaiters(final int slots)
    {
        this(slots, SAFETY_PARK_NS);
    }

    /**
     * @param slots        how many waiters can park at once (the rest poll).
     * @param safetyParkNs the longest a registered waiter parks before it looks again by itself (tests set it
     *                     long to prove that waking is the publisher's doing).
     */
    VersionWaiters(final int slots, final long safetyParkNs)
    {
        if (slots < 1)
        {
            throw new IllegalArgumentException("slots must be >= 1: " + slots);
        }
        if (safetyParkNs < 1)
        {
            throw new IllegalArgumentException("safetyParkNs must be >= 1: " + safetyParkNs);
        }
        this.safetyParkNs = safetyParkNs;
        threads = new AtomicReferenceArray<>(slots);
        targets = new AtomicLongArray(slots);
        for (int i = 0; i < slots; i++)
        {
            targets.set(i, Long.MAX_VALUE);
        }
    }

    /**
     * What a wait checks besides the version: a failure of the publisher ends the wait with its exception.
     */
    @FunctionalInterface
    public interface FailureCheck
    {
        /**
         * @throws RuntimeException if the publisher failed and {@code version} will never be reached.
         */
        void check(long version);
    }

    /**
     * Wait until {@code reached} returns at least {@code version}.
     *
     * @param reached the published version (a volatile read).
     * @param version the version to wait for.
     * @param nudge   run once if the version is not reached at first look: wakes the publisher if it parks.
     * @param failure run on every look; throws to end the wait.
     * @param timeout how long to wait.
     * @param unit    unit of timeout.
     * @return true if reached, false on timeout.
     */
    public boolean await(final LongSupplier reached, final long version, final Runnable nudge, final FailureCheck failure,
        final long timeout, final TimeUnit unit)
    {
        if (reached.getAsLong() >= version)
        {
            return true;
        }
        final long timeoutNs = unit.toNanos(timeout);
        final long deadline = System.nanoTime() + timeoutNs;
        nudge.run();
        final long spinEnd = System.nanoTime() + Math.min(SPIN_NS, timeoutNs);
        do
        {
            if (reached.getAsLong() >= version)
            {
                return true;
            }
            Thread.onSpinWait();
        }
        while (System.nanoTime() - spinEnd < 0);
        final int slot = register(version);
        try
        {
            while (true)
            {
                if (reached.getAsLong() >= version)
                {
                    return true;
                }
                failure.check(version);
                final long remaining = deadline - System.nanoTime();
                if (remaining <= 0)
                {
                    return false;
                }
                LockSupport.parkNanos(this, Math.min(remaining, slot < 0 ? POLL_PARK_NS : safetyParkNs));
            }
        }
        finally
        {
            if (slot >= 0)
            {
                deregister(slot);
            }
        }
    }

    /**
     * Publisher: the version just published is {@code reached}; wake the waiters it satisfies.
     */
    public void signal(final long reached)
    {
        if (registered.get() == 0)
        {
            return;
        }
        for (int i = 0, n = threads.length(); i < n; i++)
        {
            final Thread waiter = threads.get(i);
            if (waiter != null && targets.get(i) <= reached)
            {
                LockSupport.unpark(waiter);
            }
        }
    }

    /**
     * Wake every registered waiter (the publisher failed or stopped: let them see it now).
     */
    public void signalAll()
    {
        signal(Long.MAX_VALUE);
    }

    /**
     * @return waiters parked in a slot now (for tests and metrics).
     */
    public int registered()
    {
        return registered.get();
    }

    private int register(final long version)
    {
        final Thread self = Thread.currentThread();
        for (int i = 0, n = threads.length(); i < n; i++)
        {
            if (threads.get(i) == null && threads.compareAndSet(i, null, self))
            {
                // after the claim: a publisher that sees the thread before its target skips it, and then this
                // thread's next read of the version (after this write) sees what that publisher published
                targets.set(i, version);
                registered.incrementAndGet();
                return i;
            }
        }
        return -1;
    }

    private void deregister(final int slot)
    {
        targets.set(slot, Long.MAX_VALUE);
        threads.set(slot, null);
        registered.decrementAndGet();
    }
}
