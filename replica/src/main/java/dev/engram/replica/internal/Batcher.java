package dev.engram.replica.internal;

import dev.engram.journal.Delta;
import dev.engram.replica.ReplicationException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The leader's write path: callers' deltas gather into a batch (bounded by count and bytes) while earlier batches are
 * in flight; one thread proposes each batch, in order, through a {@link Proposer} and completes each delta's future
 * with its version (the batch's first version + its position) once the batch is committed and applied here.
 * <p>
 * Callers never wait for Raft here: {@link #offer} copies the ops and returns a future. When the pending batch is full
 * it waits (back-pressure) until the proposing thread takes it.
 */
public final class Batcher implements AutoCloseable
{
    /** Proposes one encoded batch; completes with the first version and count, or fails. */
    @FunctionalInterface
    public interface Proposer
    {
        /**
         * @param batch   the encoded batch.
         * @param count   deltas in it.
         * @return the batch's first version once committed and applied on this node.
         */
        CompletableFuture<Long> propose(byte[] batch, int count);
    }

    private final Proposer proposer;
    private final int maxDeltas;
    private final int maxBytes;
    private final long lingerNanos;
    private final Semaphore inFlight;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private DeltaBatch pending = new DeltaBatch();
    private List<CompletableFuture<Long>> pendingFutures = new ArrayList<>();
    private DeltaBatch spare = new DeltaBatch();
    private List<CompletableFuture<Long>> spareFutures = new ArrayList<>();
    private boolean closed;
    private final Thread thread;

    /**
     * @param name        the proposing thread's name.
     * @param proposer    hands batches to Raft.
     * @param maxDeltas   deltas per batch.
     * @param maxBytes    encoded bytes per batch.
     * @param maxInFlight batches proposed and not yet completed.
     * @param lingerNanos how long to wait for a batch to fill (0: propose at once).
     */
    public Batcher(final String name, final Proposer proposer, final int maxDeltas, final int maxBytes,
        final int maxInFlight, final long lingerNanos)
    {
        this.proposer = proposer;
        this.maxDeltas = maxDeltas;
        this.maxBytes = maxBytes;
        this.lingerNanos = lingerNanos;
        this.inFlight = new Semaphore(maxInFlight);
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Copy {@code delta}'s ops into the pending batch.
     *
     * @return completes with the delta's version once it is committed by the group and applied on this node.
     * @throws IllegalArgumentException if the delta alone exceeds a batch.
     * @throws IllegalStateException    if closed.
     */
    public CompletableFuture<Long> offer(final Delta delta) throws InterruptedException
    {
        final int length = DeltaBatch.encodedLength(delta);
        if (DeltaBatch.HEADER_LENGTH + length > maxBytes)
        {
            throw new IllegalArgumentException("delta too large for one replica batch: " + length + " bytes encoded, " +
                "maxBatchBytes=" + maxBytes + " (ReplicaSettings.maxBatch)");
        }
        final CompletableFuture<Long> future = new CompletableFuture<>();
        lock.lockInterruptibly();
        try
        {
            while (!closed && (pending.count() >= maxDeltas || pending.length() + length > maxBytes))
            {
                notFull.await();
            }
            if (closed)
            {
                throw new IllegalStateException("replica writes are closed");
            }
            pending.add(delta);
            pendingFutures.add(future);
            notEmpty.signal();
        }
        finally
        {
            lock.unlock();
        }
        return future;
    }

    private void run()
    {
        try
        {
            while (true)
            {
                inFlight.acquire();
                final DeltaBatch batch;
                final List<CompletableFuture<Long>> futures;
                lock.lock();
                try
                {
                    while (!closed && pending.count() == 0)
                    {
                        notEmpty.await();
                    }
                    if (lingerNanos > 0)
                    {
                        long left = lingerNanos;
                        while (!closed && left > 0 && pending.count() < maxDeltas)
                        {
                            left = notEmpty.awaitNanos(left);
                        }
                    }
                    if (closed)
                    {
                        return;
                    }
                    batch = pending;
                    futures = pendingFutures;
                    pending = spare;
                    pendingFutures = spareFutures;
                    notFull.signalAll();
                }
                finally
                {
                    lock.unlock();
                }
                final byte[] bytes = batch.toBytes();
                final int count = batch.count();
                final List<CompletableFuture<Long>> proposed = List.copyOf(futures);
                lock.lock();
                try
                {
                    batch.clear();
                    futures.clear();
                    spare = batch;
                    spareFutures = futures;
                }
                finally
                {
                    lock.unlock();
                }
                propose(bytes, count, proposed);
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            failPending(new ReplicationException("replica node closed before the delta was proposed", false, null));
        }
    }

    private void propose(final byte[] bytes, final int count, final List<CompletableFuture<Long>> futures)
    {
        CompletableFuture<Long> proposal;
        try
        {
            proposal = proposer.propose(bytes, count);
        }
        catch (final RuntimeException e)
        {
            proposal = CompletableFuture.failedFuture(e);
        }
        proposal.whenComplete((first, failure) ->
        {
            inFlight.release();
            for (int i = 0; i < futures.size(); i++)
            {
                if (failure != null)
                {
                    futures.get(i).completeExceptionally(failure);
                }
                else
                {
                    futures.get(i).complete(first + i);
                }
            }
        });
    }

    private void failPending(final RuntimeException failure)
    {
        lock.lock();
        try
        {
            closed = true;
            pendingFutures.forEach(f -> f.completeExceptionally(failure));
            pendingFutures.clear();
            pending.clear();
            notFull.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Stop: deltas not yet proposed fail; batches in flight complete as Raft decides.
     */
    @Override
    public void close()
    {
        lock.lock();
        try
        {
            closed = true;
            notEmpty.signalAll();
            notFull.signalAll();
        }
        finally
        {
            lock.unlock();
        }
        thread.interrupt();
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }
}
