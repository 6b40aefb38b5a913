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
 * closed in a private temporary directory (0700, deleted at once). In a fresh JVM the first queue built costs
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
        final Path dir = Files.createTempDirectory("engram-chronicle-warmup");
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
