package dev.engram.replica.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The freshness of a node's reads (docs/replication.md, "Reads"). A <em>confirmation</em> is one Raft ReadIndex
 * round: sent at time t, it completes with a version v of this node's Engram that holds every write the group had
 * committed at t. A linearizable read confirms every time; a bounded-staleness read reuses the newest confirmation
 * while it is younger than the bound (its state is then at most that old), and confirms again past it, one
 * confirmation at a time shared by every reader. Thread-safe.
 */
public final class ReadBarrier
{
    private final Supplier<CompletableFuture<Long>> confirm;
    private final Object lock = new Object();
    /** The newest successful confirmation: its version and when it was sent (guarded by lock). */
    private long confirmedVersion;
    private long confirmedSentNanos;
    private boolean confirmed;
    /** The confirmation in flight for bounded reads, or null (guarded by lock). */
    private CompletableFuture<Long> inFlight;
    private long inFlightSentNanos;

    /**
     * @param confirm starts a ReadIndex round on this node: completes with the version this node applied once it
     *                reached the leader's commit index, or fails.
     */
    public ReadBarrier(final Supplier<CompletableFuture<Long>> confirm)
    {
        this.confirm = confirm;
    }

    /**
     * A linearizable barrier: confirm now.
     *
     * @return a version that holds every write committed before this call.
     * @throws ExecutionException if the confirmation failed (its cause says why).
     * @throws TimeoutException   if it did not complete within the timeout.
     */
    public long linearizable(final long timeoutNanos) throws ExecutionException, TimeoutException, InterruptedException
    {
        final long sent = System.nanoTime();
        final long version = confirm.get().get(timeoutNanos, TimeUnit.NANOSECONDS);
        record(sent, version);
        return version;
    }

    /**
     * A bounded-staleness barrier.
     *
     * @return a version that holds every write committed at most {@code maxStalenessNanos} before it is returned.
     * @throws ExecutionException if a needed confirmation failed.
     * @throws TimeoutException   if no confirmation young enough was had within the timeout.
     */
    public long bounded(final long maxStalenessNanos, final long timeoutNanos)
        throws ExecutionException, TimeoutException, InterruptedException
    {
        final long deadline = System.nanoTime() + timeoutNanos;
        while (true)
        {
            CompletableFuture<Long> future;
            long sent;
            synchronized (lock)
            {
                if (confirmed && System.nanoTime() - confirmedSentNanos <= maxStalenessNanos)
                {
                    return confirmedVersion;
                }
                future = inFlight;
                sent = inFlightSentNanos;
                if (future == null)
                {
                    sent = System.nanoTime();
                    future = confirm.get();
                    inFlight = future;
                    inFlightSentNanos = sent;
                    final CompletableFuture<Long> started = future;
                    final long sentAt = sent;
                    started.whenComplete((version, failure) ->
                    {
                        synchronized (lock)
                        {
                            if (inFlight == started)
                            {
                                inFlight = null;
                            }
                        }
                        if (failure == null)
                        {
                            record(sentAt, version);
                        }
                    });
                }
            }
            final long left = deadline - System.nanoTime();
            if (left <= 0)
            {
                throw new TimeoutException("no confirmation younger than " + TimeUnit.NANOSECONDS.toMillis(maxStalenessNanos) +
                    " ms within the timeout");
            }
            final long version = future.get(left, TimeUnit.NANOSECONDS);
            if (System.nanoTime() - sent <= maxStalenessNanos)
            {
                return version;
            }
            // the round trip took longer than the bound: its answer is already too old; confirm again
        }
    }

    /** @return nanoseconds since the newest successful confirmation was sent, or -1 if there was none. */
    public long confirmationAgeNanos()
    {
        synchronized (lock)
        {
            return confirmed ? System.nanoTime() - confirmedSentNanos : -1;
        }
    }

    private void record(final long sentNanos, final long version)
    {
        synchronized (lock)
        {
            if (!confirmed || sentNanos - confirmedSentNanos > 0)
            {
                confirmed = true;
                confirmedSentNanos = sentNanos;
                confirmedVersion = version;
            }
        }
    }
}
