package dev.engram.recovery;

import org.agrona.UnsafeApi;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Native memory chunks allocated and touched page by page on a helper thread, ahead of the thread that will
 * fill them. Fresh memory costs a page fault (and the kernel zeroing the page) per 4 KiB on first write:
 * ~25 ms for 48 MB here, which the restart path would otherwise pay on its own thread while it writes the
 * tail's records. {@link #take()} never waits: if no chunk is ready, the caller allocates its own.
 * Chunks come from {@link UnsafeApi#allocateMemory}; a taken chunk belongs to the taker (free it with
 * {@link UnsafeApi#freeMemory}), untaken ones are freed by {@link #close()}.
 */
final class PrefaultedChunks implements AutoCloseable
{
    private static final int PAGE = 4096;

    private final long chunkLength;
    private final AtomicLongArray ready;
    private final Thread thread;
    private volatile int published;
    private volatile boolean stop;
    private int taken;

    /**
     * @param chunkLength bytes per chunk.
     * @param chunks      how many to prepare at most.
     */
    PrefaultedChunks(final long chunkLength, final int chunks)
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
            final long chunk = UnsafeApi.allocateMemory(chunkLength);
            for (long offset = 0; offset < chunkLength; offset += PAGE)
            {
                UnsafeApi.putLong(chunk + offset, 0);
            }
            ready.set(i, chunk);
            published = i + 1;
        }
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
        taken++;
        return chunk;
    }

    /**
     * Stop preparing and free what was not taken.
     */
    @Override
    public void close()
    {
        stop = true;
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
        for (int i = 0; i < ready.length(); i++)
        {
            final long chunk = ready.getAndSet(i, 0);
            if (chunk != 0)
            {
                UnsafeApi.freeMemory(chunk);
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
