package dev.engram.journal;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Journals of this JVM still closing in the background ({@link Journal#closeAsync()}), by directory: an open of the
 * same directory waits for its close (at most {@link #WAIT_MS}) before it takes the directory lock, so a reopen right
 * after {@code closeAsync} finds the directory free rather than "already open in this process".
 */
final class JournalClosings
{
    /** How long an open waits for a background close of its directory (the queue's cold open, on a loaded machine). */
    static final long WAIT_MS = 120_000;

    private static final ConcurrentHashMap<Path, CompletableFuture<Void>> CLOSING = new ConcurrentHashMap<>();

    private JournalClosings()
    {
    }

    static void closingInBackground(final Path directory, final CompletableFuture<Void> closed)
    {
        final Path key = key(directory);
        CLOSING.put(key, closed);
        closed.whenComplete((ignored, failure) -> CLOSING.remove(key, closed));
    }

    static void awaitClosed(final Path directory)
    {
        final CompletableFuture<Void> closed = CLOSING.get(key(directory));
        if (closed == null)
        {
            return;
        }
        try
        {
            closed.get(WAIT_MS, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            // the lock's own acquire says what holds the directory
        }
    }

    private static Path key(final Path directory)
    {
        return directory.toAbsolutePath().normalize();
    }
}
