package dev.engram.backup;

import dev.engram.backup.internal.format.Manifest;
import dev.engram.backup.internal.format.ManifestDescriptor;
import dev.engram.backup.internal.format.ManifestFormat;
import dev.engram.backup.internal.format.Sealer;
import dev.engram.backup.internal.repository.ChunkIndex;
import dev.engram.backup.internal.repository.PackWriter;
import dev.engram.backup.internal.source.ClosedStore;
import dev.engram.backup.internal.source.FileChunker;
import dev.engram.backup.internal.source.StateVersions;
import dev.engram.backup.storage.BackupStorage;
import dev.engram.recovery.BackupSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * One backup of a closed state directory (held closed) or of what an open store pinned ({@link BackupSource}): cut
 * each file into chunks, store the new ones (packs and their index objects), then publish the manifest under the
 * next free id.
 */
final class BackupRun
{
    /** Attempts at a manifest id another writer takes first. */
    private static final int ID_ATTEMPTS = 16;

    private final BackupStorage storage;
    private final BackupSettings settings;
    private final Sealer sealer;
    private final RepositoryLock lock;
    private final ProgressMeter meter;
    private final FileChunkCache cache;

    /**
     * @param lock  the shared lock this backup holds (checked before the manifest is published)
     * @param meter counts the bytes, chunks and files read (their totals are known before the first is read)
     */
    BackupRun(final BackupStorage storage, final BackupSettings settings, final Sealer sealer,
        final RepositoryLock lock, final ProgressMeter meter)
    {
        this(storage, settings, sealer, lock, meter, null);
    }

    /**
     * @param cache what earlier backups through the same {@link Backups} found in each file, or null
     */
    BackupRun(final BackupStorage storage, final BackupSettings settings, final Sealer sealer,
        final RepositoryLock lock, final ProgressMeter meter, final FileChunkCache cache)
    {
        this.cache = cache;
        this.storage = storage;
        this.settings = settings;
        this.sealer = sealer;
        this.lock = lock;
        this.meter = meter;
    }

    /**
     * One file to back up, cut before any is read (so the totals are known).
     *
     * @param file      where it is
     * @param path      its path in the manifest
     * @param flags     its manifest flags
     * @param length    its length in the manifest
     * @param pieces    its pieces
     * @param readLimit bytes read from it (the rest of each piece is zeros)
     * @param held      a channel opened when it was cut, to read it from (a file replaced whole by a rename), or null
     */
    private record Source(Path file, String path, int flags, long length, List<long[]> pieces, long readLimit,
        FileChannel held)
    {
    }

    BackupResult run(final Path engramDir, final Manifest parent) throws IOException
    {
        try (ClosedStore store = ClosedStore.hold(engramDir))
        {
            final ChunkIndex index = ChunkIndex.load(storage, sealer, true);
            final PackWriter packs = new PackWriter(storage, sealer, index, settings.targetPackBytes(),
                settings.clock());
            final List<String> paths = store.files();
            final List<Source> sources = new ArrayList<>(paths.size());
            for (final String path : paths)
            {
                sources.add(cut(store.directory().resolve(path), path, false));
            }
            final List<Manifest.File> files = backupAll(sources, index, packs);
            final long stateVersion = StateVersions.of(store.directory(), paths);
            return publish(parent, stateVersion, -1, files, packs);
        }
    }

    /**
     * Backs up what a live store pinned ({@link BackupSource}): the chain's checkpoint files whole, each journal cycle
     * file up to the end of the frame at the source's version and zeros after it, and the version-tags files (each
     * replaced whole by a rename, so one open file reads one version of it). The manifest's state version is the
     * source's.
     */
    BackupResult runLive(final BackupSource source, final Manifest parent, final long createdMillis) throws IOException
    {
        final Path dir = source.directory().toAbsolutePath().normalize();
        final ChunkIndex index = ChunkIndex.load(storage, sealer, true);
        final PackWriter packs = new PackWriter(storage, sealer, index, settings.targetPackBytes(), settings.clock());
        final List<Source> sources = new ArrayList<>();
        try
        {
            for (final Path checkpoint : source.checkpointFiles())
            {
                sources.add(cut(checkpoint.toAbsolutePath(), relative(dir, checkpoint), false));
            }
            for (final BackupSource.JournalFile journal : source.journalFiles())
            {
                final Path file = journal.file().toAbsolutePath();
                sources.add(new Source(file, relative(dir, file), 0, journal.fileLength(),
                    FileChunker.pieces(journal.copyLength(), journal.fileLength(), settings.maxChunkBytes()),
                    journal.copyLength(), null));
            }
            try (var tags = Files.list(dir))
            {
                for (final Path tag : tags.filter(p -> p.getFileName().toString().startsWith("version-tags") &&
                    ClosedStore.included(p.getFileName().toString()) && Files.isRegularFile(p)).sorted().toList())
                {
                    sources.add(cut(tag, relative(dir, tag), true));
                }
            }
            final List<Manifest.File> files = backupAll(sources, index, packs);
            files.sort(java.util.Comparator.comparing(Manifest.File::path));
            return publish(parent, source.version(), createdMillis, files, packs);
        }
        finally
        {
            for (final Source s : sources)
            {
                if (s.held() != null)
                {
                    s.held().close();
                }
            }
        }
    }

    /** Chunks every source in order (the totals counted first), then writes the last pack. */
    private List<Manifest.File> backupAll(final List<Source> sources, final ChunkIndex index, final PackWriter packs)
        throws IOException
    {
        for (final Source source : sources)
        {
            meter.addTotals(source.length(), 1, source.pieces().size());
        }
        final List<Manifest.File> files = new ArrayList<>(sources.size());
        try (ChunkPipeline pipeline = new ChunkPipeline(settings.parallelism(), index.ids(), settings.zstdLevel(),
            sealer, meter))
        {
            for (final Source source : sources)
            {
                files.add(backupFile(source, packs, pipeline, index));
                meter.fileDone();
            }
        }
        packs.flush();
        if (cache != null)
        {
            cache.backupDone();
        }
        return files;
    }

    private static String relative(final Path dir, final Path file) throws BackupException
    {
        final Path absolute = file.toAbsolutePath().normalize();
        if (!absolute.startsWith(dir))
        {
            throw new BackupException("file " + absolute + " is not inside the state directory " + dir);
        }
        return dir.relativize(absolute).toString().replace(absolute.getFileSystem().getSeparator(), "/");
    }

    /**
     * A whole file cut into pieces (a checkpoint at its structure).
     *
     * @param hold keep the channel the file was cut through open, to read it from (a file replaced by a rename)
     */
    private Source cut(final Path file, final String path, final boolean hold) throws IOException
    {
        final boolean checkpoint = FileChunker.isCheckpoint(path);
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try
        {
            final List<long[]> pieces = FileChunker.pieces(channel, checkpoint, settings.maxChunkBytes());
            long length = 0;
            for (final long[] piece : pieces)
            {
                length += piece[1];
            }
            return new Source(file, path, checkpoint ? ManifestDescriptor.FILE_FLAG_CHECKPOINT : 0, length, pieces,
                Long.MAX_VALUE, hold ? channel : null);
        }
        finally
        {
            if (!hold)
            {
                channel.close();
            }
        }
    }

    private Manifest.File backupFile(final Source source, final PackWriter packs, final ChunkPipeline pipeline,
        final ChunkIndex index) throws IOException
    {
        if (source.held() != null)
        {
            return new Manifest.File(source.path(), source.flags(), source.length(),
                pipeline.chunk(source.held(), source.file(), source.pieces(), packs, source.readLimit()));
        }
        // a file unchanged since an earlier backup through the same Backups is not read again (FileChunkCache)
        final FileChunkCache.Key key = cache == null ? null : FileChunkCache.key(source.file(), source.path(),
            source.flags(), source.length(), source.readLimit(), source.pieces());
        if (key != null)
        {
            final Manifest.File cached = cache.get(key, index);
            if (cached != null)
            {
                meter.chunksDone(source.length(), source.pieces().size());
                return cached;
            }
        }
        try (FileChannel channel = FileChannel.open(source.file(), StandardOpenOption.READ))
        {
            final Manifest.File chunked = new Manifest.File(source.path(), source.flags(), source.length(),
                pipeline.chunk(channel, source.file(), source.pieces(), packs, source.readLimit()));
            if (key != null)
            {
                cache.put(key, chunked);
            }
            return chunked;
        }
    }

    /** @param createdMillis the backup's time, or -1 for now */
    private BackupResult publish(final Manifest parent, final long stateVersion, final long createdMillis,
        final List<Manifest.File> files, final PackWriter packs) throws IOException
    {
        lock.ensureHeld();
        final List<String> existing = storage.list(ManifestFormat.MANIFESTS);
        long id = existing.isEmpty() ? 1 : ManifestFormat.idOf(existing.get(existing.size() - 1)) + 1;
        for (int attempt = 0; attempt < ID_ATTEMPTS; attempt++, id++)
        {
            final Manifest manifest = new Manifest(id, parent == null ? 0 : parent.backupId(),
                parent == null ? 0 : parent.chainPosition() + 1, stateVersion,
                createdMillis < 0 ? settings.clock().getAsLong() : createdMillis,
                packs.bytesWritten(), files);
            final byte[] bytes = ManifestFormat.encode(manifest, sealer);
            if (storage.putIfAbsent(ManifestFormat.key(id), bytes))
            {
                return new BackupResult(Backups.info(manifest), packs.chunksWritten(), packs.packsWritten(),
                    packs.bytesWritten() + bytes.length, bytes.length);
            }
        }
        throw new BackupException("could not publish the manifest: " + ID_ATTEMPTS + " backup ids in a row were " +
            "taken by other writers of " + storage.describe() + " (the packs written stay and the next backup reuses them)");
    }
}
