package dev.engram.journal.internal;

/**
 * Thread helpers shared by the modules.
 */
public final class Threads
{
    private Threads()
    {
    }

    /**
     * Wait for a thread to end, even if interrupted meanwhile (the interrupt flag is restored afterwards).
     *
     * @param thread the thread, or null (nothing to wait for).
     */
    public static void joinUninterruptibly(final Thread thread)
    {
        if (thread == null)
        {
            return;
        }
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
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
}
