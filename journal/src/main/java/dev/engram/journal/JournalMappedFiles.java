package dev.engram.journal;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read-only mappings of journal cycle files, so a value can stay where it is in the journal and be read
 * later by (cycle, file position) instead of being copied during replay. A cycle file grows while it is
 * written; a read past the current mapping remaps the file at its new length. Old mappings are kept until
 * {@link #close()} so views handed out earlier stay valid. Safe for concurrent readers.
 * Files are found by name ({@link CycleFiles}) and mapped with {@link FileMapping} (no 2 GiB limit), so
 * the mappings work before, and without, the Chronicle queue being open.
 */
public final class JournalMappedFiles implements AutoCloseable
{
    private record Mapping(long address, long length)
    {
    }

    private final CycleFiles files;
    private final ConcurrentHashMap<Integer, Mapping> current = new ConcurrentHashMap<>();
    private final java.util.List<FileMapping> all = new java.util.ArrayList<>();
    private volatile boolean closed;

    /**
     * @param files the journal's cycle files.
     */
    public JournalMappedFiles(final CycleFiles files)
    {
        this.files = files;
    }

    /**
     * @param cycle    the cycle.
     * @param position byte position in its file.
     * @param length   bytes needed from there.
     * @return the native address of {@code position}.
     */
    public long address(final int cycle, final long position, final int length)
    {
        final Mapping mapping = current.get(cycle);
        if (mapping != null && position + length <= mapping.length)
        {
            return mapping.address + position;
        }
        return remap(cycle, position, length).address + position;
    }

    /**
     * Point a buffer at bytes of a cycle file.
     */
    public void wrap(final UnsafeBuffer target, final int cycle, final long position, final int length)
    {
        target.wrap(address(cycle, position, length), length);
    }

    private synchronized Mapping remap(final int cycle, final long position, final int length)
    {
        if (closed)
        {
            throw new IllegalStateException("journal mapped files are closed");
        }
        final Mapping existing = current.get(cycle);
        if (existing != null && position + length <= existing.length)
        {
            return existing;
        }
        final File file = files.fileFor(cycle);
        if (!file.exists())
        {
            throw new JournalException("journal cycle file missing: cycle=" + cycle + " (removed by retention?)");
        }
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (position < 0 || position + length > size)
            {
                throw new JournalException("journal read past the end of file=" + file + ": position=" + position +
                    " length=" + length + " size=" + size);
            }
            final FileMapping fileMapping = FileMapping.map(channel, FileChannel.MapMode.READ_ONLY, size);
            final Mapping mapping = new Mapping(fileMapping.address(), size);
            all.add(fileMapping);
            current.put(cycle, mapping);
            return mapping;
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot map journal file=" + file + ": " + ex.getMessage(), ex);
        }
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        current.clear();
        for (final FileMapping mapping : all)
        {
            try
            {
                mapping.close();
            }
            catch (final IOException ex)
            {
                throw new JournalException("cannot unmap journal file mapping: " + ex.getMessage(), ex);
            }
        }
        all.clear();
    }
}
