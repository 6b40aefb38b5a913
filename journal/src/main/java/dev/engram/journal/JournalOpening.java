package dev.engram.journal;

import org.agrona.concurrent.IdleStrategy;

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
    /** How often a wait for the queue looks whether it was given up ({@link #abandonWaits()}). */
    private static final long WAIT_CHECK_MS = 20;

    private final JournalContext ctx;
    private final ManyToOneDeltaRing ring;
    private final long baseVersion;
    private final JournalProgress progress;
    private final CountDownLatch ready = new CountDownLatch(1);
    /** Down once a close can tell whether it need wait for the queue ({@link #awaitSettledForClose}). */
    private final CountDownLatch settled = new CountDownLatch(1);
    private volatile boolean settledInBridge;
    /** Set by the writer thread before {@link #ready} goes down: a close cancelled the open during the warm-up. */
    private volatile boolean closedBeforeQueueOpened;
    private volatile boolean framesLeftInBridge;
    private volatile boolean waitsAbandoned;
    private final AtomicLong pendingSyncRequest = new AtomicLong();
    private volatile JournalBackend backend;
    private volatile boolean stopRequested;
    private volatile JournalBridgeDrain drain;   // the bridge phase of a background open, or null

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
        settled.countDown();
        return started;
    }

    /**
     * Writer thread of a background open: the queue opens on a thread of its own ({@link JournalQueueOpener}, which
     * runs {@code beforeOpen} first and checks the queue ends at the base version with no torn frame) while this thread
     * writes what arrives to the bridge file ({@link JournalBridgeDrain}); once the queue is open the bridge's frames
     * are copied into it and the bridge removed ({@link JournalBackend#start}), then the writer runs. If the open
     * fails, the journal fails with it: what the bridge holds stays there for the next open.
     */
    void openThenWrite(final long startNs, final Runnable beforeOpen)
    {
        final JournalQueueOpener opener = JournalQueueOpener.start(ctx, startNs, beforeOpen, baseVersion,
            Thread.currentThread());
        final JournalBridgeDrain bridging = new JournalBridgeDrain(ctx, ring, baseVersion, progress);
        drain = bridging;
        JournalBackend.OpenedStore opened = null;
        final JournalBackend started;
        try
        {
            final IdleStrategy idle = ctx.writerIdleStrategySupplier().get();
            while (!opener.isDone())
            {
                final int drained = bridging.drain(pendingSyncRequest.get());
                if (drained == 0 && stopRequested && settled.getCount() > 0 && bridging.holdsEverythingClaimed())
                {
                    // closing while the queue opens: everything appended is in the bridge; forced, the close need not
                    // wait for the queue (this thread copies the bridge once it is open, then the journal closes)
                    bridging.forceAll();
                    if (opener.cancel())
                    {
                        // still in Chronicle's cold start, away from the directory: the journal ends here; what the
                        // bridge holds stays in it, forced, with its mark, for the next open to copy
                        endBeforeTheQueueOpened(bridging);
                        return;
                    }
                    settledInBridge = true;
                    settled.countDown();
                }
                if (drained == 0 && progress.callerWaitedRecently())
                {
                    Thread.onSpinWait();   // a caller waits on each write: its next frame is microseconds away
                    continue;
                }
                idle.idle(drained);
            }
            opened = opener.opened();
            started = startAfterBridge(opened, bridging);
        }
        catch (final Throwable ex)
        {
            if (opened == null)
            {
                opener.awaitThenClose();
            }
            else
            {
                opened.store.close();
            }
            final JournalBridgeFile bridge = bridging.bridge();
            final String bridged = bridge == null ? "" : "; versions " + (baseVersion + 1) + ".." +
                (baseVersion + bridging.drainedSequences()) + " are written in the bridge file " + bridge.file() +
                " (the next open copies them into the queue)";
            closeQuietly(bridge, ex);
            progress.fail(ex instanceof JournalException journalException && bridge == null ? journalException :
                new JournalException("journal queue in " + ctx.directory() + " failed to open in the background (its " +
                    "metadata.cq4t or a cycle file's header may be damaged): " + ex + bridged, ex));
            progress.writerStopped();
            ready.countDown();
            settled.countDown();
            return;
        }
        backend = started;
        ready.countDown();
        settled.countDown();
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
     * Writer thread, closing while the opener was still warming Chronicle up (it was cancelled): close the bridge file,
     * if there is one, leaving it and its mark (everything appended is forced there), and stop. The queue was never
     * opened, so no file of the directory other than the bridge's changed.
     */
    private void endBeforeTheQueueOpened(final JournalBridgeDrain bridging) throws java.io.IOException
    {
        final JournalBridgeFile bridge = bridging.bridge();
        if (bridge != null)
        {
            bridge.closeForCopy();
            framesLeftInBridge = bridging.drainedSequences() > 0;
        }
        closedBeforeQueueOpened = true;
        progress.writerStopped();
        ready.countDown();
        settled.countDown();
    }

    /**
     * @return true if the journal closed before its queue opened and its bridge file holds frames: the next open copies
     *         them (on its full path), and nothing else records them yet.
     */
    boolean framesLeftInBridge()
    {
        return framesLeftInBridge;
    }

    /**
     * The queue is open: close the bridge (no more forces), read it back and copy it into the queue, then start the
     * writer agent after the sequences it held.
     */
    private JournalBackend startAfterBridge(final JournalBackend.OpenedStore opened, final JournalBridgeDrain bridging)
        throws java.io.IOException
    {
        final JournalBridgeFile written = bridging.bridge();
        if (written == null)
        {
            return JournalBackend.start(ctx, opened, ring, baseVersion, progress);
        }
        written.closeForCopy();
        try (JournalBridgeContents bridge = JournalBridgeContents.readIfPresent(ctx.directory()))
        {
            final long expected = baseVersion + bridging.drainedSequences();
            if (bridge == null || bridge.baseVersion() != baseVersion || bridge.lastVersion() != expected)
            {
                throw new JournalException("journal bridge file " + written.file() + " read back " +
                    (bridge == null ? "missing" : "with versions " + (bridge.baseVersion() + 1) + ".." + bridge.lastVersion() +
                    (bridge.tornOffset() < 0 ? "" : " (torn at offset " + bridge.tornOffset() + ")")) +
                    " but this journal wrote versions " + (baseVersion + 1) + ".." + expected + " to it (another " +
                    "process or the disk changed it)");
            }
            return JournalBackend.start(ctx, opened, ring, baseVersion, progress, bridge, bridging);
        }
    }

    private static void closeQuietly(final JournalBridgeFile bridge, final Throwable failure)
    {
        if (bridge == null)
        {
            return;
        }
        try
        {
            bridge.closeForCopy();
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            failure.addSuppressed(ex);
        }
    }

    /**
     * Wait until {@code version} is synced: while the queue opens, by forcing the bridge that holds it (on the calling
     * thread), else by the sync thread's group commit.
     *
     * @return true if it was, false on timeout.
     */
    boolean awaitSynced(final long version, final long timeout, final TimeUnit unit)
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        JournalBackend current = backend;
        if (current == null)
        {
            if (!progress.await(false, version, timeout, unit))
            {
                return false;
            }
            final JournalBridgeDrain bridging = drain;
            final JournalBridgeFile bridge = bridging == null ? null : bridging.bridge();
            if (bridge != null && forceBridge(bridge, version))
            {
                return true;
            }
            current = awaitBackend(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (current == null)
            {
                return false;
            }
        }
        return current.syncer.awaitSynced(version, deadline);
    }

    private boolean forceBridge(final JournalBridgeFile bridge, final long version)
    {
        try
        {
            return bridge.forceUpTo(version);
        }
        catch (final java.io.IOException ex)
        {
            final JournalException failure = new JournalException("journal bridge file " + bridge.file() +
                " could not be forced to disk (synced version=" + bridge.syncedVersion() + "): " + ex, ex);
            progress.fail(failure);
            throw failure;
        }
    }

    /**
     * @return the last version forced to disk in the bridge while the queue opened (0 if none).
     */
    long bridgeSyncedVersion()
    {
        final JournalBridgeDrain bridging = drain;
        final JournalBridgeFile bridge = bridging == null ? null : bridging.bridge();
        return bridge == null ? 0 : bridge.syncedVersion();
    }

    /**
     * @return true once the queue is open; false while it opens, or if it failed to.
     */
    boolean isOpen()
    {
        return backend != null;
    }

    /**
     * @return true once the queue is open, failed to open, or the waits for it were abandoned (a close): a
     *         {@link #backend()} call then returns or throws at once.
     */
    boolean isSettled()
    {
        return backend != null || ready.getCount() == 0 || waitsAbandoned;
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
                if (ready.await(WAIT_CHECK_MS, TimeUnit.MILLISECONDS))
                {
                    break;
                }
                if (waitsAbandoned)
                {
                    throw new JournalClosingException("journal in " + ctx.directory() + " is closing and its queue " +
                        "is still opening: the wait for it was given up");
                }
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
     * From now on a wait for the queue ({@link #backend()}) that finds it still opening throws
     * {@link JournalClosingException} (within {@link #WAIT_CHECK_MS}) instead of waiting on.
     */
    void abandonWaits()
    {
        waitsAbandoned = true;
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
        progress.wakeWriter();   // the journal thread forces the bridge meanwhile
        final JournalBackend opened = backend;   // opened meanwhile: it may have read the request before it was set
        if (opened != null)
        {
            opened.syncer.request(version);
        }
    }

    /**
     * Close, after {@link #stopWriter()}: wait until either everything appended is in the bridge file and forced while
     * the queue still opens (true: the journal thread finishes the open, copies the bridge and stops by itself, so the
     * close need not wait for the queue), or the queue is open or failed (false: close as usual). A bridge that is
     * full (frames waiting in the ring for the queue) never settles: the close waits for the queue.
     */
    boolean awaitSettledForClose()
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                settled.await();
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
        return settledInBridge && backend == null;
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
        if (current == null && closedBeforeQueueOpened)
        {
            throw new JournalClosingException("journal in " + ctx.directory() + " was closed before its queue opened " +
                "(the close cancelled the open during Chronicle's warm-up)");
        }
        if (current == null)
        {
            final JournalException failure = progress.failure();
            throw new JournalException("journal queue did not open in " + ctx.directory() + " (its metadata file " +
                ctx.directory().resolve("metadata.cq4t") + " or a cycle file may be damaged): " + failure.getMessage() +
                "; nothing appended since open() was written to the queue (what the bridge file " +
                JournalBridgeDescriptor.FILE_NAME + " holds is copied by the next open): close the store, move the " +
                "damaged file aside (Chronicle rebuilds metadata.cq4t from the cycle files) and reopen", failure);
        }
        return current;
    }
}
