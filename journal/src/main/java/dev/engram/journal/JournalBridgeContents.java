package dev.engram.journal;

import org.agrona.IoUtil;
import org.agrona.collections.LongArrayList;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static dev.engram.journal.DeltaFrameDescriptor.FLAG_TRIM;
import static dev.engram.journal.DeltaFrameDescriptor.FRAME_LENGTH_OFFSET;
import static dev.engram.journal.DeltaFrameDescriptor.MIN_FRAME_LENGTH;
import static dev.engram.journal.JournalBridgeDescriptor.*;

/**
 * A bridge file read back ({@link JournalBridgeDescriptor}), mapped read-only: its base version and the offsets of its
 * valid frames, versions {@code baseVersion + 1 ..} {@link #lastVersion()} with none missing. The first frame that is
 * cut short, fails its check or does not carry the next version ends the valid prefix: it and what follows are a torn
 * tail ({@link #tornOffset()}), dropped like a torn frame at the end of the queue. A header that is not a bridge's is
 * refused with a {@link JournalException} naming the file and offset.
 */
final class JournalBridgeContents implements AutoCloseable
{
    private final Path file;
    private final long baseVersion;
    private final MappedByteBuffer mapped;
    private final UnsafeBuffer buffer;
    private final LongArrayList frameOffsets;
    private final long tornOffset;
    private final DeltaFrame.Check tornCheck;
    private final long fileLength;
    private boolean closed;

    private JournalBridgeContents(final Path file, final long baseVersion, final MappedByteBuffer mapped,
        final UnsafeBuffer buffer, final LongArrayList frameOffsets, final long tornOffset, final DeltaFrame.Check tornCheck,
        final long fileLength)
    {
        this.tornCheck = tornCheck;
        this.file = file;
        this.baseVersion = baseVersion;
        this.mapped = mapped;
        this.buffer = buffer;
        this.frameOffsets = frameOffsets;
        this.tornOffset = tornOffset;
        this.fileLength = fileLength;
    }

    /**
     * @return the path of the bridge in a journal directory (it may not exist).
     */
    static Path path(final Path journalDirectory)
    {
        return journalDirectory.resolve(FILE_NAME);
    }

    /**
     * @return the bridge in {@code journalDirectory}, read and checked, or null if there is none.
     * @throws JournalException if its header is damaged or it is too long to be a bridge.
     */
    static JournalBridgeContents readIfPresent(final Path journalDirectory)
    {
        final Path file = path(journalDirectory);
        if (!Files.exists(file))
        {
            return null;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long length = channel.size();
            if (length > Integer.MAX_VALUE)
            {
                throw new JournalException("journal bridge file " + file + " is " + length + " bytes, more than a bridge " +
                    "holds (" + MAX_FILE_LENGTH + "): it is not one; move it aside and reopen");
            }
            if (length < HEADER_LENGTH)
            {
                throw damagedHeader(file, length, "file ends at offset " + length + ", before its " + HEADER_LENGTH +
                    "-byte header does");
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, length);
            final UnsafeBuffer buffer = new UnsafeBuffer(mapped);
            try
            {
                final long baseVersion = checkHeader(file, buffer);
                final LongArrayList offsets = new LongArrayList();
                final DeltaFrame.Check[] check = new DeltaFrame.Check[1];
                final long torn = scan(buffer, baseVersion, offsets, check);
                return new JournalBridgeContents(file, baseVersion, mapped, buffer, offsets, torn, check[0], length);
            }
            catch (final RuntimeException ex)
            {
                IoUtil.unmap(mapped);
                throw ex;
            }
        }
        catch (final IOException ex)
        {
            throw new JournalException("journal bridge file " + file + " could not be read: " + ex, ex);
        }
    }

    private static long checkHeader(final Path file, final UnsafeBuffer buffer)
    {
        final byte[] magic = new byte[MAGIC.length];
        buffer.getBytes(MAGIC_OFFSET, magic);
        if (!Arrays.equals(magic, MAGIC))
        {
            throw damagedHeader(file, MAGIC_OFFSET, "magic at offset " + MAGIC_OFFSET + " is not \"ENGRMJBR\"");
        }
        final byte[] header = new byte[HEADER_CRC_OFFSET];
        buffer.getBytes(0, header);
        final CRC32C crc = new CRC32C();
        crc.update(header);
        final int stored = buffer.getInt(HEADER_CRC_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (stored != (int)crc.getValue())
        {
            throw damagedHeader(file, HEADER_CRC_OFFSET, "header CRC32C at offset " + HEADER_CRC_OFFSET + " is " +
                Integer.toHexString(stored) + ", the header's bytes give " + Integer.toHexString((int)crc.getValue()));
        }
        final int format = buffer.getInt(FORMAT_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (format != FORMAT_VERSION)
        {
            throw new JournalException("journal bridge file " + file + " has format version " + format +
                " at offset " + FORMAT_VERSION_OFFSET + "; this code reads " + FORMAT_VERSION + ": open it with the " +
                "Engram that wrote it");
        }
        final long baseVersion = buffer.getLong(BASE_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (baseVersion < 0)
        {
            throw damagedHeader(file, BASE_VERSION_OFFSET, "base version at offset " + BASE_VERSION_OFFSET + " is " +
                baseVersion);
        }
        return baseVersion;
    }

    private static JournalException damagedHeader(final Path file, final long offset, final String what)
    {
        return new JournalException("journal bridge file " + file + " is damaged at offset " + offset + ": " + what +
            ". It holds versions a journal wrote while its queue opened and the process died before they were copied " +
            "into the queue: restore the journal directory from a backup, or move the file aside and reopen accepting " +
            "the loss (acceptJournalLoss(true): its versions are then lost, and reported)");
    }

    /**
     * @return the offset of the torn tail, or -1 if every byte after the header is a valid frame.
     */
    private static long scan(final UnsafeBuffer buffer, final long baseVersion, final LongArrayList offsets,
        final DeltaFrame.Check[] tornCheck)
    {
        final DeltaFrame frame = new DeltaFrame();
        final int end = buffer.capacity();
        int position = FIRST_FRAME_OFFSET;
        long expected = baseVersion + 1;
        while (position < end)
        {
            if (end - position < MIN_FRAME_LENGTH)
            {
                tornCheck[0] = DeltaFrame.Check.TOO_SHORT;
                return position;
            }
            final int frameLength = buffer.getInt(position + FRAME_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
            if (frameLength < MIN_FRAME_LENGTH || frameLength > end - position)
            {
                tornCheck[0] = DeltaFrame.Check.BAD_LENGTH;
                return position;
            }
            frame.wrap(buffer, position, frameLength);
            final DeltaFrame.Check check = frame.verify();
            if (check != DeltaFrame.Check.OK || (frame.flags() & FLAG_TRIM) != 0 || frame.version() != expected)
            {
                tornCheck[0] = check != DeltaFrame.Check.OK ? check : null;   // null: a valid frame out of order
                return position;
            }
            offsets.addLong(position);
            expected++;
            position += frameLength;
        }
        return -1;
    }

    Path file()
    {
        return file;
    }

    long baseVersion()
    {
        return baseVersion;
    }

    /**
     * @return the last valid version (the base version if the bridge holds no valid frame).
     */
    long lastVersion()
    {
        return baseVersion + frameOffsets.size();
    }

    int frameCount()
    {
        return frameOffsets.size();
    }

    /**
     * @return the offset in the file of the frame holding {@code version} (base + 1 .. last).
     */
    long offsetOf(final long version)
    {
        return frameOffsets.getLong((int)(version - baseVersion - 1));
    }

    /**
     * @return the bridge's frame of {@code version}, wrapped in {@code frame} (valid until close).
     */
    DeltaFrame frame(final long version, final DeltaFrame frame)
    {
        final int offset = (int)offsetOf(version);
        return frame.wrap(buffer, offset, buffer.getInt(offset + FRAME_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN));
    }

    /**
     * @return where the torn tail starts, or -1 if there is none.
     */
    long tornOffset()
    {
        return tornOffset;
    }

    /**
     * @return why the first torn frame failed ({@code null}: a valid frame that is not the next version), or null.
     */
    DeltaFrame.Check tornCheck()
    {
        return tornCheck;
    }

    long fileLength()
    {
        return fileLength;
    }

    /**
     * Remove the bridge file (its frames are in the queue).
     */
    void delete()
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("journal bridge file " + file + " could not be removed after its frames were " +
                "copied into the queue", ex);
        }
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            IoUtil.unmap(mapped);
        }
    }
}
