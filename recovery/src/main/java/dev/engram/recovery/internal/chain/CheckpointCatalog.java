package dev.engram.recovery.internal.chain;

import dev.engram.journal.internal.DirectoryLock;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.recovery.CheckpointException;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.SnapshotIndexDamagedException;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import net.openhft.chronicle.map.ChronicleMap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The checkpoint catalog: a persisted Chronicle Map from checkpoint id ({@code Long}) to a
 * {@link CatalogRecord} ({@code byte[]} in the layout of {@link CatalogRecordDescriptor}).
 * <p>
 * Every change writes a NEW map file, {@code catalog-<newest id>.cm}: built under a temp name, closed
 * cleanly, forced, renamed into place, then sealed ({@link MapSealDescriptor}); older catalog files are
 * deleted afterwards. A published catalog is never written again, so a crash can never leave a
 * half-updated map and Chronicle Map's slow crash recovery is never needed: the newest catalog whose seal
 * checks out is used, and a missing, stale or damaged one is rebuilt from the checkpoint files by
 * {@link CatalogRebuilder}. An accelerator, not the source of truth.
 * <p>
 * An opened catalog holds its records in memory (a few hundred bytes per checkpoint); the map itself is
 * closed once read.
 */
public final class CheckpointCatalog
{
    private static final String MAP_NAME = "engram-catalog";

    private final Path file;
    private final TreeMap<Long, CatalogRecord> records;

    private CheckpointCatalog(final Path file, final TreeMap<Long, CatalogRecord> records)
    {
        this.file = file;
        this.records = records;
    }

    /**
     * Open the newest catalog in a directory.
     *
     * @param directory the checkpoint directory.
     * @return the catalog.
     * @throws SnapshotIndexDamagedException if there is none, or the newest one is damaged (its seal,
     *                                       length, CRC32C, entry count or a record does not check out).
     */
    public static CheckpointCatalog open(final Path directory)
    {
        EngramSystemProperties.apply();
        final List<Path> files = catalogFiles(directory);
        if (files.isEmpty())
        {
            throw new SnapshotIndexDamagedException(directory.resolve(CheckpointFiles.catalogFileName(0)), "no catalog file");
        }
        final Path file = files.get(files.size() - 1);
        final MapSeal seal = MapSeal.verify(file, MapSealDescriptor.KIND_CATALOG);
        final TreeMap<Long, CatalogRecord> records = new TreeMap<>();
        try (ChronicleMap<Long, byte[]> map = ChronicleMap.of(Long.class, byte[].class).name(MAP_NAME)
            .entries(Math.max(16, seal.capacity)).averageValueSize(160).createPersistedTo(file.toFile()))
        {
            for (final Map.Entry<Long, byte[]> e : map.entrySet())
            {
                final CatalogRecord record = CatalogRecord.decode(e.getValue());
                if (record == null || record.checkpointId() != e.getKey())
                {
                    throw new SnapshotIndexDamagedException(file, "catalog record for id " + e.getKey() + " fails its check");
                }
                records.put(e.getKey(), record);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            if (ex instanceof SnapshotIndexDamagedException)
            {
                throw (SnapshotIndexDamagedException)ex;
            }
            throw new SnapshotIndexDamagedException(file, "Chronicle Map cannot read the catalog: " + ex, ex);
        }
        if (records.size() != seal.entryCount || (records.isEmpty() ? 0 : records.lastKey()) != seal.ownerId)
        {
            throw new SnapshotIndexDamagedException(file, "catalog holds " + records.size() + " records up to id " +
                (records.isEmpty() ? 0 : records.lastKey()) + ", its seal says " + seal.entryCount + " up to id " + seal.ownerId);
        }
        return new CheckpointCatalog(file, records);
    }

    /**
     * Write a new catalog file holding exactly {@code records}, then delete older catalog files.
     *
     * @param directory the checkpoint directory.
     * @param records   the checkpoints to list.
     * @return the new catalog.
     */
    public static CheckpointCatalog write(final Path directory, final Collection<CatalogRecord> records)
    {
        EngramSystemProperties.apply();
        DirectoryLock.ensurePrivateDirectory(directory);
        final TreeMap<Long, CatalogRecord> sorted = new TreeMap<>();
        for (final CatalogRecord record : records)
        {
            sorted.put(record.checkpointId(), record);
        }
        final long newestId = sorted.isEmpty() ? 0 : sorted.lastKey();
        final Path file = directory.resolve(CheckpointFiles.catalogFileName(newestId));
        final Path tmp = CheckpointFiles.tmpOf(file);
        final long capacity = Math.max(16, sorted.size());
        try
        {
            Files.deleteIfExists(tmp);
            try (ChronicleMap<Long, byte[]> map = ChronicleMap.of(Long.class, byte[].class).name(MAP_NAME)
                .entries(capacity).averageValueSize(160).createPersistedTo(tmp.toFile()))
            {
                for (final CatalogRecord record : sorted.values())
                {
                    map.put(record.checkpointId(), record.encode());
                }
            }
            MapSeal.delete(file);
            MapSeal.publish(tmp, file, MapSealDescriptor.KIND_CATALOG, newestId, 0, 0, sorted.size(), capacity);
            for (final Path older : catalogFiles(directory))
            {
                if (!older.equals(file))
                {
                    MapSeal.delete(older);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new CheckpointException("cannot write catalog file=" + file + ": " + ex.getMessage(), ex);
        }
        return new CheckpointCatalog(file, sorted);
    }

    /**
     * Record a newly published checkpoint: a new catalog file with this catalog's records plus it.
     *
     * @param info the checkpoint just published (its file is already in place).
     * @return the new catalog.
     */
    public CheckpointCatalog with(final CheckpointInfo info)
    {
        final List<CatalogRecord> next = new ArrayList<>(records.values());
        next.add(CatalogRecord.of(info));
        return write(file.getParent(), next);
    }

    /**
     * A new catalog without some checkpoints (after their files were deleted by retention).
     *
     * @param checkpointIds ids to drop.
     * @return the new catalog.
     */
    public CheckpointCatalog without(final Collection<Long> checkpointIds)
    {
        final List<CatalogRecord> next = new ArrayList<>();
        for (final CatalogRecord record : records.values())
        {
            if (!checkpointIds.contains(record.checkpointId()))
            {
                next.add(record);
            }
        }
        return write(file.getParent(), next);
    }

    public static List<Path> catalogFiles(final Path directory)
    {
        final List<Path> result = new ArrayList<>();
        if (!Files.isDirectory(directory))
        {
            return result;
        }
        try (Stream<Path> files = Files.list(directory))
        {
            files.filter(p -> CheckpointFiles.idFromName(p.getFileName().toString(),
                    CheckpointFiles.CATALOG_PREFIX, CheckpointFiles.MAP_SUFFIX) >= 0)
                .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                .forEach(result::add);
        }
        catch (final IOException ex)
        {
            throw new CheckpointException("cannot list directory=" + directory + ": " + ex.getMessage(), ex);
        }
        return result;
    }

    /**
     * @return the catalog's map file.
     */
    public Path file()
    {
        return file;
    }

    /**
     * @return every record, by ascending checkpoint id.
     */
    public List<CatalogRecord> records()
    {
        return Collections.unmodifiableList(new ArrayList<>(records.values()));
    }

    /**
     * @param checkpointId a checkpoint id.
     * @return its record, if listed.
     */
    public Optional<CatalogRecord> record(final long checkpointId)
    {
        return Optional.ofNullable(records.get(checkpointId));
    }

    /**
     * @return the record with the highest id, if any.
     */
    public Optional<CatalogRecord> newest()
    {
        return records.isEmpty() ? Optional.empty() : Optional.of(records.lastEntry().getValue());
    }

    @Override
    public String toString()
    {
        return "CheckpointCatalog{file=" + file + " records=" + records.values() + "}";
    }
}
