package dev.engram.journal;

import net.openhft.chronicle.core.OS;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One memory mapping of a file region, by native address. A region below 2 GiB is mapped with the JDK's
 * {@link FileChannel#map} (cheap to reach in a cold JVM: recovery's first mappings do not wait for
 * Chronicle's ~0.4 s of static initialisation); a larger one with Chronicle's {@code OS.map}, which has no
 * 2 GiB limit. Either way the caller sees an address and a length, and {@link #close()} unmaps at once.
 */
public final class FileMapping implements AutoCloseable
{
    private final long address;
    private final long length;
    private MappedByteBuffer buffer;
    private boolean closed;

    private FileMapping(final long address, final long length, final MappedByteBuffer buffer)
    {
        this.address = address;
        this.length = length;
        this.buffer = buffer;
    }

    /**
     * Map {@code [0, length)} of an open channel; the mapping outlives the channel.
     *
     * @param channel the file, open for reading (and writing for {@code READ_WRITE}).
     * @param mode    {@code READ_ONLY} or {@code READ_WRITE}.
     * @param length  bytes to map, at most the file's size for {@code READ_ONLY}.
     */
    public static FileMapping map(final FileChannel channel, final FileChannel.MapMode mode, final long length)
        throws IOException
    {
        if (length <= 0)
        {
            throw new IllegalArgumentException("mapping length must be positive: length=" + length);
        }
        if (length <= Integer.MAX_VALUE)
        {
            final MappedByteBuffer buffer = channel.map(mode, 0, length);
            return new FileMapping(BufferUtil.address(buffer), length, buffer);
        }
        return new FileMapping(OS.map(channel, mode, 0, length), length, null);
    }

    /**
     * @return the native address of the file's first mapped byte.
     */
    public long address()
    {
        return address;
    }

    /**
     * @return bytes mapped.
     */
    public long length()
    {
        return length;
    }

    /**
     * Unmap. Nothing may read through {@link #address()} afterwards.
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (buffer != null)
        {
            IoUtil.unmap(buffer);
            buffer = null;
        }
        else
        {
            OS.unmap(address, length);
        }
    }
}
