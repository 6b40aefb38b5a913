package dev.engram.journal;

import java.util.concurrent.CountDownLatch;

/**
 * Test support for the recovery module: hold a state store's background journal open until {@link #release()} (the
 * journal writes commits to its bridge file meanwhile), either once it has started on the journal's directory, just
 * before the queue opens ({@link #holdOpensOf}: a close then waits for the open, or with a bounded
 * {@code closeJournalWaitMs} leaves it to finish alone), or during Chronicle's warm-up, before it has touched the
 * directory ({@link #holdWarmUpOf}: a close then cancels the open).
 */
public final class QueueOpenGate
{
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch reached = new CountDownLatch(1);

    /**
     * Hold every background open of journals configured by {@code ctx} until released.
     */
    public QueueOpenGate holdOpensOf(final JournalContext ctx)
    {
        ctx.beforeQueueOpen(this::hold);
        return this;
    }

    /**
     * Hold every background open of journals configured by {@code ctx} in place of Chronicle's warm-up, before it
     * starts on the journal's directory.
     */
    public QueueOpenGate holdWarmUpOf(final JournalContext ctx)
    {
        ctx.queueWarmUp(this::hold);
        return this;
    }

    private void hold()
    {
        reached.countDown();
        boolean interrupted = false;
        while (true)
        {
            try
            {
                gate.await();
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
    }

    /**
     * @return true once a background open is held at the gate.
     */
    public boolean isHolding()
    {
        return reached.getCount() == 0 && gate.getCount() > 0;
    }

    /**
     * Wait until a background open is held at the gate (it first runs Chronicle's warm-up, which on a loaded machine
     * can take seconds: a close before it is held cancels the open instead of meeting the gate).
     *
     * @return true if held within the timeout.
     */
    public boolean awaitHolding(final long timeout, final java.util.concurrent.TimeUnit unit) throws InterruptedException
    {
        return reached.await(timeout, unit);
    }

    public void release()
    {
        gate.countDown();
    }
}
