package dev.engram.recovery.internal.overlay;

import org.agrona.UnsafeApi;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class PrefaultedChunksTest
{
    private static void awaitPrepared(final PrefaultedChunks chunks, final int count)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (chunks.prepared() < count)
        {
            assertTrue(System.nanoTime() < deadline, "helper never prepared " + count + " chunks: " + chunks.prepared());
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldHandOverUsableChunksAndStayOnlyAFewAhead()
    {
        final long length = 64 * 1024;
        try (PrefaultedChunks chunks = new PrefaultedChunks(length, 10))
        {
            awaitPrepared(chunks, PrefaultedChunks.LOOKAHEAD);
            for (int i = 0; i < 5; i++)
            {
                awaitPrepared(chunks, Math.min(10, i + 1));
                final long chunk = chunks.take();
                assertNotEquals(0, chunk);
                UnsafeApi.putLong(chunk + length - 8, i);   // the taker's now: writable to its last byte
                assertEquals(i, UnsafeApi.getLong(chunk + length - 8));
                UnsafeApi.freeMemory(chunk);
                assertTrue(chunks.prepared() <= i + 1 + PrefaultedChunks.LOOKAHEAD,
                    "prepared " + chunks.prepared() + " with " + (i + 1) + " taken");
            }
        }
    }

    @Test
    void shouldReturnZeroWhenNoneIsReady()
    {
        try (PrefaultedChunks chunks = new PrefaultedChunks(4096, 0))
        {
            assertEquals(0, chunks.take());
        }
    }
}
