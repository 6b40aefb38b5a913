package dev.engram.backup.internal.repository;

import dev.engram.backup.internal.format.ChunkCodec;
import dev.engram.backup.internal.format.ChunkId;
import dev.engram.backup.internal.format.PackBuilder;
import dev.engram.backup.internal.format.PackFormat;
import dev.engram.backup.internal.format.Sealer;
import dev.engram.backup.storage.BackupStorage;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Adds new chunks to the repository: compresses each, collects them into a pack until it reaches the target size,
 * then writes the pack and after it the pack's index object, and indexes them. A chunk the index or the pack being
 * filled already holds is not stored again. Nothing refers to a pack until a manifest is written after
 * {@link #flush()}, so an interrupted backup leaves only unreferenced packs (which the next backup reuses).
 */
public final class PackWriter
{
    private final BackupStorage storage;
    private final Sealer sealer;
    private final ChunkIndex index;
    private final long targetPackBytes;
    private final java.util.function.LongSupplier clock;
    private final PackBuilder builder = new PackBuilder();
    private final Set<ChunkId> pending = new HashSet<>();
    private long bytesWritten;
    private long chunksWritten;
    private long packsWritten;

    /** @param sealer seals the pack tables and index objects (the chunks come sealed already) */
    public PackWriter(final BackupStorage storage, final Sealer sealer, final ChunkIndex index,
        final long targetPackBytes, final java.util.function.LongSupplier clock)
    {
        this.storage = storage;
        this.sealer = sealer;
        this.index = index;
        this.targetPackBytes = targetPackBytes;
        this.clock = clock;
    }

    /**
     * Stores an encoded chunk unless the repository holds it.
     *
     * @return whether it was new
     */
    public boolean add(final ChunkId id, final ChunkCodec.Stored stored, final int rawLength) throws IOException
    {
        if (holds(id))
        {
            return false;
        }
        builder.add(id, stored, rawLength);
        pending.add(id);
        chunksWritten++;
        if (builder.storedBytes() >= targetPackBytes)
        {
            flush();
        }
        return true;
    }

    /** Whether the repository or the pack being filled holds the chunk. */
    public boolean holds(final ChunkId id)
    {
        return index.contains(id) || pending.contains(id);
    }

    /** Writes the pack being filled, if it holds anything, and its index object. */
    public void flush() throws IOException
    {
        if (builder.count() == 0)
        {
            return;
        }
        final PackBuilder.Pack pack = builder.build(clock.getAsLong(), sealer);
        final byte[] indexObject = PackFormat.encodeIndex(PackFormat.indexKey(pack.id()), pack.bytes().length,
            pack.entries(), sealer);
        if (storage.putIfAbsent(PackFormat.packKey(pack.id()), pack.bytes()))
        {
            bytesWritten += pack.bytes().length;
        }
        if (storage.putIfAbsent(PackFormat.indexKey(pack.id()), indexObject))
        {
            bytesWritten += indexObject.length;
        }
        index.add(pack.id(), pack.bytes().length, pack.entries());
        pending.clear();
        packsWritten++;
    }

    /** Bytes of packs and index objects written. */
    public long bytesWritten()
    {
        return bytesWritten;
    }

    /** New chunks stored. */
    public long chunksWritten()
    {
        return chunksWritten;
    }

    /** Packs written. */
    public long packsWritten()
    {
        return packsWritten;
    }
}
