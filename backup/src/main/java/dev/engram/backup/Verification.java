package dev.engram.backup;

import dev.engram.backup.internal.format.ChunkId;
import dev.engram.backup.internal.format.KeyObject;
import dev.engram.backup.internal.format.Manifest;
import dev.engram.backup.internal.format.ManifestFormat;
import dev.engram.backup.internal.format.PackEntry;
import dev.engram.backup.internal.format.PackFormat;
import dev.engram.backup.internal.format.Sealer;
import dev.engram.backup.internal.repository.ChunkIndex;
import dev.engram.backup.internal.repository.ChunkReader;
import dev.engram.backup.storage.BackupStorage;
import dev.engram.backup.storage.NoSuchObjectException;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a repository (see {@link Backups#verify}). Every problem names the object, the chunk and the backups whose
 * restore it breaks.
 */
final class Verification
{
    private final BackupStorage storage;
    private final Sealer sealer;

    Verification(final BackupStorage storage, final Sealer sealer)
    {
        this.storage = storage;
        this.sealer = sealer;
    }

    VerifyReport run(final boolean readData) throws IOException
    {
        final List<VerifyReport.Problem> problems = new ArrayList<>();
        final Map<ChunkId, Set<Long>> users = new HashMap<>();
        final List<String> keys = storage.list(ManifestFormat.MANIFESTS);
        for (final String key : keys)
        {
            try
            {
                final Manifest manifest = ManifestFormat.read(key, storage.get(key), sealer);
                for (final ChunkId id : manifest.chunkIds())
                {
                    users.computeIfAbsent(id, k -> new TreeSet<>()).add(manifest.backupId());
                }
            }
            catch (final RepositoryCorruptionException ex)
            {
                problems.add(new VerifyReport.Problem(key, null, "manifest does not read: " + ex.getMessage(),
                    List.of(backupIdOf(key))));
            }
        }
        if (sealer.encrypted())
        {
            for (final String key : storage.list(KeyObject.PREFIX))
            {
                try
                {
                    KeyObject.decode(key, storage.get(key));
                }
                catch (final RepositoryCorruptionException ex)
                {
                    problems.add(new VerifyReport.Problem(key, null, "key object does not read (its passphrase or " +
                        "key file no longer opens the repository; the others do): " + ex.getMessage(), List.of()));
                }
            }
        }
        final ChunkIndex index = ChunkIndex.load(storage, sealer, false);
        for (final Map.Entry<ChunkId, Set<Long>> use : users.entrySet())
        {
            if (!index.contains(use.getKey()))
            {
                problems.add(new VerifyReport.Problem(PackFormat.PACKS, use.getKey().hex(),
                    "chunk is in no pack of the repository", List.copyOf(use.getValue())));
            }
        }
        long chunksRead = 0;
        long bytesRead = 0;
        if (readData)
        {
            for (final Map.Entry<String, List<PackEntry>> pack : index.packs().entrySet())
            {
                final String key = PackFormat.packKey(pack.getKey());
                final byte[] bytes;
                try
                {
                    bytes = storage.get(key);
                }
                catch (final NoSuchObjectException ex)
                {
                    problems.add(new VerifyReport.Problem(key, null, "pack vanished during the check",
                        brokenBy(pack.getValue(), users)));
                    continue;
                }
                bytesRead += bytes.length;
                if (!PackFormat.packId(bytes).equals(pack.getKey()))
                {
                    problems.add(new VerifyReport.Problem(key, null, "pack's SHA-256 differs from its name (damaged)",
                        List.of()));
                }
                for (final PackEntry entry : pack.getValue())
                {
                    chunksRead++;
                    final long end = entry.offset() + entry.storedLength();
                    final Set<Long> broken = users.getOrDefault(entry.id(), Set.of());
                    try
                    {
                        if (end > bytes.length)
                        {
                            throw new RepositoryCorruptionException(key, entry.offset(), "chunk reaches past the pack");
                        }
                        ChunkReader.verify(key, entry,
                            java.util.Arrays.copyOfRange(bytes, (int)entry.offset(), (int)end), sealer);
                    }
                    catch (final RepositoryCorruptionException ex)
                    {
                        problems.add(new VerifyReport.Problem(key, entry.id().hex(), ex.getMessage(),
                            List.copyOf(broken)));
                    }
                }
            }
        }
        return new VerifyReport(keys.size(), index.packs().size(), chunksRead, bytesRead, problems, index.notes());
    }

    private static List<Long> brokenBy(final List<PackEntry> entries, final Map<ChunkId, Set<Long>> users)
    {
        final Set<Long> broken = new TreeSet<>();
        for (final PackEntry entry : entries)
        {
            broken.addAll(users.getOrDefault(entry.id(), new HashSet<>()));
        }
        return List.copyOf(broken);
    }

    private static long backupIdOf(final String key)
    {
        try
        {
            return ManifestFormat.idOf(key);
        }
        catch (final RuntimeException ex)
        {
            return 0;
        }
    }
}
