package dev.engram.journal;

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
