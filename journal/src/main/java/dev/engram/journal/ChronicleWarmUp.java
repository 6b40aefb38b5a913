package dev.engram.journal;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Chronicle Queue's cold start, done once per JVM away from the journal's directory: a queue built, written, read and
 * closed in a private temporary directory (0700, deleted at once; named with the process id, so that one a killed
 * process left is removed by the next warm-up: {@link #removeLeftByDeadProcesses}). In a fresh JVM the first queue built costs
 * ~0.3-1.8 s on 2 cores, nearly all of it class loading and static initialisation (chronicle-core's {@code Jvm},
 * Wire, the queue's store classes); a second queue in another directory builds in ~5-10 ms. A background open
 * ({@link JournalQueueOpener}) warms up first and only then starts on the journal's directory, so a close that comes
 * during the cold start can cancel the open without waiting for it and without any file of the directory having been
 * touched ({@link JournalOpening}).
 * <p>
 * Best effort: where the temporary directory cannot be used (read-only, full), the warm-up is skipped with a DEBUG
 * line and the journal's own open pays the cold start, as before. Only files under {@code java.io.tmpdir} are
 * written; nothing reaches the network.
 */
final class ChronicleWarmUp
{
    static final String DIRECTORY_PREFIX = "engram-chronicle-warmup-";
    private static final Object LOCK = new Object();
    private static volatile boolean warm;

    private ChronicleWarmUp()
    {
    }

    /**
     * Warm Chronicle Queue up in this JVM unless it already is (concurrent callers wait for the first).
     *
     * @param ctx the journal's settings: the warm-up queue uses its roll cycle.
     */
    static void once(final JournalContext ctx)
    {
        if (warm)
        {
            return;
        }
        synchronized (LOCK)
        {
            if (warm)
            {
                return;
            }
            try
            {
                warmUp(ctx);
            }
            catch (final Throwable ex)
            {
                LoggerFactory.getLogger(Journal.class).debug("Chronicle warm-up in java.io.tmpdir skipped ({}): the " +
                    "journal's queue open pays the cold start", ex.toString());
            }
            warm = true;
        }
    }

    /**
     * @return true once this JVM has warmed Chronicle up (or tried to).
     */
    static boolean isWarm()
    {
        return warm;
    }

    private static void warmUp(final JournalContext ctx) throws IOException
    {
        final String prefix = DIRECTORY_PREFIX + ProcessHandle.current().pid() + "-";
        final Path dir = Files.createTempDirectory(prefix);
        removeLeftByDeadProcesses(dir.getParent());
        try
        {
            try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(dir)
                .rollCycle(ctx.rollCycle())
                .blockSize(256 * 1024)
                .build();
                ExcerptAppender appender = queue.createAppender();
                ExcerptTailer tailer = queue.createTailer())
            {
                try (DocumentContext doc = appender.writingDocument())
                {
                    doc.wire().bytes().writeLong(1L).writeLong(2L);
                }
                appender.writeBytes(net.openhft.chronicle.bytes.Bytes.wrapForRead(new byte[16]));
                try (DocumentContext doc = tailer.readingDocument())
                {
                    if (doc.isPresent())
                    {
                        doc.wire().bytes().readLong();
                    }
                }
                tailer.toEnd();
            }
        }
        finally
        {
            deleteQuietly(dir);
        }
    }

    /**
     * A process killed during its warm-up (kill -9 of a child, a crash) leaves its directory behind: those of processes
     * no longer alive are removed, so a host that restarts often does not collect them. A directory whose process id is
     * alive (its own warm-up, or a reused id) is left.
     */
    static void removeLeftByDeadProcesses(final Path tmp)
    {
        try (Stream<Path> entries = Files.list(tmp))
        {
            for (final Path entry : (Iterable<Path>)entries::iterator)
            {
                final long pid = pidOf(entry.getFileName().toString());
                if (pid > 0 && ProcessHandle.of(pid).isEmpty() && Files.isDirectory(entry))
                {
                    deleteQuietly(entry);
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            // best effort, as the warm-up itself
        }
    }

    /**
     * @return the process id in a warm-up directory's name ({@code engram-chronicle-warmup-<pid>-<random>}), or -1.
     */
    static long pidOf(final String name)
    {
        if (!name.startsWith(DIRECTORY_PREFIX))
        {
            return -1;
        }
        final int end = name.indexOf('-', DIRECTORY_PREFIX.length());
        if (end <= DIRECTORY_PREFIX.length())
        {
            return -1;
        }
        try
        {
            return Long.parseLong(name.substring(DIRECTORY_PREFIX.length(), end));
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    private static void deleteQuietly(final Path dir)
    {
        try (Stream<Path> files = Files.walk(dir))
        {
            files.sorted(Comparator.reverseOrder()).forEach(file ->
            {
                try
                {
                    Files.deleteIfExists(file);
                }
                catch (final IOException ex)
                {
                    file.toFile().deleteOnExit();
                }
            });
        }
        catch (final IOException | RuntimeException ex)
        {
            dir.toFile().deleteOnExit();
        }
    }
}
