package dev.engram.harness.latency;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The isolated thread ends up alone on CPU 0, the rest of the process on the other CPUs, and release puts
 * everything back, as the kernel reports it in /proc.
 */
class CpuIsolationTest
{
    @Test
    void shouldGiveTheCallingThreadCpuZeroAndTheRestTheOtherCpus() throws Exception
    {
        assumeTrue(CpuIsolation.available(), "needs Linux and >= 2 CPUs");
        final int cpus = CpuIsolation.cpus();
        final String others = cpus == 2 ? "1" : "1-" + (cpus - 1);
        final String all = "0-" + (cpus - 1);
        final int mainTid = CpuIsolation.currentThreadId();
        final AtomicReference<String> isolated = new AtomicReference<>();
        final AtomicReference<String> mainWhileIsolated = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        try
        {
            final Thread thread = new Thread(() ->
            {
                try
                {
                    CpuIsolation.isolateCurrentThread();
                    isolated.set(CpuIsolation.allowedCpus(CpuIsolation.currentThreadId()));
                    mainWhileIsolated.set(CpuIsolation.allowedCpus(mainTid));
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            }, "isolated");
            thread.start();
            thread.join();
            assertNull(failure.get());
            assertEquals("0", isolated.get());
            assertEquals(others, mainWhileIsolated.get());
            // a thread started now inherits the other CPUs
            final AtomicReference<String> child = new AtomicReference<>();
            final Thread later = new Thread(() ->
            {
                try
                {
                    child.set(CpuIsolation.allowedCpus(CpuIsolation.currentThreadId()));
                }
                catch (final Exception ex)
                {
                    failure.set(ex);
                }
            });
            later.start();
            later.join();
            assertNull(failure.get());
            assertEquals(others, child.get());
        }
        finally
        {
            CpuIsolation.releaseAll();
        }
        assertEquals(all, CpuIsolation.allowedCpus(mainTid));
    }

    @Test
    void shouldSkipAThreadThatEndedBeforeItWasPinned() throws Exception
    {
        assumeTrue(CpuIsolation.available(), "needs Linux and >= 2 CPUs");
        final int[] tid = new int[1];
        final Thread thread = new Thread(() -> tid[0] = CpuIsolation.currentThreadId(), "short-lived");
        thread.start();
        thread.join();
        // listed as a zombie or gone by now: either way pinning it is no failure (isolating a busy JVM meets this)
        assertDoesNotThrow(() -> CpuIsolation.pin(tid[0], 1, 1));
    }

    @Test
    void shouldNameALiveThreadThatCannotBePinned()
    {
        assumeTrue(CpuIsolation.available(), "needs Linux and >= 2 CPUs");
        assumeTrue(CpuIsolation.cpus() < 63, "needs a CPU number that does not exist");
        final int self = CpuIsolation.currentThreadId();
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> CpuIsolation.pin(self, 63, 63));
        assertTrue(ex.getMessage().contains("thread " + self), ex.getMessage());
    }
}
