package dev.engram.journal;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A tiny memory-mapped file through which a crash child tells the parent how far it got. The mapping
 * is shared through the page cache, so the parent sees each store at once and the last one survives
 * the child's {@code kill -9}.
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |   Written Version (long): a value writtenVersion() returned   |  0
 *  |   in the child, stored only after it returned it; -1 before   |
 *  +---------------------------------------------------------------+
 *  |   Opened Version (long): openReport().lastVersion() of the    |  8
 *  |   child's open; -1 until Journal.open returned                |
 *  +---------------------------------------------------------------+
 *  |   Open Time (long, ns) of the child's Journal.open            | 16
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |   Phase (long): -1 not started, 1 opening, 2 open             | 24
 *  |                                                               |
 *  +---------------------------------------------------------------+
 * </pre>
 * Fields are 8-byte aligned and accessed with release stores and acquire loads, so each is read whole.
 */
final class CrashReportFile implements AutoCloseable
{
    static final int WRITTEN_VERSION_OFFSET = 0;
    static final int OPENED_VERSION_OFFSET = 8;
    static final int OPEN_TIME_NS_OFFSET = 16;
    static final int PHASE_OFFSET = 24;
    static final int LENGTH = 32;

    static final long PHASE_NOT_STARTED = -1;
    static final long PHASE_OPENING = 1;
    static final long PHASE_OPEN = 2;

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    private final FileChannel channel;
    private final MappedByteBuffer buffer;

    private CrashReportFile(final FileChannel channel, final MappedByteBuffer buffer)
    {
        this.channel = channel;
        this.buffer = buffer;
    }

    /**
     * Parent: create (or reset) the file with every field -1.
     */
    static CrashReportFile create(final Path file) throws IOException
    {
        final CrashReportFile report = map(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
        report.put(WRITTEN_VERSION_OFFSET, -1);
        report.put(OPENED_VERSION_OFFSET, -1);
        report.put(OPEN_TIME_NS_OFFSET, -1);
        report.put(PHASE_OFFSET, PHASE_NOT_STARTED);
        return report;
    }

    /**
     * Child: map the file the parent created.
     */
    static CrashReportFile open(final Path file) throws IOException
    {
        return map(file);
    }

    private static CrashReportFile map(final Path file, final StandardOpenOption... extra) throws IOException
    {
        final StandardOpenOption[] options = new StandardOpenOption[extra.length + 2];
        options[0] = StandardOpenOption.READ;
        options[1] = StandardOpenOption.WRITE;
        System.arraycopy(extra, 0, options, 2, extra.length);
        final FileChannel channel = FileChannel.open(file, options);
        try
        {
            return new CrashReportFile(channel, channel.map(FileChannel.MapMode.READ_WRITE, 0, LENGTH));
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    long writtenVersion()
    {
        return get(WRITTEN_VERSION_OFFSET);
    }

    void writtenVersion(final long version)
    {
        put(WRITTEN_VERSION_OFFSET, version);
    }

    long openedVersion()
    {
        return get(OPENED_VERSION_OFFSET);
    }

    void opening()
    {
        put(PHASE_OFFSET, PHASE_OPENING);
    }

    void opened(final long version, final long openNs)
    {
        put(OPEN_TIME_NS_OFFSET, openNs);
        put(OPENED_VERSION_OFFSET, version);
        put(PHASE_OFFSET, PHASE_OPEN);
    }

    long phase()
    {
        return get(PHASE_OFFSET);
    }

    long openTimeNs()
    {
        return get(OPEN_TIME_NS_OFFSET);
    }

    private long get(final int offset)
    {
        return (long)LONGS.getAcquire(buffer, offset);
    }

    private void put(final int offset, final long value)
    {
        LONGS.setRelease(buffer, offset, value);
    }

    @Override
    public void close() throws IOException
    {
        channel.close();
    }
}
