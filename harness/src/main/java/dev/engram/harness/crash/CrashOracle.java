package dev.engram.harness.crash;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import static dev.engram.harness.crash.CrashOracleDescriptor.*;

/**
 * The oracle file of {@link CrashOracleDescriptor}, mapped: release stores in the child, acquire loads
 * in the parent.
 */
final class CrashOracle implements AutoCloseable
{
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final RandomAccessFile file;
    private final MappedByteBuffer buffer;

    CrashOracle(final Path path) throws IOException
    {
        this.file = new RandomAccessFile(path.toFile(), "rw");
        if (file.length() < LENGTH)
        {
            file.setLength(LENGTH);
        }
        this.buffer = file.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, LENGTH);
    }

    void reset()
    {
        for (int offset = 0; offset < LENGTH; offset += 8)
        {
            LONGS.setRelease(buffer, offset, offset == OPENED_OFFSET ? -1L : 0L);
        }
    }

    void set(final int offset, final long value)
    {
        LONGS.setRelease(buffer, offset, value);
    }

    long get(final int offset)
    {
        return (long)LONGS.getAcquire(buffer, offset);
    }

    @Override
    public void close() throws IOException
    {
        file.close();
    }
}
