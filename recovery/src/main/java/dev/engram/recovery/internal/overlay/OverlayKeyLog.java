package dev.engram.recovery.internal.overlay;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * The addresses of an overlay's entries in the order they were inserted: the writer appends one when it inserts a
 * key the overlay did not hold (a plain store and a release store of the count; a 32 KiB chunk every 4,096 new
 * keys), readers read any prefix of it. Entries never leave an overlay, so the log is exactly its keys. It is what
 * {@link OverlayKeyRuns} sorts for ordered scans; nothing on the write path sorts.
 */
final class OverlayKeyLog
{
    private static final int CHUNK_SHIFT = 12;
    private static final int CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;
    private static final VarHandle COUNT;

    static
    {
        try
        {
            COUNT = MethodHandles.lookup().findVarHandle(OverlayKeyLog.class, "count", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private volatile long[][] chunks = new long[4][];
    @SuppressWarnings("unused")
    private int count;   // written with release, read with acquire
    private int written; // the writer's own count

    /** Writer thread: an entry was inserted (and its slot published). */
    void append(final long entryAddress)
    {
        final int n = written;
        final int chunk = n >>> CHUNK_SHIFT;
        long[][] directory = chunks;
        if (chunk == directory.length)
        {
            directory = Arrays.copyOf(directory, chunk * 2);
            chunks = directory;
        }
        if (directory[chunk] == null)
        {
            directory[chunk] = new long[1 << CHUNK_SHIFT];
        }
        directory[chunk][n & CHUNK_MASK] = entryAddress;
        written = n + 1;
        COUNT.setRelease(this, n + 1);   // the address (and the entry before it) are visible before the count
    }

    /**
     * @return entries readable now (read the count before the addresses).
     */
    int count()
    {
        return (int)COUNT.getAcquire(this);
    }

    /**
     * @param i below a {@link #count()} read before.
     */
    long address(final int i)
    {
        return chunks[i >>> CHUNK_SHIFT][i & CHUNK_MASK];
    }
}
