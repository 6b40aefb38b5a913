package dev.engram.backup;

import dev.engram.backup.internal.format.Manifest;
import dev.engram.backup.internal.format.Sealer;
import dev.engram.backup.internal.repository.ChunkIndex;
import dev.engram.backup.internal.repository.MissingChunkException;
import dev.engram.backup.storage.BackupStorage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Restores one backup into a new directory: files written under a temporary directory, each chunk verified before it
 * is written, each file forced, then moved into place: a missing target is a sibling {@code <dir>.restoring-<random>}
 * renamed to it (atomic); an existing empty target (perhaps a mount point, which cannot be replaced) is filled from
 * {@code <dir>/.restoring-<random>}, whose entries are then renamed up into it. A restore that fails removes its
 * temporary directory, so the target is either as it was or complete. A chunk of zeros is not written (the file keeps a hole,
 * as Chronicle's sparse cycle files had). The chunks are read, verified and written on {@code parallelism} threads,
 * neighbours in a pack read together ({@link RestorePipeline}).
 */
final class Restore
{
    private final BackupStorage storage;
    private final Sealer sealer;
    private final int parallelism;
    private final ProgressMeter meter;

    /**
     * @param parallelism threads that read, verify and write chunks ({@link RestorePipeline})
     * @param meter       counts the chunks, bytes and files written
     */
    Restore(final BackupStorage storage, final Sealer sealer, final int parallelism, final ProgressMeter meter)
    {
        this.storage = storage;
        this.sealer = sealer;
        this.parallelism = parallelism;
        this.meter = meter;
    }

    /** A last step on the restored files before they are forced and moved into place (point-in-time restore). */
    @FunctionalInterface
    interface Finish
    {
        /** @return the state version the restored directory opens at */
        long apply(Path restored) throws IOException;
    }

    RestoreResult run(final Manifest manifest, final BackupInfo info, final Path directory) throws IOException
    {
        return run(manifest, info, directory, restored -> manifest.stateVersion());
    }

    RestoreResult run(final Manifest manifest, final BackupInfo info, final Path directory, final Finish finish)
        throws IOException
    {
        final Path target = directory.toAbsolutePath().normalize();
        refuseNonEmpty(target);
        final ChunkIndex index = ChunkIndex.load(storage, sealer, false);
        for (final Manifest.File file : manifest.files())
        {
            for (final Manifest.ChunkRef ref : file.chunks())
            {
                if (!index.contains(ref.id()))
                {
                    throw new BackupException("backup " + manifest.backupId() + " cannot be restored: chunk " +
                        ref.id() + " of " + file.path() + " is in no pack of " + storage.describe() +
                        " (run verify); nothing was written");
                }
            }
        }
        // an existing empty target (perhaps a mount point) is filled from a temp directory inside it, on its own file
        // system; a missing one is a temp sibling renamed into place
        final boolean exists = Files.isDirectory(target);
        final Path parent = target.getParent();
        Files.createDirectories(parent);
        final String tempName = (exists ? "" : target.getFileName().toString()) + ".restoring-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        final Path temp = exists ? target.resolve(tempName) : parent.resolve(tempName);
        final long bytes;
        long stateVersion;
        try (Workers workers = new Workers(parallelism, "restore"))
        {
            createDirectory(temp);
            bytes = new RestorePipeline(storage, sealer, index, workers, meter)
                .write(manifest.files(), file -> createFile(file, temp));
            stateVersion = finish.apply(temp);
            forceTree(temp);
            if (exists)
            {
                moveEntriesUp(temp, target);
            }
            else
            {
                refuseNonEmpty(target);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                force(parent);
            }
        }
        catch (final MissingChunkException ex)
        {
            deleteTree(temp);
            throw new BackupException("backup " + manifest.backupId() + " cannot be restored: " + ex.getMessage(), ex);
        }
        catch (final IOException | RuntimeException ex)
        {
            deleteTree(temp);
            throw ex;
        }
        return new RestoreResult(info, target, manifest.files().size(), bytes, stateVersion);
    }

    /**
     * Moves the restored files from the temp directory inside the target up into it, then removes the temp directory.
     * A crash in between leaves the target non-empty, so a next restore into it is refused (naming it).
     */
    private static void moveEntriesUp(final Path temp, final Path target) throws IOException
    {
        try (Stream<Path> entries = Files.list(temp))
        {
            for (final Path entry : entries.toList())
            {
                Files.move(entry, target.resolve(entry.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.delete(temp);
        force(target);
    }

    /** Creates a restored file (empty, owner-only) and its directories, refusing a path outside the root. */
    private static FileChannel createFile(final Manifest.File file, final Path root) throws IOException
    {
        final Path path = root.resolve(file.path()).normalize();
        if (!path.startsWith(root) || path.equals(root))
        {
            throw new BackupException("manifest names a file outside the restored directory: " + file.path());
        }
        final Path dir = path.getParent();
        if (!Files.isDirectory(dir))
        {
            createDirectories(root, dir);
        }
        final FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try
        {
            restrict(path, "rw-------");
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
        return channel;
    }

    private static void refuseNonEmpty(final Path target) throws IOException
    {
        if (Files.exists(target))
        {
            if (!Files.isDirectory(target))
            {
                throw new BackupException("restore target " + target + " exists and is not a directory");
            }
            try (Stream<Path> entries = Files.list(target))
            {
                if (entries.findAny().isPresent())
                {
                    throw new BackupException("restore target " + target + " is not empty: restoring over a " +
                        "directory (perhaps a live store) is refused; restore into a new directory");
                }
            }
        }
    }

    private static void createDirectories(final Path root, final Path dir) throws IOException
    {
        if (dir.equals(root) || Files.isDirectory(dir))
        {
            return;
        }
        createDirectories(root, dir.getParent());
        createDirectory(dir);
    }

    private static void createDirectory(final Path dir) throws IOException
    {
        Files.createDirectory(dir);
        restrict(dir, "rwx------");
    }

    private static void restrict(final Path path, final String permissions) throws IOException
    {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix"))
        {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        }
    }

    private static void forceTree(final Path root) throws IOException
    {
        try (Stream<Path> walk = Files.walk(root))
        {
            for (final Path dir : walk.filter(Files::isDirectory).toList())
            {
                force(dir);
            }
        }
    }

    private static void force(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    private static void deleteTree(final Path root)
    {
        if (!Files.exists(root))
        {
            return;
        }
        try
        {
            Files.walkFileTree(root, new SimpleFileVisitor<>()
            {
                @Override
                public FileVisitResult visitFile(final Path file, final BasicFileAttributes attrs) throws IOException
                {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(final Path dir, final IOException exc) throws IOException
                {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        catch (final IOException ex)
        {
            // best effort: the failure that brought us here is what the caller needs
        }
    }
}
