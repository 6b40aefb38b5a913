package dev.engram.journal;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link JournalDiskFullTest}, on a small file system. Modes:
 * <ul>
 *   <li>{@code fill DIR}: append 4 KiB deltas until an append or a wait fails; prints
 *   {@code written=<last version reported written> failure=<class>: <message>};</li>
 *   <li>{@code reopen DIR}: open, print {@code last=<last version on disk>}, close;</li>
 *   <li>{@code append DIR N}: open, append N more, wait until written, print {@code last=<version>}.</li>
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
                try (Journal journal = Journal.open(ctx(dir)))
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
}
