package dev.engram.recovery.internal.checkpoint;

import dev.engram.recovery.CheckpointException;

import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Sequential writes into a file through one fixed direct staging buffer, with a running CRC32C over the
 * bytes written since {@link #beginCrc()}. Memory use is the staging buffer whatever is written.
 * Single-threaded (owned by one {@link CheckpointWriter}).
 */
final class CheckpointOutput
{
    static final int STAGING_LENGTH = 1 << 20;

    private final Path file;
    private final FileChannel channel;
    private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_LENGTH);
    private final CRC32C crc = new CRC32C();
    private long flushedPosition;

    CheckpointOutput(final Path file, final FileChannel channel, final long startPosition)
    {
        this.file = file;
        this.channel = channel;
        this.flushedPosition = startPosition;
    }

    /**
     * @return the file position the next byte lands at.
     */
    long position()
    {
        return flushedPosition + staging.position();
    }

    void beginCrc()
    {
        crc.reset();
    }

    int crc()
    {
        return (int)crc.getValue();
    }

    /**
     * Append {@code src}'s remaining bytes (direct or heap); consumes them.
     */
    void write(final ByteBuffer src)
    {
        while (src.hasRemaining())
        {
            if (!staging.hasRemaining())
            {
                flush();
            }
            final int n = Math.min(src.remaining(), staging.remaining());
            final int start = staging.position();
            final ByteBuffer slice = src.duplicate();
            slice.limit(slice.position() + n);
            staging.put(slice);
            src.position(src.position() + n);
            updateCrc(start, n);
        }
    }

    /**
     * Append {@code length} bytes of {@code src} from {@code offset}.
     */
    void write(final DirectBuffer src, final int offset, final int length)
    {
        int done = 0;
        while (done < length)
        {
            if (!staging.hasRemaining())
            {
                flush();
            }
            final int n = Math.min(length - done, staging.remaining());
            final int start = staging.position();
            src.getBytes(offset + done, staging, start, n);
            staging.position(start + n);
            updateCrc(start, n);
            done += n;
        }
    }

    private void updateCrc(final int start, final int length)
    {
        final ByteBuffer view = staging.duplicate();
        view.limit(start + length).position(start);
        crc.update(view);
    }

    /**
     * Write the staged bytes to the file.
     */
    void flush()
    {
        staging.flip();
        try
        {
            while (staging.hasRemaining())
            {
                flushedPosition += channel.write(staging, flushedPosition);
            }
        }
        catch (final IOException ex)
        {
            throw new CheckpointException("cannot write checkpoint file=" + file + " at position=" + flushedPosition +
                ": " + ex.getMessage(), ex);
        }
        finally
        {
            staging.clear();
        }
    }
}
