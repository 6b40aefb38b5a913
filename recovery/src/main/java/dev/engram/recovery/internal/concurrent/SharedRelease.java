package dev.engram.recovery.internal.concurrent;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A resource released by the last of its holders ("the last one out unmaps"): it starts held by its owner; a
 * background task that needs it for a while {@link #tryShare() shares} it and {@link #leave() leaves} when done; the
 * {@code leave} that takes the count to zero runs the release, on whichever thread that is. Used where close must not
 * wait for a task it cannot interrupt (the after-open checks): close leaves and returns, the task frees the resource
 * when its uninterruptible step ends. One atomic count; a share taken after the release is refused, so nothing can
 * join a resource that is gone.
 */
public final class SharedRelease
{
    private final AtomicInteger holders = new AtomicInteger(1);
    private final Runnable release;
    private final CompletableFuture<Void> released = new CompletableFuture<>();

    /**
     * @param release what frees the resource; run once, by the last holder to leave.
     */
    public SharedRelease(final Runnable release)
    {
        this.release = release;
    }

    /**
     * Join the holders.
     *
     * @return true if joined (then {@link #leave()} exactly once), false if the resource was already released.
     */
    public boolean tryShare()
    {
        while (true)
        {
            final int current = holders.get();
            if (current == 0)
            {
                return false;
            }
            if (holders.compareAndSet(current, current + 1))
            {
                return true;
            }
        }
    }

    /**
     * Leave; the last holder out runs the release (its exception, if any, is thrown here after
     * {@link #released()} completes).
     *
     * @return true if this call released the resource.
     * @throws IllegalStateException if every holder already left.
     */
    public boolean leave()
    {
        while (true)
        {
            final int current = holders.get();
            if (current == 0)
            {
                throw new IllegalStateException("leave without a share: already released");
            }
            if (holders.compareAndSet(current, current - 1))
            {
                if (current > 1)
                {
                    return false;
                }
                try
                {
                    release.run();
                }
                finally
                {
                    released.complete(null);
                }
                return true;
            }
        }
    }

    /**
     * @return true once released.
     */
    public boolean isReleased()
    {
        return released.isDone();
    }

    /**
     * @return completes once the last holder left and the release ran.
     */
    public CompletableFuture<Void> released()
    {
        return released;
    }
}
