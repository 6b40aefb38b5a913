package dev.engram.journal;

import java.util.concurrent.locks.LockSupport;

/**
 * The thread that opens a background-opened journal's Chronicle queue ({@link JournalBackend#openStore}) and checks
 * that it ends at the version the caller said with no torn frame, while the journal thread writes what arrives to the
 * bridge ({@link JournalBridgeDrain}). Wakes the journal thread when done.
 * <p>
 * Two phases: first Chronicle's cold start away from the journal's directory ({@link ChronicleWarmUp}, the long part
 * in a fresh JVM), then the open in the directory. Until the second phase starts, {@link #cancel()} stops it: nothing
 * of the directory was touched, so a close need not wait for the queue at all. Once it has started, it runs to the end
 * (a Chronicle open cannot be interrupted; after the warm-up it takes milliseconds).
 */
final class JournalQueueOpener implements Runnable
{
    private final JournalContext ctx;
    private final long startNs;
    private final Runnable beforeOpen;
    private final long baseVersion;
    private final Thread journalThread;
    private final Thread thread;
    private JournalBackend.OpenedStore opened;   // published by done
    private Throwable failure;
    private volatile boolean done;
    /** WARMING until the open starts on the directory (OPENING) or is cancelled (CANCELLED). */
    private final java.util.concurrent.atomic.AtomicInteger phase = new java.util.concurrent.atomic.AtomicInteger(WARMING);
    private static final int WARMING = 0;
    private static final int OPENING = 1;
    private static final int CANCELLED = 2;

    private JournalQueueOpener(final JournalContext ctx, final long startNs, final Runnable beforeOpen,
        final long baseVersion, final Thread journalThread)
    {
        this.ctx = ctx;
        this.startNs = startNs;
        this.beforeOpen = beforeOpen;
        this.baseVersion = baseVersion;
        this.journalThread = journalThread;
        this.thread = new Thread(this, "engram-journal-opener");
        thread.setDaemon(true);
    }

    /**
     * Start opening on a thread of its own; {@code journalThread} is woken when it is done.
     */
    static JournalQueueOpener start(final JournalContext ctx, final long startNs, final Runnable beforeOpen,
        final long baseVersion, final Thread journalThread)
    {
        final JournalQueueOpener opener = new JournalQueueOpener(ctx, startNs, beforeOpen, baseVersion, journalThread);
        opener.thread.start();
        return opener;
    }

    @Override
    public void run()
    {
        try
        {
            ctx.queueWarmUp().run();
            if (!phase.compareAndSet(WARMING, OPENING))
            {
                return;   // cancelled by a close: the directory was not touched
            }
            beforeOpen.run();
            final JournalBackend.OpenedStore store = JournalBackend.openStore(ctx, startNs);
            final JournalReader.TailScan tail = store.tail;
            if (tail.lastVersion != baseVersion || tail.tornFrames > 0)
            {
                store.store.close();
                throw new JournalException("journal opened in the background ends at version=" + tail.lastVersion +
                    " with " + tail.tornFrames + " torn frame(s), but it was opened to continue after version=" +
                    baseVersion + " (the caller's scan of " + ctx.directory() + " disagrees with the queue); " +
                    "nothing was written to the queue");
            }
            opened = store;
        }
        catch (final Throwable ex)
        {
            failure = ex;
        }
        finally
        {
            done = true;
            LockSupport.unpark(journalThread);
        }
    }

    boolean isDone()
    {
        return done;
    }

    /**
     * Cancel the open if it has not started on the journal's directory yet (the warm-up may still run to its end on
     * this opener's thread; it touches only a temporary directory).
     *
     * @return true if cancelled: the queue will not be opened and nothing in the directory was changed by this opener.
     */
    boolean cancel()
    {
        return phase.compareAndSet(WARMING, CANCELLED) || phase.get() == CANCELLED;
    }

    /**
     * @return the opened store, once done.
     * @throws Throwable what the open failed with.
     */
    JournalBackend.OpenedStore opened() throws Throwable
    {
        if (failure != null)
        {
            throw failure;
        }
        return opened;
    }

    /**
     * Wait until done (uninterruptibly), then close the store if it opened: the journal failed meanwhile.
     */
    void awaitThenClose()
    {
        dev.engram.journal.internal.Threads.joinUninterruptibly(thread);
        if (opened != null)
        {
            opened.store.close();
        }
    }
}
