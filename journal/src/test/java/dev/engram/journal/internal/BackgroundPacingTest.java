package dev.engram.journal.internal;

import dev.engram.journal.BackgroundPriority;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Background work on a process with one CPU runs in short chunks with a sleep between them; elsewhere, and on the
 * application's threads, it never sleeps.
 */
class BackgroundPacingTest
{
    private static void busyFor(final long ns)
    {
        final long end = System.nanoTime() + ns;
        while (System.nanoTime() < end)
        {
            Thread.onSpinWait();
        }
    }

    @Test
    void shouldSleepOnlyOnceAChunkOfWorkHasPassed()
    {
        final BackgroundPacing pacing = new BackgroundPacing(true);
        final long startNs = System.nanoTime();
        pacing.idled();
        pacing.tick();
        if (System.nanoTime() - startNs < BackgroundPacing.CHUNK_NS)   // else the test thread lost its CPU meanwhile
        {
            assertEquals(0, pacing.pauses(), "no sleep before a chunk's time");
        }
        pacing.idled();
        final long before = pacing.pauses();
        for (int chunk = 1; chunk <= 3; chunk++)
        {
            busyFor(BackgroundPacing.CHUNK_NS + 10_000);
            pacing.tick();
            assertEquals(before + chunk, pacing.pauses());
        }
        busyFor(BackgroundPacing.CHUNK_NS + 10_000);
        pacing.pause();
        assertEquals(before + 4, pacing.pauses(), "pause() between units sleeps too");
    }

    @Test
    void shouldNeverSleepWhenNotPaced()
    {
        final BackgroundPacing pacing = new BackgroundPacing(false);
        busyFor(BackgroundPacing.CHUNK_NS * 2);
        pacing.tick();
        pacing.pause();
        assertEquals(0, pacing.pauses());
    }

    @Test
    void shouldPaceOnlyThreadsLoweredBelowNormal() throws InterruptedException
    {
        final String key = "engram.backgroundPacing";
        final String before = System.getProperty(key);
        System.setProperty(key, "true");   // as on a process with one CPU
        try
        {
            assertFalse(BackgroundPacing.forThread().paced(), "an application thread is never paced");
            for (final BackgroundPriority priority : BackgroundPriority.values())
            {
                final AtomicReference<Boolean> paced = new AtomicReference<>();
                final Thread thread = new Thread(ThreadScheduling.loweredTo(priority,
                    () -> paced.set(BackgroundPacing.forThread().paced())));
                thread.start();
                thread.join();
                assertEquals(priority != BackgroundPriority.NORMAL, paced.get(), priority.toString());
            }
            System.setProperty(key, "false");
            final AtomicReference<Boolean> paced = new AtomicReference<>();
            final Thread thread = new Thread(ThreadScheduling.loweredTo(BackgroundPriority.LOW,
                () -> paced.set(BackgroundPacing.forThread().paced())));
            thread.start();
            thread.join();
            assertFalse(paced.get(), "two or more CPUs (here: forced off): not paced");
        }
        finally
        {
            if (before == null)
            {
                System.clearProperty(key);
            }
            else
            {
                System.setProperty(key, before);
            }
        }
    }
}
