package dev.engram.journal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What a producer does when the journal's ring (or its arena) is full: counts the event, warns at most every
 * {@link #WARN_INTERVAL_NS}, and applies the {@link BackPressurePolicy}: FAIL_FAST refuses at once, WAIT backs off
 * (spin, yield, park) until the claim succeeds or the timeout passes. Only reached when the ring is full, never
 * on the plain append path.
 */
final class JournalBackPressure
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Journal.class);
    /** WARNs about the same condition at most this often. */
    private static final long WARN_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    private final JournalContext ctx;
    private final ManyToOneDeltaRing ring;
    private final JournalOpening opening;
    private final AtomicLong events = new AtomicLong();
    private volatile long lastWarnNs;

    JournalBackPressure(final JournalContext ctx, final ManyToOneDeltaRing ring, final JournalOpening opening)
    {
        this.ctx = ctx;
        this.ring = ring;
        this.opening = opening;
    }

    /**
     * @return times a producer found the ring full.
     */
    long events()
    {
        return events.get();
    }

    /**
     * Count a refusal of {@link Journal#tryAppend}, which applies no policy.
     */
    void countEvent()
    {
        events.incrementAndGet();
    }

    /**
     * Count a back-pressure event and apply the policy: FAIL_FAST throws, WAIT returns its deadline.
     *
     * @return the {@link System#nanoTime()} after which {@link #backOff} throws.
     * @throws JournalBackPressureException under FAIL_FAST.
     */
    long start()
    {
        final long count = events.incrementAndGet();
        final long now = System.nanoTime();
        final long last = lastWarnNs;
        if (last == 0 || now - last >= WARN_INTERVAL_NS)
        {
            lastWarnNs = now;   // a race may log twice: harmless
            LOG.warn("journal ring full in {}: producers {} ({} back-pressure events so far); the journal thread is " +
                "behind{}: lower the rate, enlarge ringSlotCount or check the disk", ctx.directory(),
                ctx.backPressurePolicy() == BackPressurePolicy.FAIL_FAST ? "are refused (FAIL_FAST)" : "wait up to " +
                TimeUnit.NANOSECONDS.toMillis(ctx.backPressureTimeoutNs()) + " ms", count,
                opening.isOpen() ? "" : " (its Chronicle queue is still opening)");
        }
        if (ctx.backPressurePolicy() == BackPressurePolicy.FAIL_FAST)
        {
            throw exception();
        }
        return System.nanoTime() + ctx.backPressureTimeoutNs();
    }

    /**
     * Wait a little before the next claim: spin, then yield, then park.
     *
     * @param attempts claims failed since {@link #start()}.
     * @param deadline what {@link #start()} returned.
     * @throws JournalBackPressureException once the deadline passed.
     */
    void backOff(final int attempts, final long deadline)
    {
        if (System.nanoTime() - deadline >= 0)
        {
            throw exception();
        }
        if (attempts < 64)
        {
            Thread.onSpinWait();
        }
        else if (attempts < 80)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(1_000);
        }
    }

    private JournalBackPressureException exception()
    {
        return new JournalBackPressureException("journal ring full: slots=" + ring.slotCount() + " policy=" +
            ctx.backPressurePolicy() + " timeoutNs=" + ctx.backPressureTimeoutNs() +
            " (the journal thread is behind: lower the rate, enlarge ringSlotCount or check the disk)");
    }
}
