package dev.engram.harness.cpu;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CPU by role: a busy thread with an Engram thread's name is charged to that role, the calling thread to the caller,
 * the JVM's own threads by their OS names, and the total covers every role.
 */
class ThreadCpuTest
{
    @Test
    void chargesANamedThreadToItsRoleAndTheTotalCoversEveryRole() throws Exception
    {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch stop = new CountDownLatch(1);
        final Thread writer = new Thread(() ->
        {
            started.countDown();
            final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            final var bean = java.lang.management.ManagementFactory.getThreadMXBean();
            final long cpuStart = bean.getCurrentThreadCpuTime();
            long x = 0;
            // burn 20 ms of this thread's CPU (not wall time: the machine may be busy)
            while (bean.getCurrentThreadCpuTime() - cpuStart < TimeUnit.MILLISECONDS.toNanos(20) && System.nanoTime() < until)
            {
                x += System.nanoTime() & 1;
            }
            try
            {
                stop.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            if (x == 42)
            {
                System.out.print("");
            }
        }, "engram-journal-writer");
        final ThreadCpu.Snapshot before = ThreadCpu.take();
        writer.start();
        started.await();
        while (writer.getState() == Thread.State.RUNNABLE)
        {
            Thread.onSpinWait();   // until it burned its CPU and waits for stop
        }
        final ThreadCpu.Snapshot after = ThreadCpu.take();
        stop.countDown();
        writer.join();

        final Map<String, Long> roles = ThreadCpu.between(before, after, Thread.currentThread().getName());
        assertEquals(java.util.List.of(ThreadCpu.ROLES), java.util.List.copyOf(roles.keySet()));
        assertTrue(roles.get(ThreadCpu.JOURNAL_WRITER) >= TimeUnit.MILLISECONDS.toNanos(20), roles.toString());
        assertTrue(roles.get(ThreadCpu.CALLER) > 0, roles.toString());
        assertEquals(0, roles.get(ThreadCpu.APPLIER), roles.toString());
        final long named = roles.entrySet().stream().filter(e -> !e.getKey().equals(ThreadCpu.TOTAL))
            .mapToLong(e -> Math.max(0, e.getValue())).sum();
        assertTrue(roles.get(ThreadCpu.TOTAL) >= named, roles.toString());
    }

    @Test
    void namesTheJvmsOwnThreadsByTheirOsNames()
    {
        assertEquals(ThreadCpu.GC_VM, ThreadCpu.internalRole("GC Thread#0"));
        assertEquals(ThreadCpu.GC_VM, ThreadCpu.internalRole("VM Thread"));
        assertEquals(ThreadCpu.JIT, ThreadCpu.internalRole("C2 CompilerThre"));
        assertEquals(ThreadCpu.JIT, ThreadCpu.internalRole("C1 CompilerThre"));
        assertNull(ThreadCpu.internalRole("engram-journal-"));
        assertNull(ThreadCpu.internalRole("rocksdb:low"));
    }
}
