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

    /** @param lock the shared lock this backup holds (checked before the manifest is published) */
    BackupRun(final BackupStorage storage, final BackupSettings settings, final Sealer sealer,
        final RepositoryLock lock)
    {
        this.storage = storage;
        this.settings = settings;
        this.sealer = sealer;
        this.lock = lock;
    }

    BackupResult run(final Path engramDir, final Manifest parent) throws IOException
    {
        try (ClosedStore store = ClosedStore.hold(engramDir))
        {
            final ChunkIndex index = ChunkIndex.load(storage, sealer, true);
            final PackWriter packs = new PackWriter(storage, sealer, index, settings.targetPackBytes(),
                settings.clock());
            final List<String> paths = store.files();
            final List<Manifest.File> files = new ArrayList<>(paths.size());
            try (ChunkPipeline pipeline = new ChunkPipeline(settings.parallelism(), index.ids(), settings.zstdLevel(),
            sealer))
            {
                for (final String path : paths)
                {
                    files.add(backupFile(store.directory().resolve(path), path, packs, pipeline));
                }
            }
            packs.flush();
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
        final List<Manifest.File> files = new ArrayList<>();
        try (ChunkPipeline pipeline = new ChunkPipeline(settings.parallelism(), index.ids(), settings.zstdLevel(),
            sealer))
        {
            for (final Path checkpoint : source.checkpointFiles())
            {
                files.add(backupFile(checkpoint.toAbsolutePath(), relative(dir, checkpoint), packs, pipeline));
            }
            for (final BackupSource.JournalFile journal : source.journalFiles())
            {
                final Path file = journal.file().toAbsolutePath();
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
                {
                    final List<Manifest.ChunkRef> refs = pipeline.chunk(channel, file,
                        FileChunker.pieces(journal.copyLength(), journal.fileLength(), settings.maxChunkBytes()), packs,
                        journal.copyLength());
                    files.add(new Manifest.File(relative(dir, file), 0, journal.fileLength(), refs));
                }
            }
            try (var tags = Files.list(dir))
            {
                for (final Path tag : tags.filter(p -> p.getFileName().toString().startsWith("version-tags") &&
                    ClosedStore.included(p.getFileName().toString()) && Files.isRegularFile(p)).sorted().toList())
                {
                    files.add(backupFile(tag, relative(dir, tag), packs, pipeline));
                }
            }
        }
        packs.flush();
        files.sort(java.util.Comparator.comparing(Manifest.File::path));
        return publish(parent, source.version(), createdMillis, files, packs);
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

    private Manifest.File backupFile(final Path file, final String path, final PackWriter packs,
        final ChunkPipeline pipeline) throws IOException
    {
        final boolean checkpoint = FileChunker.isCheckpoint(path);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final List<long[]> pieces = FileChunker.pieces(channel, checkpoint, settings.maxChunkBytes());
            final List<Manifest.ChunkRef> refs = pipeline.chunk(channel, file, pieces, packs);
            long length = 0;
            for (final Manifest.ChunkRef ref : refs)
            {
                length += ref.rawLength();
            }
            return new Manifest.File(path, checkpoint ? ManifestDescriptor.FILE_FLAG_CHECKPOINT : 0, length, refs);
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
