package dev.engram.journal.internal;

import dev.engram.journal.JournalException;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

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
    private record Mapping(int cycle, long address, long length)
    {
    }

    private final CycleFiles files;
    /** The newest mapping of each cycle, newest cycles last; replaced (copy on write) under the lock. */
    private volatile Mapping[] current = new Mapping[0];
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
        final Mapping[] mappings = current;
        for (int i = mappings.length - 1; i >= 0; i--)
        {
            final Mapping mapping = mappings[i];
            if (mapping.cycle == cycle)
            {
                if (position + length <= mapping.length)
                {
                    return mapping.address + position;
                }
                break;
            }
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
        final Mapping existing = find(current, cycle);
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
            final Mapping mapping = new Mapping(cycle, fileMapping.address(), size);
            all.add(fileMapping);
            current = replaced(current, mapping);
            return mapping;
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot map journal file=" + file + ": " + ex.getMessage(), ex);
        }
    }

    private static Mapping find(final Mapping[] mappings, final int cycle)
    {
        for (final Mapping mapping : mappings)
        {
            if (mapping.cycle == cycle)
            {
                return mapping;
            }
        }
        return null;
    }

    /**
     * @return a copy of {@code mappings} with the cycle's entry replaced, or added in cycle order.
     */
    private static Mapping[] replaced(final Mapping[] mappings, final Mapping mapping)
    {
        final Mapping[] result = new Mapping[mappings.length + 1];
        int count = 0;
        boolean added = false;
        for (final Mapping existing : mappings)
        {
            if (existing.cycle == mapping.cycle)
            {
                continue;
            }
            if (!added && mapping.cycle < existing.cycle)
            {
                result[count++] = mapping;
                added = true;
            }
            result[count++] = existing;
        }
        if (!added)
        {
            result[count++] = mapping;
        }
        return java.util.Arrays.copyOf(result, count);
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        current = new Mapping[0];
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
