package dev.engram.journal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The journal's Chronicle queue, open or opening: holds its {@link JournalBackend} once there is one. A journal
 * opened with {@link Journal#open} has it at once; one opened with {@link Journal#openInBackground} takes appends
 * into the ring while the writer thread opens the queue ({@link #openThenWrite}), checks that it ends where the
 * caller said, then drains the ring. What arrives meanwhile waits here: a sync request is handed over once the
 * queue is open, a stop is obeyed once the writer runs, and callers needing the queue wait for it
 * ({@link #backend()}) or learn that it failed to open.
 * <p>
 * States: opening ({@link #current()} null, the latch up), open (backend set, latch down) or failed (backend null,
 * latch down, the failure in {@link JournalProgress#failure()}).
 */
final class JournalOpening
{
    private final JournalContext ctx;
    private final ManyToOneDeltaRing ring;
    private final long baseVersion;
    private final JournalProgress progress;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final AtomicLong pendingSyncRequest = new AtomicLong();
    private volatile JournalBackend backend;
    private volatile boolean stopRequested;

    /**
     * @param baseVersion the version the queue must end at (a background open checks it).
     */
    JournalOpening(final JournalContext ctx, final ManyToOneDeltaRing ring, final long baseVersion,
        final JournalProgress progress)
    {
        this.ctx = ctx;
        this.ring = ring;
        this.baseVersion = baseVersion;
        this.progress = progress;
    }

    /**
     * The queue was opened on the caller's thread ({@link Journal#open}): open at once.
     *
     * @return {@code started}.
     */
    JournalBackend opened(final JournalBackend started)
    {
        backend = started;
        ready.countDown();
        return started;
    }

    /**
     * Writer thread of a background open: run {@code beforeOpen}, open the queue and check it ends at the base
     * version with no torn frame, then hand over what arrived meanwhile and run the writer. If the open fails, the
     * journal fails with it and nothing is written.
     */
    void openThenWrite(final long startNs, final Runnable beforeOpen)
    {
        final JournalBackend started;
        try
        {
            beforeOpen.run();
            final JournalBackend.OpenedStore opened = JournalBackend.openStore(ctx, startNs);
            try
            {
                final JournalReader.TailScan tail = opened.tail;
                if (tail.lastVersion != baseVersion || tail.tornFrames > 0)
                {
                    throw new JournalException("journal opened in the background ends at version=" + tail.lastVersion +
                        " with " + tail.tornFrames + " torn frame(s), but it was opened to continue after version=" +
                        baseVersion + " (the caller's scan of " + ctx.directory() + " disagrees with the queue); " +
                        "nothing was written");
                }
                started = JournalBackend.start(ctx, opened, ring, baseVersion, progress);
            }
            catch (final RuntimeException | Error ex)
            {
                opened.store.close();
                throw ex;
            }
        }
        catch (final Throwable ex)
        {
            progress.fail(ex instanceof JournalException journalException ? journalException :
                new JournalException("journal queue in " + ctx.directory() + " failed to open in the background (its " +
                    "metadata.cq4t or a cycle file's header may be damaged): " + ex, ex));
            progress.writerStopped();
            ready.countDown();
            return;
        }
        backend = started;
        ready.countDown();
        final long pending = pendingSyncRequest.get();
        if (pending > 0)
        {
            started.syncer.request(pending);
        }
        if (stopRequested)
        {
            started.writer.stop();
        }
        started.writer.run();
    }

    /**
     * @return true once the queue is open; false while it opens, or if it failed to.
     */
    boolean isOpen()
    {
        return backend != null;
    }

    /**
     * @return the backend, or null while the queue opens or if it failed to (never waits).
     */
    JournalBackend current()
    {
        return backend;
    }

    /**
     * @return the backend, once the queue is open (waits for a background open, uninterruptibly).
     * @throws JournalException if the queue failed to open.
     */
    JournalBackend backend()
    {
        final JournalBackend current = backend;
        if (current != null)
        {
            return current;
        }
        boolean interrupted = false;
        while (true)
        {
            try
            {
                ready.await();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        return openedOrThrow();
    }

    /**
     * @return the backend once the queue is open, or null if it is still opening after {@code timeout} or the
     *         thread was interrupted (its interrupt status kept).
     * @throws JournalException if the queue failed to open.
     */
    JournalBackend awaitBackend(final long timeout, final TimeUnit unit)
    {
        final JournalBackend current = backend;
        if (current != null)
        {
            return current;
        }
        try
        {
            if (!ready.await(timeout, unit))
            {
                return null;
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return null;
        }
        return openedOrThrow();
    }

    /**
     * Ask the sync thread to force up to {@code version}: at once if the queue is open, else once it is.
     */
    void requestSync(final long version)
    {
        final JournalBackend current = backend;
        if (current != null)
        {
            current.syncer.request(version);
            return;
        }
        pendingSyncRequest.accumulateAndGet(version, Math::max);
        final JournalBackend opened = backend;   // opened meanwhile: it may have read the request before it was set
        if (opened != null)
        {
            opened.syncer.request(version);
        }
    }

    /**
     * Close: the writer stops once it has drained the ring (a background open finishes opening first).
     */
    void stopWriter()
    {
        stopRequested = true;
        final JournalBackend current = backend;
        if (current != null)
        {
            current.writer.stop();
        }
    }

    private JournalBackend openedOrThrow()
    {
        final JournalBackend current = backend;
        if (current == null)
        {
            final JournalException failure = progress.failure();
            throw new JournalException("journal queue did not open in " + ctx.directory() + " (its metadata file " +
                ctx.directory().resolve("metadata.cq4t") + " or a cycle file may be damaged): " + failure.getMessage() +
                "; nothing appended since open() was written: close the store, move the damaged file aside " +
                "(Chronicle rebuilds metadata.cq4t from the cycle files) and reopen", failure);
        }
        return current;
    }
}
