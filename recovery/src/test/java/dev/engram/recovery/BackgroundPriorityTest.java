package dev.engram.recovery;

import dev.engram.journal.BackgroundPriority;
import dev.engram.journal.internal.ThreadScheduling;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The store's background threads (checkpointer, history follower) run at {@link StateContext#backgroundPriority()} as
 * the kernel sees it; the applier and the journal's threads stay at the application's priority.
 */
class BackgroundPriorityTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRunBackgroundThreadsAtTheConfiguredPriority() throws IOException
    {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"), "Linux only");
        final int processNice = nice(ThreadScheduling.describe(ThreadScheduling.currentThreadId()));
        try (StateStore store = StateStore.open(new StateContext().directory(dir.resolve("low"))))
        {
            final Map<String, String> threads = awaitLowered(10);
            assertEquals("policy=0 nice=" + Math.max(10, processNice), threads.get("engram-checkpoi"), "checkpointer: " + threads);
            assertEquals("policy=0 nice=" + Math.max(10, processNice), threads.get("engram-history"), "history follower: " + threads);
            assertEquals("policy=0 nice=" + processNice, threads.get("engram-applier"), "the applier is not lowered: " + threads);
            assertEquals("policy=0 nice=" + processNice, threads.get("engram-journal-"), "the journal writer is not lowered: " + threads);
        }
        try (StateStore store = StateStore.open(new StateContext().directory(dir.resolve("idle"))
            .backgroundPriority(BackgroundPriority.IDLE)))
        {
            final Map<String, String> threads = awaitThreads(t -> t.getOrDefault("engram-checkpoi", "").startsWith("policy=5") &&
                t.getOrDefault("engram-history", "").startsWith("policy=5"));
            assertTrue(threads.get("engram-applier").startsWith("policy=0"), "the applier is not lowered: " + threads);
        }
    }

    private static Map<String, String> awaitLowered(final int nice)
    {
        return awaitThreads(t -> nice(t.getOrDefault("engram-checkpoi", "")) >= nice && nice(t.getOrDefault("engram-history", "")) >= nice);
    }

    /** Wait (60 s at most) until this process's threads, by kernel name, satisfy {@code done}. */
    private static Map<String, String> awaitThreads(final java.util.function.Predicate<Map<String, String>> done)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Map<String, String> threads = threads();
        while (!done.test(threads))
        {
            assertTrue(System.nanoTime() < deadline, "background threads not at their priority in 60 s: " + threads);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            threads = threads();
        }
        return threads;
    }

    /** This process's engram threads: kernel name (15 characters at most) to policy and nice, one of each name. */
    private static Map<String, String> threads()
    {
        final Map<String, String> threads = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task")))
        {
            tasks.forEach(task ->
            {
                try
                {
                    final String name = Files.readString(task.resolve("comm")).trim();
                    if (name.startsWith("engram-"))
                    {
                        threads.put(name, ThreadScheduling.describe(Integer.parseInt(task.getFileName().toString())));
                    }
                }
                catch (final IOException ex)
                {
                    // a thread that ended meanwhile
                }
            });
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
        return threads;
    }

    private static int nice(final String described)
    {
        final int at = described.indexOf("nice=");
        return at < 0 ? Integer.MIN_VALUE : Integer.parseInt(described.substring(at + 5));
    }
}
