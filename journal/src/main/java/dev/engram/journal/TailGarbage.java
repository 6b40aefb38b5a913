package dev.engram.journal;

import dev.engram.journal.internal.ChronicleDocumentHeader;
import dev.engram.journal.internal.CycleFiles;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * What follows the last document of the journal's newest cycle file must be what Chronicle leaves there: zeros
 * (space not written yet) or a document it had not completed when the process died. Bytes that are neither (a torn
 * write of a page, random damage) were read by Chronicle as a document header of some random length: its tail scan
 * then grew the file to that length (hundreds of MiB) and its appender failed with an {@code AssertionError} in
 * {@code SingleChronicleQueueStore.writePosition} after changing the file, so no open could retire the torn tail and
 * the store could never open again.
 * <p>
 * {@link #clearBeforeOpen} walks the document headers of the newest cycle files holding documents, before Chronicle
 * opens the queue, and zeros from the first header that is not a document that fits in the file (an unfinished
 * document included: Chronicle never indexed it and no version in it was ever written) to the end of the non-zero
 * bytes after it: no version is lost that was not already lost, and Chronicle finds a clean end. The bytes are kept
 * ({@link #restore}) so that an open failing later leaves the file as it found it.
 */
final class TailGarbage
{
    /** How far past the damaged header non-zero bytes are cleared at most (a torn write spans a few pages). */
    static final int CLEAR_LIMIT = 1 << 20;
    /** A window of zeros this long ends the damaged range. */
    static final int ZERO_RUN = 64 * 1024;
    private static final int WALK_BUFFER = 1 << 20;

    private final File file;
    private final long from;
    private final byte[] original;
    private final long writePositionAt;
    private final byte[] writePositionOriginal;
    private final String description;

    private TailGarbage(final File file, final long from, final byte[] original, final long writePositionAt,
        final byte[] writePositionOriginal)
    {
        this.file = file;
        this.from = from;
        this.original = original;
        this.writePositionAt = writePositionAt;
        this.writePositionOriginal = writePositionOriginal;
        this.description = original.length == 0 ?
            "Chronicle's writePosition in " + file + " lay past the journal's last document, in zeros (the store " +
            "header's page outlived the data pages after it: a crash, or a copy of a live journal): it now names the last " +
            "document" :
            "cleared " + original.length + " bytes at positions " + from + ".." + (from + original.length) +
            " of " + file + " after the journal's last document: neither a document nor zeros (a torn write or damage)" +
            (writePositionAt < 0 ? "" : "; Chronicle's writePosition, which lay in them, now names the last document");
    }

    /**
     * @return what was cleared (file and range), for the open report and the log.
     */
    String describe()
    {
        return description;
    }

    /**
     * Check the newest cycle files, newest first, until one that holds a document, and clear what follows the last
     * document of each where it is not one.
     *
     * @param endedCycles filled with the walked cycles whose data ends with Chronicle's end-of-file mark (a roll
     *                    wrote it, then a kill may have come before the next cycle's file held anything): the queue must
     *                    go on in a later cycle ({@link ChronicleJournalStore}).
     * @return what was cleared, or null if every end was clean.
     * @throws JournalException if a file cannot be read or written.
     */
    static TailGarbage clearBeforeOpen(final JournalContext ctx, final org.agrona.collections.IntHashSet endedCycles)
    {
        final CycleFiles files = new CycleFiles(ctx.directory(), ctx.rollCycle());
        TailGarbage cleared = null;
        for (final Map.Entry<Integer, File> entry : files.list().descendingMap().entrySet())
        {
            final File file = entry.getValue();
            try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                // {position of the first header that is not a document, data documents, position of the last one}
                final long[] walk = walk(channel);
                if (walk[4] != 0)
                {
                    endedCycles.add(entry.getKey());
                }
                if (walk[0] >= 0 && cleared == null)
                {
                    cleared = clear(file, channel, walk[0], walk[2], walk[1]);
                }
                else if (walk[0] < 0 && walk[3] >= 0 && walk[1] > 0 && cleared == null)
                {
                    // a clean end, but Chronicle's writePosition may name a position in the zeros after it (its
                    // appender would start there, leaving a gap no reader crosses): name the last document
                    cleared = rewindWritePosition(file, channel, walk[3], walk[2], walk[1]);
                }
                if (walk[1] > 0)
                {
                    break;   // the journal's last frames are here: older files end before it
                }
            }
            catch (final IOException ex)
            {
                throw new JournalException("cannot check the end of journal cycle file=" + file + " before opening the " +
                    "queue: " + ex.getMessage() + "; check the file's permissions and the disk, then reopen", ex);
            }
        }
        return cleared;
    }

    /**
     * Put the cleared bytes back (after an open that failed later). Failures are added to {@code failure}.
     */
    void restore(final Throwable failure)
    {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE))
        {
            final ByteBuffer bytes = ByteBuffer.wrap(original);
            long at = from;
            while (bytes.hasRemaining())
            {
                at += channel.write(bytes, at);
            }
            if (writePositionAt >= 0)
            {
                final ByteBuffer header = ByteBuffer.wrap(writePositionOriginal);
                long headerAt = writePositionAt;
                while (header.hasRemaining())
                {
                    headerAt += channel.write(header, headerAt);
                }
            }
            channel.force(false);
        }
        catch (final IOException | RuntimeException ex)
        {
            failure.addSuppressed(ex);
        }
    }

    /**
     * @return {position of the first header that is not a document fitting in the file (-1 if the data ends clean),
     *         number of data documents before it, position of the last one, position of the zero header where the
     *         data ends clean (-1 if it does not: an end-of-file mark, garbage, or the end of the file), 1 if the data
     *         ends with an end-of-file mark (else 0)}.
     */
    private static long[] walk(final FileChannel channel) throws IOException
    {
        final long size = channel.size();
        final ByteBuffer buffer = ByteBuffer.allocate((int)Math.min(WALK_BUFFER, Math.max(size, ChronicleDocumentHeader.HEADER_LENGTH)))
            .order(ByteOrder.LITTLE_ENDIAN);
        buffer.limit(0);
        long bufferStart = 0;
        long position = 0;
        long dataDocuments = 0;
        long lastData = -1;
        while (position + ChronicleDocumentHeader.HEADER_LENGTH <= size)
        {
            if (position < bufferStart || position + ChronicleDocumentHeader.HEADER_LENGTH > bufferStart + buffer.limit())
            {
                buffer.clear();
                bufferStart = position;
                read(channel, buffer, bufferStart);
                if (buffer.limit() < ChronicleDocumentHeader.HEADER_LENGTH)
                {
                    break;
                }
            }
            final int header = buffer.getInt((int)(position - bufferStart));
            if (header == ChronicleDocumentHeader.NOT_INITIALIZED)
            {
                // Chronicle writes a document's header before its body: bytes after a zero header are damage (a zeroed
                // page over the data), and Chronicle, whose store header says the data goes on, fails to append there
                final boolean garbage = nonZeroEnd(channel, position, size) > position;
                return new long[] {garbage ? position : -1, dataDocuments, lastData, garbage ? -1 : position, 0};
            }
            if (header == ChronicleDocumentHeader.END_OF_DATA)
            {
                return new long[] {-1, dataDocuments, lastData, -1, 1};
            }
            final long next = ChronicleDocumentHeader.nextHeaderPosition(position, header);
            if ((header & ChronicleDocumentHeader.NOT_COMPLETE) != 0 || next > size)
            {
                return new long[] {position, dataDocuments, lastData, -1, 0};   // unfinished, or a "document" running past the file
            }
            if ((header & ChronicleDocumentHeader.META_DATA) == 0)
            {
                dataDocuments++;
                lastData = position;
            }
            position = next;
        }
        return new long[] {-1, dataDocuments, lastData, -1, 0};
    }

    /**
     * @return the end of the last non-zero byte at or after {@code from} before a window of {@link #ZERO_RUN} zeros
     *         (or the end of the file, or {@link #CLEAR_LIMIT}); {@code from} if there is none.
     */
    private static long nonZeroEnd(final FileChannel channel, final long from, final long size) throws IOException
    {
        final long limit = Math.min(size, from + CLEAR_LIMIT);
        final ByteBuffer window = ByteBuffer.allocate(ZERO_RUN);
        long end = from;
        long at = from;
        while (at < limit)
        {
            window.clear().limit((int)Math.min(window.capacity(), limit - at));
            read(channel, window, at);
            boolean any = false;
            for (int i = window.limit() - 1; i >= 0; i--)
            {
                if (window.get(i) != 0)
                {
                    end = Math.max(end, at + i + 1);
                    any = true;
                    break;
                }
            }
            if (!any && window.limit() == ZERO_RUN || window.limit() == 0)
            {
                break;
            }
            at += window.limit();
        }
        return end;
    }

    private static TailGarbage clear(final File file, final FileChannel channel, final long from, final long lastData,
        final long dataDocuments) throws IOException
    {
        final long size = channel.size();
        // at least the header that is not one
        long end = Math.max(Math.min(size, from + ChronicleDocumentHeader.HEADER_LENGTH), nonZeroEnd(channel, from, size));
        end = Math.min((end + 3) & ~3L, size);
        final ByteBuffer original = ByteBuffer.allocate((int)(end - from));
        read(channel, original, from);
        final ByteBuffer zeros = ByteBuffer.allocate((int)(end - from));
        long written = from;
        while (zeros.hasRemaining())
        {
            written += channel.write(zeros, written);
        }
        final long[] at = {-1};
        final byte[] writePositionOriginal = setWritePosition(channel, size, from, lastData, dataDocuments, at);
        channel.force(false);
        return new TailGarbage(file, from, original.array(), at[0], writePositionOriginal);
    }

    /**
     * Where the data ends clean at {@code end}: if Chronicle's writePosition names a position at or after it, name the
     * last document instead.
     *
     * @return what was changed, or null if the writePosition was before {@code end}.
     */
    private static TailGarbage rewindWritePosition(final File file, final FileChannel channel, final long end,
        final long lastData, final long dataDocuments) throws IOException
    {
        final long[] at = {-1};
        final byte[] original = setWritePosition(channel, channel.size(), end, lastData, dataDocuments, at);
        if (original == null)
        {
            return null;
        }
        channel.force(false);
        return new TailGarbage(file, end, new byte[0], at[0], original);
    }

    /**
     * Chronicle's store header says where the last document is ({@code writePosition}: [its position, position << 32
     * | its sequence]); if that lies at or after {@code from}, its appender would start there: set it to the last
     * document.
     *
     * @param at receives the position of the value written, or -1
     * @return the 16 bytes it replaced, or null if nothing was written
     */
    private static byte[] setWritePosition(final FileChannel channel, final long size, final long from,
        final long lastData, final long dataDocuments, final long[] at) throws IOException
    {
        long writePositionAt = -1;
        byte[] writePositionOriginal = null;
        final int headerWord = readInt(channel, 0);
        final int headerLength = headerWord & ChronicleDocumentHeader.LENGTH_MASK;
        if ((headerWord & ChronicleDocumentHeader.META_DATA) != 0 && (headerWord & ChronicleDocumentHeader.NOT_COMPLETE) == 0 &&
            headerLength <= 64 * 1024 && ChronicleDocumentHeader.HEADER_LENGTH + headerLength <= size)
        {
            final ByteBuffer header = ByteBuffer.allocate(headerLength).order(ByteOrder.LITTLE_ENDIAN);
            read(channel, header, ChronicleDocumentHeader.HEADER_LENGTH);
            final int field = ChronicleIndexCheck.valueAfterName(header, "writePosition", 0);
            if (field >= 0 && field + 33 <= header.limit() && (header.get(field) & 0xFF) == 0x8D &&
                header.getLong(field + 1) >= 2 && header.getLong(field + 17) >= from)
            {
                writePositionAt = ChronicleDocumentHeader.HEADER_LENGTH + field + 17;
                writePositionOriginal = new byte[16];
                header.get(field + 17, writePositionOriginal);
                final long last = Math.max(lastData, 0);
                final ByteBuffer value = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(0, last).putLong(8, last << 32 | Math.max(dataDocuments - 1, 0));
                long valueAt = writePositionAt;
                while (value.hasRemaining())
                {
                    valueAt += channel.write(value, valueAt);
                }
            }
        }
        at[0] = writePositionAt;
        return writePositionOriginal;
    }

    private static int readInt(final FileChannel channel, final long position) throws IOException
    {
        final ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        read(channel, word, position);
        return word.limit() < 4 ? 0 : word.getInt(0);
    }

    private static void read(final FileChannel channel, final ByteBuffer target, final long position) throws IOException
    {
        long at = position;
        while (target.hasRemaining())
        {
            final int read = channel.read(target, at);
            if (read < 0)
            {
                break;
            }
            at += read;
        }
        target.flip();
    }
}
