package dev.engram.journal.internal;

import dev.engram.journal.BackgroundPriority;
import org.junit.jupiter.api.Test;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A background thread's priority as the kernel sees it ({@code /proc/self/task/<tid>/stat}) after
 * {@link ThreadScheduling#lowerCurrentThread}: each priority on a thread of its own (a lowered thread cannot be raised
 * back without privileges).
 */
class ThreadSchedulingTest
{
    @Test
    void shouldLowerOnlyTheCallingThread()
    {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"), "Linux only");
        final String before = ThreadScheduling.describe(ThreadScheduling.currentThreadId());
        assertTrue(before.startsWith("policy=0 "), "the test thread runs under SCHED_OTHER: " + before);
        // the build may itself run under nice: a thread is never raised above where it started
        final int niceBefore = nice(before);

        assertEquals("policy=0 nice=" + Math.max(niceBefore, 10), onNewThread(BackgroundPriority.LOW));
        assertEquals("policy=0 nice=19", onNewThread(BackgroundPriority.LOWEST));
        assertTrue(onNewThread(BackgroundPriority.IDLE).startsWith("policy=5 "), "SCHED_IDLE is policy 5");
        assertEquals(before, onNewThread(BackgroundPriority.NORMAL));

        assertEquals(before, ThreadScheduling.describe(ThreadScheduling.currentThreadId()), "the caller's own priority is untouched");
    }

    private static int nice(final String described)
    {
        return Integer.parseInt(described.substring(described.indexOf("nice=") + 5));
    }

    private static String onNewThread(final BackgroundPriority priority)
    {
        final AtomicReference<String> seen = new AtomicReference<>();
        final Thread thread = new Thread(ThreadScheduling.loweredTo(priority,
            () -> seen.set(ThreadScheduling.describe(ThreadScheduling.currentThreadId()))), "scheduling-" + priority);
        thread.start();
        Threads.joinUninterruptibly(thread);
        assertNotNull(seen.get(), priority + ": the task ran");
        return seen.get();
    }
}
