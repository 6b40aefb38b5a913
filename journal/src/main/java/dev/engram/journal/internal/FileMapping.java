package dev.engram.journal.internal;

import net.openhft.chronicle.core.OS;
import org.agrona.BufferUtil;
import org.agrona.IoUtil;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One memory mapping of a file region, by native address. A region below 2 GiB is mapped with the JDK's
 * {@link FileChannel#map}; a larger one with the JDK's own native mapping call behind it
 * ({@code FileChannelImpl.map0}, read-only mappings only, reached through the {@code --add-opens java.base/sun.nio.ch} the build's JVM
 * flags carry), which has no 2 GiB limit; where that is not reachable (another JDK), Chronicle's
 * {@code OS.map}. The first two are cheap in a cold JVM, so recovery's mappings never wait for Chronicle's
 * ~0.4 s of static initialisation, which the journal pays on its own thread meanwhile. Either way the caller
 * sees an address and a length, and {@link #close()} unmaps at once.
 */
public final class FileMapping implements AutoCloseable
{
    private static final MethodHandle MAP0;
    private static final MethodHandle UNMAP0;
    /** {@code FileChannelImpl.MAP_RO}. */
    private static final int MAP_READ_ONLY = 0;

    static
    {
        MethodHandle map0 = null;
        MethodHandle unmap0 = null;
        try
        {
            final Class<?> impl = Class.forName("sun.nio.ch.FileChannelImpl");
            final MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(impl, MethodHandles.lookup());
            map0 = lookup.findVirtual(impl, "map0",
                MethodType.methodType(long.class, int.class, long.class, long.class, boolean.class));
            unmap0 = lookup.findStatic(impl, "unmap0", MethodType.methodType(int.class, long.class, long.class));
        }
        catch (final ReflectiveOperationException | RuntimeException ex)
        {
            map0 = null;        // not this JDK's shape, or not opened: OS.map below
            unmap0 = null;
        }
        MAP0 = map0;
        UNMAP0 = unmap0;
    }

    private final long address;
    private final long length;
    private final boolean nativeMapped;
    private MappedByteBuffer buffer;
    private boolean closed;

    private FileMapping(final long address, final long length, final MappedByteBuffer buffer, final boolean nativeMapped)
    {
        this.address = address;
        this.length = length;
        this.buffer = buffer;
        this.nativeMapped = nativeMapped;
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
            return new FileMapping(BufferUtil.address(buffer), length, buffer, false);
        }
        if (MAP0 != null && mode == FileChannel.MapMode.READ_ONLY && channel.size() >= length)
        {
            try
            {
                final long address = (long)MAP0.invoke(channel, MAP_READ_ONLY, 0L, length, false);
                return new FileMapping(address, length, null, true);
            }
            catch (final IOException ex)
            {
                throw ex;
            }
            catch (final Throwable ex)
            {
                throw new IOException("cannot map " + length + " bytes: " + ex, ex);
            }
        }
        return new FileMapping(OS.map(channel, mode, 0, length), length, null, false);
    }

    /**
     * @return whether read-only mappings above 2 GiB use the JDK's native call (else Chronicle's {@code OS.map}).
     */
    static boolean nativeMapAvailable()
    {
        return MAP0 != null;
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
    public synchronized void close() throws IOException
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
        else if (nativeMapped)
        {
            try
            {
                if ((int)UNMAP0.invoke(address, length) != 0)
                {
                    throw new IOException("munmap failed: address=0x" + Long.toHexString(address) + " length=" + length);
                }
            }
            catch (final IOException ex)
            {
                throw ex;
            }
            catch (final Throwable ex)
            {
                throw new IOException("cannot unmap: " + ex, ex);
            }
        }
        else
        {
            OS.unmap(address, length);
        }
    }
}
