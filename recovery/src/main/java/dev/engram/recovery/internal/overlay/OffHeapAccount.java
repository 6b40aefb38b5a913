package dev.engram.recovery.internal.overlay;

import dev.engram.recovery.OffHeapLimitException;
import dev.engram.recovery.StateContext;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap bytes of one kind of user (the live overlays of a store, or its checkpoint builds): reserved (taken from
 * the OS: chunks, dedicated value blocks, hash tables, tail-indexer records), in use (holding entries, values and the
 * current table) and the peak of reserved. Writers are the overlays' single writers and the closers; readers (metrics)
 * any thread.
 * <p>
 * With {@link #enforcing} set, a reservation that would take {@link #reserved()} past {@link #limit()} is refused
 * with an {@link OffHeapLimitException} naming the setting (checkpoint builds: the build stops and is retried, its
 * memory freed); otherwise the limit is a target the owner acts on (the live overlay: an early checkpoint).
 */
public final class OffHeapAccount
{
    private final String setting;
    private final long limit;
    private final boolean enforcing;
    private final AtomicLong reserved = new AtomicLong();
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

    /**
     * @param setting   the {@link StateContext} setting that sets {@code limit} (for messages).
     * @param limit     bytes.
     * @param enforcing whether reservations past the limit are refused.
     */
    public OffHeapAccount(final String setting, final long limit, final boolean enforcing)
    {
        this.setting = setting;
        this.limit = limit;
        this.enforcing = enforcing;
    }

    /** An account of its own for an overlay nobody accounts for (tests, tools): no limit. */
    static OffHeapAccount unlimited()
    {
        return new OffHeapAccount("none", Long.MAX_VALUE, false);
    }

    /**
     * @param bytes taken from the OS now.
     * @throws OffHeapLimitException if enforcing and the limit would be passed (nothing is counted then).
     */
    void reserve(final long bytes)
    {
        final long now = reserved.addAndGet(bytes);
        if (enforcing && now > limit)
        {
            reserved.addAndGet(-bytes);
            throw new OffHeapLimitException("off-heap memory limit reached: " + setting + "=" + limit + " bytes, " +
                (now - bytes) + " reserved, " + bytes + " more wanted; raise StateContext." + setting +
                " (or -XX:MaxDirectMemorySize, which sets its default) or checkpoint more often", setting, limit);
        }
        long p = peak.get();
        while (now > p && !peak.compareAndSet(p, now))
        {
            p = peak.get();
        }
    }

    /** Count memory taken before this account knew of it (an overlay moving here): no limit check. */
    void add(final long reservedBytes, final long usedBytes)
    {
        final long now = reserved.addAndGet(reservedBytes);
        used.addAndGet(usedBytes);
        long p = peak.get();
        while (now > p && !peak.compareAndSet(p, now))
        {
            p = peak.get();
        }
    }

    void release(final long bytes)
    {
        reserved.addAndGet(-bytes);
    }

    public void used(final long delta)
    {
        used.addAndGet(delta);
    }

    public long reserved()
    {
        return reserved.get();
    }

    public long used()
    {
        return used.get();
    }

    public long peak()
    {
        return peak.get();
    }

    long limit()
    {
        return limit;
    }

    String setting()
    {
        return setting;
    }
}
