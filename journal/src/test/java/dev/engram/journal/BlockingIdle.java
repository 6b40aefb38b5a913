package dev.engram.journal;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.CountDownLatch;

/**
 * A writer idle strategy for tests: the first time the writer finds nothing to do it says so and blocks until
 * released, so a test can fill the ring (and its arena) with the journal thread held still.
 */
final class BlockingIdle implements IdleStrategy
{
    final CountDownLatch writerParked = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void idle(final int workCount)
    {
        if (workCount == 0 && release.getCount() > 0)
        {
            writerParked.countDown();
            try
            {
                release.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void idle()
    {
        idle(0);
    }

    @Override
    public void reset()
    {
    }
}
