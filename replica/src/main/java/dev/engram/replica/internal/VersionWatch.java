package dev.engram.replica.internal;

import java.util.concurrent.TimeUnit;

/**
 * The highest version committed by the group and applied on this node, with a wait for it.
 */
public final class VersionWatch
{
    private volatile long version;
    private int waiters;

    /** @return the version. */
    public long version()
    {
        return version;
    }

    /** Publish {@code newVersion} (never goes back) and wake waiters. */
    public void advance(final long newVersion)
    {
        if (newVersion > version)
        {
            version = newVersion;
        }
        synchronized (this)
        {
            if (waiters > 0)
            {
                notifyAll();
            }
        }
    }

    /**
     * @return false on timeout.
     */
    public boolean await(final long target, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        if (version >= target)
        {
            return true;
        }
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (this)
        {
            waiters++;
            try
            {
                while (version < target)
                {
                    final long left = deadline - System.nanoTime();
                    if (left <= 0)
                    {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
                return true;
            }
            finally
            {
                waiters--;
            }
        }
    }
}
