package dev.engram.journal;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link JournalDiskFullTest}, on a small file system. Modes:
 * <ul>
 *   <li>{@code fill DIR}: append 4 KiB deltas until an append or a wait fails; prints
 *   {@code written=<last version reported written> failure=<class>: <message>};</li>
 *   <li>{@code reopen DIR [secondly]}: open (with the test roll cycle of one second), print
 *   {@code last=<last version on disk>}, close;</li>
 *   <li>{@code append DIR N}: open, append N more, wait until written, print {@code last=<version>};</li>
 *   <li>{@code retention DIR FILLER}: three one-second cycles of 100 deltas (a test roll cycle on a clock it moves),
 *   synced and listed; then FILLER grows until the disk is full; then retention drops the two older cycles and the
 *   journal closes. Prints {@code full=<usable bytes when full> removed=<files removed> free=<usable bytes after>
 *   last=<version>} or {@code failure=<class>: <message>}.</li>
 * </ul>
 * A SIGBUS ends the process by signal, which the test sees as its exit value.
 */
public final class DiskFullChild
{
    static JournalContext ctx(final Path dir)
    {
        return JournalTestSupport.smallContext(dir).maxDeltaLength(16 * 1024).chronicleBlockSize(1024 * 1024);
    }

    private DiskFullChild()
    {
    }

    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[1]);
        switch (args[0])
        {
            case "fill" -> fill(dir);
            case "reopen" ->
            {
                final JournalContext ctx = args.length > 2 && args[2].equals("secondly") ?
                    ctx(dir).rollCycle(net.openhft.chronicle.queue.rollcycles.TestRollCycles.TEST_SECONDLY) : ctx(dir);
                try (Journal journal = Journal.open(ctx))
                {
                    System.out.println("last=" + journal.openReport().lastVersion());
                }
            }
            case "append" ->
            {
                try (Journal journal = Journal.open(ctx(dir)))
                {
                    final Delta delta = journal.newDelta();
                    long v = 0;
                    for (int i = 0; i < Integer.parseInt(args[2]); i++)
                    {
                        v = journal.append(delta.clear().put("after/" + i, new byte[4096]));
                    }
                    if (!journal.awaitWritten(v, 60, TimeUnit.SECONDS))
                    {
                        throw new IllegalStateException("not written: " + v);
                    }
                    System.out.println("last=" + v);
                }
            }
            case "retention" -> retention(dir, Path.of(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void fill(final Path dir)
    {
        long written = 0;
        Throwable failure = null;
        try (Journal journal = Journal.open(ctx(dir)))
        {
            final Delta delta = journal.newDelta();
            final byte[] value = new byte[4096];
            for (int i = 0; i < 1_000_000 && failure == null; i++)
            {
                try
                {
                    final long v = journal.append(delta.clear().put("k/" + i, value));
                    if (i % 64 == 0)
                    {
                        if (!journal.awaitWritten(v, 60, TimeUnit.SECONDS))
                        {
                            throw new IllegalStateException("not written within 60 s: " + v);
                        }
                    }
                }
                catch (final RuntimeException ex)
                {
                    failure = ex;
                }
                written = journal.writtenVersion();
            }
        }
        catch (final RuntimeException ex)
        {
            if (failure == null)
            {
                failure = ex;
            }
        }
        System.out.println("written=" + written + " failure=" + (failure == null ? "none" :
            failure.getClass().getName() + ": " + failure.getMessage()));
    }

    private static void retention(final Path dir, final Path filler)
    {
        final java.util.concurrent.atomic.AtomicLong clockMs = new java.util.concurrent.atomic.AtomicLong(1_700_000_000_000L);
        try (Journal journal = Journal.open(ctx(dir)
            .rollCycle(net.openhft.chronicle.queue.rollcycles.TestRollCycles.TEST_SECONDLY).epochMsClock(clockMs::get)))
        {
            final Delta delta = journal.newDelta();
            long v = 0;
            long thirdFirst = 0;
            for (int c = 0; c < 3; c++)
            {
                thirdFirst = v + 1;
                for (int i = 0; i < 100; i++)
                {
                    v = journal.append(delta.clear().put("k/" + i, new byte[2048]));
                }
                if (!journal.awaitSynced(v, 60, TimeUnit.SECONDS))
                {
                    throw new IllegalStateException("not synced: " + v);
                }
                clockMs.addAndGet(1000);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (JournalManifest.read(dir).entries().size() < 3)
            {
                if (System.nanoTime() > deadline)
                {
                    throw new IllegalStateException("the third cycle was not listed: " + JournalManifest.read(dir));
                }
                Thread.onSpinWait();
            }
            // the disk full: nothing left for a new file's first block
            try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(filler))
            {
                final byte[] chunk = new byte[4096];
                java.util.Arrays.fill(chunk, (byte)1);
                while (true)
                {
                    out.write(chunk);
                }
            }
            catch (final java.io.IOException full)
            {
                // expected: no space left
            }
            final long full = java.nio.file.Files.getFileStore(dir).getUsableSpace();
            final int removed;
            try
            {
                removed = journal.truncateBefore(thirdFirst);
            }
            catch (final RuntimeException ex)
            {
                System.out.println("full=" + full + " failure=" + ex.getClass().getName() + ": " + ex.getMessage());
                return;
            }
            // an unlinked file's pages come back once nothing maps it: Chronicle releases a rolled cycle's mapping on
            // its own background thread, so wait for the space (bounded) instead of reading it once
            long free = java.nio.file.Files.getFileStore(dir).getUsableSpace();
            final long freeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (free <= full + 64 * 1024 && System.nanoTime() < freeDeadline)
            {
                Thread.sleep(10);
                free = java.nio.file.Files.getFileStore(dir).getUsableSpace();
            }
            System.out.println("full=" + full + " removed=" + removed + " free=" + free + " last=" + v);
        }
        catch (final java.io.IOException | RuntimeException | InterruptedException ex)
        {
            System.out.println("failure=" + ex.getClass().getName() + ": " + ex.getMessage());
        }
    }
}
