package dev.engram.journal;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The process {@link JournalCrashTest} kills: opens the journal, appends {@link CrashWorkload} deltas as
 * fast as it can from several producer threads until it is killed, and keeps publishing
 * {@link Journal#writtenVersion()} in a {@link CrashReportFile}.
 * <p>
 * Arguments: {@code directory reportFile seed run producers rollCycle maxLifetimeMs}.
 * It never exits by itself while its parent lives, except on failure (exit 2, stack trace on stderr) or
 * after {@code maxLifetimeMs} (exit 3): it also halts when its parent process dies, so a crashed test
 * leaves nothing running.
 */
public final class CrashChild
{
    static final int EXIT_FAILED = 2;
    static final int EXIT_ORPHANED_OR_TIMED_OUT = 3;

    private CrashChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length != 7)
        {
            System.err.println("usage: CrashChild directory reportFile seed run producers rollCycle maxLifetimeMs");
            System.exit(EXIT_FAILED);
        }
        final Path directory = Path.of(args[0]);
        final Path reportPath = Path.of(args[1]);
        final long seed = Long.parseLong(args[2]);
        final int run = Integer.parseInt(args[3]);
        final int producers = Integer.parseInt(args[4]);
        final RollCycle rollCycle = rollCycle(args[5]);
        final long maxLifetimeMs = Long.parseLong(args[6]);
        haltWhenOrphanedOrAfter(maxLifetimeMs);

        final CrashReportFile report = CrashReportFile.open(reportPath);
        report.opening();
        final long startNs = System.nanoTime();
        final Journal journal = Journal.open(new JournalContext().directory(directory).rollCycle(rollCycle));
        report.opened(journal.openReport().lastVersion(), System.nanoTime() - startNs);
        report.writtenVersion(journal.writtenVersion());

        for (int p = 0; p < producers; p++)
        {
            final int producer = p;
            final Thread thread = new Thread(() -> produce(journal, seed, run, producer), "crash-producer-" + p);
            thread.setDaemon(true);
            thread.start();
        }

        // publish the written version: every value stored here was returned by writtenVersion() first
        long reported = journal.writtenVersion();
        while (true)
        {
            final long written = journal.writtenVersion();
            if (written != reported)
            {
                report.writtenVersion(written);
                reported = written;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(50));
        }
    }

    private static void produce(final Journal journal, final long seed, final int run, final int producer)
    {
        try
        {
            final CrashWorkload workload = new CrashWorkload(seed);
            final Delta delta = journal.newDelta();
            for (long counter = 0; ; counter++)
            {
                journal.append(workload.fill(delta, run, producer, counter));
            }
        }
        catch (final Throwable ex)
        {
            System.err.println("crash child producer=" + producer + " failed:");
            ex.printStackTrace();
            System.err.flush();
            Runtime.getRuntime().halt(EXIT_FAILED);
        }
    }

    static RollCycle rollCycle(final String name)
    {
        for (final RollCycles cycle : RollCycles.values())
        {
            if (cycle.name().equals(name))
            {
                return cycle;
            }
        }
        return TestRollCycles.valueOf(name);
    }

    private static void haltWhenOrphanedOrAfter(final long maxLifetimeMs)
    {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() ->
        {
            System.err.println("crash child: parent pid=" + parent.pid() + " exited; halting");
            Runtime.getRuntime().halt(EXIT_ORPHANED_OR_TIMED_OUT);
        }));
        final Thread watchdog = new Thread(() ->
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxLifetimeMs);
            long remainingNs;
            while ((remainingNs = deadlineNs - System.nanoTime()) > 0)
            {
                LockSupport.parkNanos(remainingNs);
            }
            System.err.println("crash child: not killed within maxLifetimeMs=" + maxLifetimeMs + "; halting");
            Runtime.getRuntime().halt(EXIT_ORPHANED_OR_TIMED_OUT);
        }, "crash-child-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
