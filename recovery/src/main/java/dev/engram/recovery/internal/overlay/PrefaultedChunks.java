package dev.engram.recovery.internal.overlay;

import dev.engram.journal.internal.Threads;
import org.agrona.UnsafeApi;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Native memory chunks allocated and touched page by page on a helper thread, ahead of the thread that will
 * fill them. Fresh memory costs a page fault (and the kernel zeroing the page) per 4 KiB on first write:
 * ~25 ms for 48 MB here, which the restart path would otherwise pay on its own thread while it writes the
 * tail's records. The helper stays a few chunks ahead of the taker and no further, so an over-estimate
 * costs nothing. {@link #take()} never waits: if no chunk is ready, the caller allocates
 * its own.
 * Chunks come from {@link UnsafeApi#allocateMemory}; a taken chunk belongs to the taker (free it with
 * {@link UnsafeApi#freeMemory}), untaken ones are freed by {@link #close()}.
 */
public final class PrefaultedChunks implements AutoCloseable
{
    private static final int PAGE = 4096;

    /** Chunks prepared ahead of the taker. */
    static final int LOOKAHEAD = 3;

    private final long chunkLength;
    private final AtomicLongArray ready;
    private final Thread thread;
    private volatile int published;
    private volatile int taken;
    private volatile boolean stop;

    /**
     * @param chunkLength bytes per chunk.
     * @param chunks      how many to prepare at most (never more than {@link #LOOKAHEAD} ahead of the taker).
     */
    public PrefaultedChunks(final long chunkLength, final int chunks)
    {
        this.chunkLength = chunkLength;
        this.ready = new AtomicLongArray(Math.max(0, chunks));
        this.thread = new Thread(this::prepare, "engram-recovery-prefault");
        thread.setDaemon(true);
        thread.start();
    }

    private void prepare()
    {
        for (int i = 0; i < ready.length() && !stop; i++)
        {
            while (i - taken >= LOOKAHEAD && !stop)
            {
                LockSupport.park(this);
            }
            if (stop)
            {
                return;
            }
            final long chunk = UnsafeApi.allocateMemory(chunkLength);
            for (long offset = 0; offset < chunkLength; offset += PAGE)
            {
                UnsafeApi.putLong(chunk + offset, 0);
            }
            ready.set(i, chunk);
            published = i + 1;
        }
    }

    /**
     * @return chunks prepared so far (taken or not).
     */
    int prepared()
    {
        return published;
    }

    long chunkLength()
    {
        return chunkLength;
    }

    /**
     * @return a prepared chunk of {@link #chunkLength()} bytes, now the caller's, or 0 if none is ready.
     */
    long take()
    {
        if (taken >= published)
        {
            return 0;
        }
        final long chunk = ready.getAndSet(taken, 0);
        taken = taken + 1;   // single taker
        LockSupport.unpark(thread);
        return chunk;
    }

    /**
     * Stop preparing and free what was not taken.
     */
    @Override
    public void close()
    {
        stop = true;
        LockSupport.unpark(thread);
        Threads.joinUninterruptibly(thread);
        for (int i = 0; i < ready.length(); i++)
        {
            final long chunk = ready.getAndSet(i, 0);
            if (chunk != 0)
            {
                UnsafeApi.freeMemory(chunk);
            }
        }
    }
}
