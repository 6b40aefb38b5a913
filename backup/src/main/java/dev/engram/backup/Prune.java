package dev.engram.backup;

import dev.engram.backup.internal.format.ChunkId;
import dev.engram.backup.internal.format.Manifest;
import dev.engram.backup.internal.format.ManifestFormat;
import dev.engram.backup.internal.format.PackEntry;
import dev.engram.backup.internal.format.PackFormat;
import dev.engram.backup.internal.format.Sealer;
import dev.engram.backup.internal.repository.ChunkIndex;
import dev.engram.backup.storage.BackupStorage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deletes the backups a policy drops and the packs no kept backup uses. Order, so that a crash anywhere leaves
 * every kept backup whole: the dropped manifests first; then, per pack none of whose chunks a kept manifest refers
 * to, its index object and then the pack (an index object whose pack is gone is ignored; a pack whose index object
 * is gone gets it rebuilt).
 */
final class Prune
{
    private final BackupStorage storage;
    private final Sealer sealer;
    private final RepositoryLock lock;

    /** @param lock the exclusive lock this prune holds (checked before each deletion) */
    Prune(final BackupStorage storage, final Sealer sealer, final RepositoryLock lock)
    {
        this.storage = storage;
        this.sealer = sealer;
        this.lock = lock;
    }

    PruneResult run(final RetentionPolicy policy) throws IOException
    {
        final List<String> keys = storage.list(ManifestFormat.MANIFESTS);
        final List<Manifest> manifests = new ArrayList<>(keys.size());
        for (final String key : keys)
        {
            try
            {
                manifests.add(ManifestFormat.read(key, storage.get(key), sealer));
            }
            catch (final RepositoryCorruptionException ex)
            {
                throw new BackupException("prune refused: manifest " + key + " does not read, so the chunks it needs " +
                    "are not known (" + ex.getMessage() + "); delete it by hand if the backup is given up", ex);
            }
        }
        final List<BackupInfo> infos = new ArrayList<>(manifests.size());
        for (final Manifest manifest : manifests)
        {
            infos.add(Backups.info(manifest));
        }
        final Set<Long> kept = policy.kept(infos);
        final List<Long> deleted = new ArrayList<>();
        final Set<ChunkId> referenced = new HashSet<>();
        for (final Manifest manifest : manifests)
        {
            if (kept.contains(manifest.backupId()))
            {
                referenced.addAll(manifest.chunkIds());
            }
            else
            {
                lock.ensureHeld();
                storage.delete(ManifestFormat.key(manifest.backupId()));
                deleted.add(manifest.backupId());
            }
        }
        final ChunkIndex index = ChunkIndex.load(storage, sealer, false);
        int deletedPacks = 0;
        long freed = 0;
        long unreferencedKept = 0;
        for (final Map.Entry<String, List<PackEntry>> pack : List.copyOf(index.packs().entrySet()))
        {
            final long used = pack.getValue().stream().filter(e -> referenced.contains(e.id())).count();
            if (used > 0)
            {
                unreferencedKept += pack.getValue().size() - used;
                continue;
            }
            lock.ensureHeld();
            final String indexKey = PackFormat.indexKey(pack.getKey());
            final long indexBytes = storage.exists(indexKey) ? storage.size(indexKey) : 0;
            storage.delete(indexKey);
            storage.delete(PackFormat.packKey(pack.getKey()));
            freed += indexBytes + index.packLength(pack.getKey());
            deletedPacks++;
        }
        return new PruneResult(deleted, deletedPacks, freed, unreferencedKept);
    }
}
