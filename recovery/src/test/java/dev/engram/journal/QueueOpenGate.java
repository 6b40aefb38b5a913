package dev.engram.journal;

import java.util.concurrent.CountDownLatch;

/**
 * Test support for the recovery module: hold a state store's background journal open before its queue opens (the
 * journal writes commits to its bridge file meanwhile) until {@link #release()}.
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
        ctx.beforeQueueOpen(() ->
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
        });
        return this;
    }

    /**
     * @return true once a background open is held at the gate.
     */
    public boolean isHolding()
    {
        return reached.getCount() == 0 && gate.getCount() > 0;
    }

    public void release()
    {
        gate.countDown();
    }
}
