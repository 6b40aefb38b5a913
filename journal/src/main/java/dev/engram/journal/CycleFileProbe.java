package dev.engram.journal;

import dev.engram.journal.internal.ChronicleDocumentHeader;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;

/**
 * The first delta frame of one cycle file, read with plain positioned reads (no mapping, no Chronicle queue):
 * Chronicle's metadata documents (store header, index arrays) and trim frames are skipped, and the first data
 * document must be a complete frame that verifies. Cheap: a few reads at the start of the file.
 */
final class CycleFileProbe
{
    /**
     * What the start of a cycle file holds.
     *
     * @param firstVersion the version of its first delta frame, or -1 if it holds none.
     * @param length       the file's length in bytes, -1 if it does not exist.
     * @param state        when there is no frame: why ("missing", "is empty (0 bytes)", ...); else null.
     */
    record Result(long firstVersion, long length, String state)
    {
        boolean hasFrame()
        {
            return firstVersion > 0;
        }
    }

    private final DeltaFrame frame = new DeltaFrame();
    private final ByteBuffer header = ByteBuffer.allocate(ChronicleDocumentHeader.HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);

    /**
     * @param file a cycle file.
     * @return its first delta frame's version, or why it has none.
     * @throws JournalException if the file cannot be read.
     */
    Result probe(final File file)
    {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size == 0)
            {
                return new Result(-1, 0, "is empty (0 bytes)");
            }
            long position = 0;
            while (position + ChronicleDocumentHeader.HEADER_LENGTH <= size)
            {
                final int word = readHeader(channel, position);
                if (word == ChronicleDocumentHeader.NOT_INITIALIZED || (word & ChronicleDocumentHeader.NOT_COMPLETE) != 0)
                {
                    return new Result(-1, size, "holds no complete frame (" + size + " bytes; the data ends at position=" +
                        position + ")");
                }
                final int length = word & ChronicleDocumentHeader.LENGTH_MASK;
                final long body = position + ChronicleDocumentHeader.HEADER_LENGTH;
                if (body + length > size)
                {
                    return new Result(-1, size, "holds no complete frame (" + size + " bytes; the document at position=" +
                        position + " runs past the end)");
                }
                if ((word & ChronicleDocumentHeader.META_DATA) == 0)
                {
                    final byte[] bytes = new byte[length];
                    readFully(channel, ByteBuffer.wrap(bytes), body);
                    frame.wrap(new UnsafeBuffer(bytes), 0, length);
                    final DeltaFrame.Check check = frame.verify();
                    if (check != DeltaFrame.Check.OK)
                    {
                        return new Result(-1, size, "has a first frame at position=" + body + " that fails its check (" + check + ")");
                    }
                    if (!frame.isTrim())
                    {
                        return new Result(frame.version(), size, null);
                    }
                }
                position = ChronicleDocumentHeader.nextHeaderPosition(position, word);
            }
            return new Result(-1, size, "holds no complete frame (" + size + " bytes)");
        }
        catch (final NoSuchFileException ex)
        {
            return new Result(-1, -1, "is missing");
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot read journal cycle file=" + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Whether a cycle file was cut short (truncated inside its data): Chronicle never leaves a cycle file shorter
     * than its documents — it sets the length to {@code (n + 1) × chunk + overlap} before it maps a chunk
     * ({@code chunk} = the block size, {@code overlap} = a quarter of it, page aligned), and a file it shrinks after
     * a roll keeps its end-of-file mark. A file of such a length is taken as whole without reading it; any other
     * length is checked by walking its document headers (sequential reads, 1 MiB at a time): a document that runs
     * past the end of the file, or data that reaches the end without Chronicle's end mark, means the file was cut.
     * Chronicle itself fails on such a file with messages that name nothing ({@code Meta data not ready 0}, an
     * assertion in its tailer) and, opened for writing, extends it with zeros.
     *
     * @param file      a cycle file that exists.
     * @param blockSize the journal's Chronicle block size.
     * @return how it was cut (naming the position), or null if it is whole.
     * @throws JournalException if the file cannot be read.
     */
    String cutShort(final File file, final long blockSize)
    {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size == 0 || chronicleShaped(size, blockSize))
            {
                return null;
            }
            final ByteBuffer buffer = ByteBuffer.allocate(WALK_BUFFER).order(ByteOrder.LITTLE_ENDIAN);
            long bufferStart = 0;
            buffer.limit(0);
            long position = 0;
            while (true)
            {
                if (position + ChronicleDocumentHeader.HEADER_LENGTH > size)
                {
                    return position == size ? "is cut short: its data runs to the end of the file (length " + size +
                        " bytes) without Chronicle's end mark: the file was truncated" : null;
                }
                if (position < bufferStart || position + ChronicleDocumentHeader.HEADER_LENGTH > bufferStart + buffer.limit())
                {
                    buffer.clear();
                    bufferStart = position;
                    while (buffer.hasRemaining() && channel.read(buffer, bufferStart + buffer.position()) > 0)
                    {
                        // fill as far as the file goes
                    }
                    buffer.flip();
                }
                final int word = buffer.getInt((int)(position - bufferStart));
                if (word == ChronicleDocumentHeader.NOT_INITIALIZED || word == ChronicleDocumentHeader.END_OF_DATA ||
                    (word & ChronicleDocumentHeader.NOT_COMPLETE) != 0)
                {
                    return null;   // the data ends inside the file: whole (a torn or half-written last document is a crash's)
                }
                final long next = ChronicleDocumentHeader.nextHeaderPosition(position, word);
                if (position + ChronicleDocumentHeader.HEADER_LENGTH + (word & ChronicleDocumentHeader.LENGTH_MASK) > size)
                {
                    return "is cut short: the document at position=" + position + " runs to position=" +
                        (position + ChronicleDocumentHeader.HEADER_LENGTH + (word & ChronicleDocumentHeader.LENGTH_MASK)) +
                        ", past the end of the file (length " + size + " bytes): the file was truncated";
                }
                position = next;
            }
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot read journal cycle file=" + file + ": " + ex.getMessage(), ex);
        }
    }

    private static final int WALK_BUFFER = 1 << 20;
    private static final long PAGE = 4096;

    /**
     * @return true if {@code size} is a length Chronicle gives a cycle file of this block size.
     */
    static boolean chronicleShaped(final long size, final long blockSize)
    {
        final long chunk = pageAlign(blockSize);
        final long overlap = pageAlign(blockSize / 4);
        return chunk > 0 && size >= chunk + overlap && (size - overlap) % chunk == 0;
    }

    private static long pageAlign(final long size)
    {
        return (size + PAGE - 1) / PAGE * PAGE;
    }

    private int readHeader(final FileChannel channel, final long position) throws IOException
    {
        header.clear();
        readFully(channel, header, position);
        return header.getInt(0);
    }

    private static void readFully(final FileChannel channel, final ByteBuffer target, final long position) throws IOException
    {
        long at = position;
        while (target.hasRemaining())
        {
            final int read = channel.read(target, at);
            if (read < 0)
            {
                throw new IOException("unexpected end of file at position=" + at);
            }
            at += read;
        }
    }
}
