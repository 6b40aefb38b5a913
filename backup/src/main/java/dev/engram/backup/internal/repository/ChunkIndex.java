package dev.engram.backup.internal.repository;

import dev.engram.backup.internal.format.ChunkId;
import dev.engram.backup.internal.format.PackDescriptor;
import dev.engram.backup.internal.format.PackEntry;
import dev.engram.backup.internal.format.PackFormat;
import dev.engram.backup.internal.format.Sealer;
import dev.engram.backup.RepositoryCorruptionException;
import dev.engram.backup.storage.BackupStorage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The repository's index in memory: chunk id → the pack holding it and where. Loaded from the index objects of the
 * packs that exist; a pack without a readable index object gets one rebuilt from its footer and table (and written
 * back, when {@code repair} is asked for); an index object whose pack is gone is ignored. What was done is in
 * {@link #notes()}.
 */
public final class ChunkIndex
{
    private final Map<ChunkId, Location> locations = new HashMap<>();
    private final Map<String, List<PackEntry>> packs = new LinkedHashMap<>();
    private final Map<String, Long> packLengths = new HashMap<>();
    private final List<String> notes = new ArrayList<>();

    /**
     * Where a chunk is.
     *
     * @param packId the pack
     * @param entry  its row
     */
    public record Location(String packId, PackEntry entry)
    {
    }

    /** Loads the index of the packs in an unencrypted repository's storage. */
    public static ChunkIndex load(final BackupStorage storage, final boolean repair) throws IOException
    {
        return load(storage, Sealer.PLAIN, repair);
    }

    /** Loads the index of the packs in the storage (index objects and pack tables opened with {@code sealer}). */
    public static ChunkIndex load(final BackupStorage storage, final Sealer sealer, final boolean repair)
        throws IOException
    {
        final ChunkIndex index = new ChunkIndex();
        final Set<String> packIds = new HashSet<>();
        for (final String key : storage.list(PackFormat.PACKS))
        {
            packIds.add(PackFormat.idOf(key));
        }
        final Set<String> indexed = new HashSet<>();
        for (final String key : storage.list(PackFormat.INDEX))
        {
            final String id = PackFormat.idOf(key);
            if (!packIds.contains(id))
            {
                index.notes.add("index object " + key + " names a pack that is not in the repository: ignored");
                continue;
            }
            try
            {
                final List<PackEntry> entries = PackFormat.decodeIndex(key, storage.get(key), sealer);
                final long length = storage.size(PackFormat.packKey(id));
                final long dataEnd = entries.isEmpty() ? PackDescriptor.HEADER_LENGTH :
                    entries.get(entries.size() - 1).offset() + entries.get(entries.size() - 1).storedLength();
                if (dataEnd + (long)entries.size() * PackDescriptor.ROW_LENGTH + sealer.overhead() +
                    PackDescriptor.FOOTER_LENGTH != length)
                {
                    throw new RepositoryCorruptionException(key, 16, "pack length " + length + " differs from the index");
                }
                index.add(id, length, entries);
                indexed.add(id);
            }
            catch (final RepositoryCorruptionException ex)
            {
                index.notes.add("index object " + key + " is damaged (" + ex.getMessage() + "): rebuilt from its pack");
            }
        }
        for (final String id : packIds)
        {
            if (indexed.contains(id))
            {
                continue;
            }
            final String packKey = PackFormat.packKey(id);
            try
            {
                final List<PackEntry> entries = readTable(storage, sealer, packKey);
                final long length = storage.size(packKey);
                index.add(id, length, entries);
                if (repair)
                {
                    storage.delete(PackFormat.indexKey(id));
                    storage.putIfAbsent(PackFormat.indexKey(id),
                        PackFormat.encodeIndex(PackFormat.indexKey(id), length, entries, sealer));
                }
                index.notes.add("pack " + packKey + " had no readable index object: index rebuilt from the pack" +
                    (repair ? " and written" : ""));
            }
            catch (final RepositoryCorruptionException ex)
            {
                index.notes.add("pack " + packKey + " is damaged and left out of the index: " + ex.getMessage());
            }
        }
        return index;
    }

    /** A pack's table, read from its footer and table (two range reads), opened with {@code sealer}. */
    public static List<PackEntry> readTable(final BackupStorage storage, final Sealer sealer, final String packKey)
        throws IOException
    {
        final long length = storage.size(packKey);
        if (length < PackDescriptor.HEADER_LENGTH + PackDescriptor.FOOTER_LENGTH)
        {
            throw new RepositoryCorruptionException(packKey, 0, "pack of " + length + " bytes is too short");
        }
        final PackFormat.Footer footer = PackFormat.footer(packKey, length, storage.get(packKey,
            length - PackDescriptor.FOOTER_LENGTH, PackDescriptor.FOOTER_LENGTH), sealer);
        return PackFormat.table(packKey, footer,
            storage.get(packKey, footer.tableOffset(), footer.tableLength(sealer)), sealer);
    }

    /** Adds a pack's entries (a chunk stored in two packs keeps its first place). */
    public void add(final String packId, final long packLength, final List<PackEntry> entries)
    {
        packs.put(packId, entries);
        packLengths.put(packId, packLength);
        for (final PackEntry entry : entries)
        {
            locations.putIfAbsent(entry.id(), new Location(packId, entry));
        }
    }

    /** Forgets a pack. */
    public void remove(final String packId)
    {
        final List<PackEntry> entries = packs.remove(packId);
        packLengths.remove(packId);
        if (entries != null)
        {
            for (final PackEntry entry : entries)
            {
                locations.remove(entry.id(), new Location(packId, entry));
            }
        }
    }

    /** Where the chunk is, or null. */
    public Location find(final ChunkId id)
    {
        return locations.get(id);
    }

    /** A copy of the ids indexed now (safe to read from other threads). */
    public Set<ChunkId> ids()
    {
        return Set.copyOf(locations.keySet());
    }

    /** Whether the repository holds the chunk. */
    public boolean contains(final ChunkId id)
    {
        return locations.containsKey(id);
    }

    /** The packs and their entries. */
    public Map<String, List<PackEntry>> packs()
    {
        return packs;
    }

    /** A pack's length in bytes. */
    public long packLength(final String packId)
    {
        return packLengths.getOrDefault(packId, 0L);
    }

    /** What loading found and did. */
    public List<String> notes()
    {
        return notes;
    }

    /** Chunks indexed. */
    public int size()
    {
        return locations.size();
    }
}
