package dev.engram.journal.internal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Waiters park until the publisher's signal reaches their target. The waiters here would otherwise park for an
 * hour at a time, so a wait that ends within the test's timeout was ended by the signal.
 */
class VersionWaitersTest
{
    private static final long HOUR_NS = TimeUnit.HOURS.toNanos(1);
    private static final VersionWaiters.FailureCheck NO_FAILURE = version -> { };

    private final AtomicLong published = new AtomicLong();

    private Thread waiter(final VersionWaiters waiters, final long version, final AtomicReference<Object> outcome)
    {
        final Thread thread = new Thread(() ->
        {
            try
            {
                outcome.set(waiters.await(published::get, version, () -> { }, NO_FAILURE, 1, TimeUnit.HOURS));
            }
            catch (final RuntimeException ex)
            {
                outcome.set(ex);
            }
        }, "waiter-" + version);
        thread.start();
        return thread;
    }

    private static void awaitRegistered(final VersionWaiters waiters, final int count)
    {
        while (waiters.registered() < count)
        {
            Thread.onSpinWait();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldWakeOnlyTheWaitersWhoseTargetTheSignalReached() throws Exception
    {
        final VersionWaiters waiters = new VersionWaiters(4, HOUR_NS);
        final AtomicReference<Object> low = new AtomicReference<>();
        final AtomicReference<Object> high = new AtomicReference<>();
        final Thread lowThread = waiter(waiters, 5, low);
        final Thread highThread = waiter(waiters, 10, high);
        awaitRegistered(waiters, 2);

        published.set(5);
        waiters.signal(5);
        lowThread.join();
        assertEquals(Boolean.TRUE, low.get());
        assertNull(high.get(), "a waiter for 10 returned at 5");
        assertEquals(1, waiters.registered(), "the woken waiter left its slot, the other stayed");

        published.set(10);
        waiters.signal(10);
        highThread.join();
        assertEquals(Boolean.TRUE, high.get());
        assertEquals(0, waiters.registered());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldReturnAtOnceWithoutNudgingWhenTheVersionIsReached()
    {
        final VersionWaiters waiters = new VersionWaiters(1, HOUR_NS);
        published.set(7);
        final AtomicInteger nudges = new AtomicInteger();
        assertTrue(waiters.await(published::get, 7, nudges::incrementAndGet, NO_FAILURE, 1, TimeUnit.HOURS));
        assertEquals(0, nudges.get());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldNudgeThePublisherOnceAndTimeOutWhenNothingIsPublished()
    {
        final VersionWaiters waiters = new VersionWaiters(1, HOUR_NS);
        final AtomicInteger nudges = new AtomicInteger();
        assertFalse(waiters.await(published::get, 1, nudges::incrementAndGet, NO_FAILURE, 20, TimeUnit.MILLISECONDS));
        assertEquals(1, nudges.get());
        assertEquals(0, waiters.registered(), "a timed-out waiter left its slot");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldEndTheWaitWithThePublishersFailureOnSignalAll() throws Exception
    {
        final AtomicBoolean failed = new AtomicBoolean();
        final VersionWaiters waiters = new VersionWaiters(2, HOUR_NS);
        final AtomicReference<Object> outcome = new AtomicReference<>();
        final Thread thread = new Thread(() ->
        {
            try
            {
                outcome.set(waiters.await(published::get, 3, () -> { }, version ->
                {
                    if (failed.get())
                    {
                        throw new IllegalStateException("publisher failed before version=" + version);
                    }
                }, 1, TimeUnit.HOURS));
            }
            catch (final RuntimeException ex)
            {
                outcome.set(ex);
            }
        });
        thread.start();
        awaitRegistered(waiters, 1);
        failed.set(true);
        waiters.signalAll();
        thread.join();
        assertInstanceOf(IllegalStateException.class, outcome.get());
        assertEquals("publisher failed before version=3", ((Exception)outcome.get()).getMessage());
        assertEquals(0, waiters.registered());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldLetWaitersBeyondTheSlotsPollAndStillSeeTheVersion() throws Exception
    {
        final VersionWaiters waiters = new VersionWaiters(1, HOUR_NS);
        final AtomicReference<Object> first = new AtomicReference<>();
        final AtomicReference<Object> second = new AtomicReference<>();
        final Thread a = waiter(waiters, 2, first);
        awaitRegistered(waiters, 1);
        final Thread b = waiter(waiters, 2, second);   // no slot left: polls
        published.set(2);
        waiters.signal(2);
        a.join();
        b.join();
        assertEquals(Boolean.TRUE, first.get());
        assertEquals(Boolean.TRUE, second.get());
    }

    @Test
    void shouldRefuseNoSlots()
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new VersionWaiters(0));
        assertEquals("slots must be >= 1: 0", ex.getMessage());
    }
}
