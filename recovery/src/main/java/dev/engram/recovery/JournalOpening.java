package dev.engram.recovery;

import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Opens the journal on its own thread, so recovery can map the checkpoint and read the journal tail while
 * the Chronicle queue opens (in a cold JVM that is mostly Chronicle's class loading and static
 * initialisation, ~0.4 s). {@link #await()} hands over the journal or rethrows what the open threw.
 */
final class JournalOpening
{
    private final FutureTask<Journal> task;
    private volatile long openNs;

    private JournalOpening(final JournalContext ctx)
    {
        task = new FutureTask<>(() ->
        {
            final long startNs = System.nanoTime();
            final Journal journal = Journal.open(ctx);
            openNs = System.nanoTime() - startNs;
            return journal;
        });
    }

    static JournalOpening start(final JournalContext ctx)
    {
        final JournalOpening opening = new JournalOpening(ctx);
        final Thread thread = new Thread(opening.task, "engram-journal-open");
        thread.setDaemon(true);
        thread.start();
        return opening;
    }

    /**
     * @return the open journal, once its open has finished.
     */
    Journal await()
    {
        boolean interrupted = false;
        try
        {
            while (true)
            {
                try
                {
                    return task.get();
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;     // the journal is opening either way: wait for it, keep the flag
                }
                catch (final ExecutionException ex)
                {
                    final Throwable cause = ex.getCause();
                    if (cause instanceof RuntimeException runtime)
                    {
                        throw runtime;
                    }
                    if (cause instanceof Error error)
                    {
                        throw error;
                    }
                    throw new RecoveryException("journal open failed: " + cause, cause);
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Close the journal if it opened (recovery failed elsewhere); wait for the open to finish first.
     */
    void closeQuietly(final RuntimeException failure)
    {
        try
        {
            await().close();
        }
        catch (final RuntimeException ex)
        {
            failure.addSuppressed(ex);
        }
    }

    /**
     * @return how long {@code Journal.open} took on its thread.
     */
    long openNs()
    {
        return openNs;
    }
}
