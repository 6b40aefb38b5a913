package dev.engram.backup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads of a restore or a read-data verify ({@link BackupSettings#parallelism()}): tasks submitted here run on
 * {@code parallelism} daemon threads, or on the calling thread at once when it is 1. The caller takes the results in
 * the order it submitted them, so the first failure it meets is the one a run on one thread would meet. Workers are
 * never interrupted (an interrupt closes the {@link java.nio.channels.FileChannel} a task writes to, under the other
 * tasks): {@link #close()} lets queued tasks finish.
 */
final class Workers implements AutoCloseable
{
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** A task that may fail with an {@link IOException}. */
    @FunctionalInterface
    interface Task<T>
    {
        T call() throws IOException;
    }

    private final ExecutorService pool;
    private final int parallelism;

    Workers(final int parallelism, final String name)
    {
        this.parallelism = parallelism;
        this.pool = parallelism == 1 ? null : Executors.newFixedThreadPool(parallelism, r ->
        {
            final Thread thread = new Thread(r, "engram-" + name + "-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Threads (1: the caller's). */
    int parallelism()
    {
        return parallelism;
    }

    /** Runs the task on a worker, or now on this thread (parallelism 1), its failure kept in the future. */
    <T> CompletableFuture<T> submit(final Task<T> task)
    {
        if (pool == null)
        {
            try
            {
                return CompletableFuture.completedFuture(task.call());
            }
            catch (final IOException | RuntimeException | Error ex)
            {
                return CompletableFuture.failedFuture(ex);
            }
        }
        return CompletableFuture.supplyAsync(() ->
        {
            try
            {
                return task.call();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }, pool);
    }

    /** The task's result, or its failure as it threw it. */
    static <T> T await(final CompletableFuture<T> future) throws IOException
    {
        try
        {
            return future.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
        catch (final ExecutionException ex)
        {
            throw unwrap(ex.getCause());
        }
    }

    private static IOException unwrap(final Throwable thrown) throws IOException
    {
        Throwable cause = thrown;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null)
        {
            cause = cause.getCause();
        }
        if (cause instanceof UncheckedIOException io)
        {
            throw io.getCause();
        }
        if (cause instanceof IOException io)
        {
            throw io;
        }
        if (cause instanceof RuntimeException runtime)
        {
            throw runtime;
        }
        if (cause instanceof Error error)
        {
            throw error;
        }
        throw new IOException(cause);
    }

    /** Waits for every task to end (uninterruptibly, failures ignored): after a failure, before cleaning up. */
    static void settle(final Collection<? extends CompletableFuture<?>> futures)
    {
        for (final CompletableFuture<?> future : futures)
        {
            try
            {
                future.join();
            }
            catch (final RuntimeException ex)
            {
                // the failure that stopped the caller is the one reported
            }
        }
    }

    @Override
    public void close()
    {
        if (pool != null)
        {
            pool.shutdown();
        }
    }
}
