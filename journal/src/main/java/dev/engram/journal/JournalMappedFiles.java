package dev.engram.journal;

import net.openhft.chronicle.core.OS;
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
 * Uses Chronicle's {@code OS.map}, which, unlike {@code MappedByteBuffer}, is not limited to 2 GiB.
 */
public final class JournalMappedFiles implements AutoCloseable
{
    private record Mapping(long address, long length)
    {
    }

    private final ChronicleJournalStore store;
    private final ConcurrentHashMap<Integer, Mapping> current = new ConcurrentHashMap<>();
    private final java.util.List<Mapping> all = new java.util.ArrayList<>();
    private volatile boolean closed;

    JournalMappedFiles(final ChronicleJournalStore store)
    {
        this.store = store;
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
        final File file = store.fileForCycle(cycle);
        if (file == null || !file.exists())
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
            final long mapLength = OS.pageAlign(size);
            final long address = OS.map(channel, FileChannel.MapMode.READ_ONLY, 0, mapLength);
            final Mapping mapping = new Mapping(address, size);
            all.add(new Mapping(address, mapLength));
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
        for (final Mapping mapping : all)
        {
            try
            {
                OS.unmap(mapping.address, mapping.length);
            }
            catch (final IOException ex)
            {
                throw new JournalException("cannot unmap journal file mapping: " + ex.getMessage(), ex);
            }
        }
        all.clear();
    }
}
