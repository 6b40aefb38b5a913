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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * Checks a repository (see {@link Backups#verify}). Every problem names the object, the chunk and the backups whose
 * restore it breaks.
 */
final class Verification
{
    private final BackupStorage storage;
    private final Sealer sealer;
    private final int parallelism;
    private final ProgressMeter meter;

    /**
     * @param parallelism threads that read packs and re-hash their chunks (read-data)
     * @param meter       counts the pack bytes read, the chunks re-hashed and the packs done (read-data)
     */
    Verification(final BackupStorage storage, final Sealer sealer, final int parallelism, final ProgressMeter meter)
    {
        this.storage = storage;
        this.sealer = sealer;
        this.parallelism = parallelism;
        this.meter = meter;
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
            final DataCheck check = readData(index, users, problems);
            chunksRead = check.chunks();
            bytesRead = check.bytes();
        }
        return new VerifyReport(keys.size(), index.packs().size(), chunksRead, bytesRead, problems, index.notes());
    }

    /** Chunks and bytes read by the read-data check. */
    private record DataCheck(long chunks, long bytes)
    {
    }

    /** A pack read whole on a worker, and whether its SHA-256 matches its name; null bytes: it vanished. */
    private record Fetched(String key, byte[] bytes, boolean named)
    {
    }

    /**
     * Reads every pack whole (a bounded number ahead, on the workers, each hashed there against its name) and
     * re-checks its chunks in batches on the workers; the problems are added in pack order and, within a pack, in
     * table order, as a check on one thread finds them.
     */
    private DataCheck readData(final ChunkIndex index, final Map<ChunkId, Set<Long>> users,
        final List<VerifyReport.Problem> problems) throws IOException
    {
        final List<Map.Entry<String, List<PackEntry>>> packs = new ArrayList<>(index.packs().entrySet());
        long packBytes = 0;
        long entries = 0;
        for (final Map.Entry<String, List<PackEntry>> pack : packs)
        {
            packBytes += index.packLength(pack.getKey());
            entries += pack.getValue().size();
        }
        meter.addTotals(packBytes, packs.size(), entries);
        long chunksRead = 0;
        long bytesRead = 0;
        final int ahead = Math.min(2, parallelism);   // whole packs in memory at once, beside the one being checked
        final ArrayDeque<CompletableFuture<Fetched>> fetches = new ArrayDeque<>();
        final List<CompletableFuture<List<VerifyReport.Problem>>> batches = new ArrayList<>();
        try (Workers workers = new Workers(parallelism, "verify"))
        {
            int next = 0;
            for (final Map.Entry<String, List<PackEntry>> pack : packs)
            {
                while (next < packs.size() && fetches.size() < ahead)
                {
                    final String id = packs.get(next++).getKey();
                    fetches.add(workers.submit(() -> fetch(id)));
                }
                final Fetched fetched = Workers.await(fetches.poll());
                final String key = fetched.key();
                final List<PackEntry> rows = pack.getValue();
                meter.bytesDone(index.packLength(pack.getKey()));
                if (fetched.bytes() == null)
                {
                    problems.add(new VerifyReport.Problem(key, null, "pack vanished during the check",
                        brokenBy(rows, users)));
                    meter.chunksDone(0, rows.size());
                    meter.fileDone();
                    continue;
                }
                final byte[] bytes = fetched.bytes();
                bytesRead += bytes.length;
                if (!fetched.named())
                {
                    problems.add(new VerifyReport.Problem(key, null, "pack's SHA-256 differs from its name (damaged)",
                        List.of()));
                }
                final int batch = Math.max(16, (rows.size() + 4 * parallelism - 1) / (4 * parallelism));
                batches.clear();
                for (int from = 0; from < rows.size(); from += batch)
                {
                    final List<PackEntry> slice = rows.subList(from, Math.min(rows.size(), from + batch));
                    batches.add(workers.submit(() -> check(key, bytes, slice, users)));
                }
                for (final CompletableFuture<List<VerifyReport.Problem>> found : batches)
                {
                    problems.addAll(Workers.await(found));
                }
                chunksRead += rows.size();
                meter.fileDone();
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            Workers.settle(fetches);
            Workers.settle(batches);
            throw ex;
        }
        return new DataCheck(chunksRead, bytesRead);
    }

    private Fetched fetch(final String packId) throws IOException
    {
        final String key = PackFormat.packKey(packId);
        try
        {
            final byte[] bytes = storage.get(key);
            return new Fetched(key, bytes, PackFormat.packId(bytes).equals(packId));
        }
        catch (final NoSuchObjectException ex)
        {
            return new Fetched(key, null, false);
        }
    }

    /** On a worker: a batch of a pack's chunks decoded and re-hashed ({@link ChunkReader#verify}). */
    private List<VerifyReport.Problem> check(final String key, final byte[] bytes, final List<PackEntry> rows,
        final Map<ChunkId, Set<Long>> users)
    {
        final List<VerifyReport.Problem> found = new ArrayList<>(0);
        for (final PackEntry entry : rows)
        {
            final long end = entry.offset() + entry.storedLength();
            try
            {
                if (end > bytes.length)
                {
                    throw new RepositoryCorruptionException(key, entry.offset(), "chunk reaches past the pack");
                }
                ChunkReader.verify(key, entry, Arrays.copyOfRange(bytes, (int)entry.offset(), (int)end), sealer);
            }
            catch (final RepositoryCorruptionException ex)
            {
                found.add(new VerifyReport.Problem(key, entry.id().hex(), ex.getMessage(),
                    List.copyOf(users.getOrDefault(entry.id(), Set.of()))));
            }
            meter.chunksDone(0, 1);
        }
        return found;
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
