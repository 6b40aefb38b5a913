package dev.engram.journal.internal;

import dev.engram.journal.JournalException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * An exclusive OS lock on a state directory: one process (and one open instance) at a time. The lock
 * dies with the process, so a directory left by {@code kill -9} opens at once. Also creates the
 * directory with owner-only permissions (0700) and the lock file 0600.
 */
public final class DirectoryLock implements AutoCloseable
{
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(final Path lockFile, final FileChannel channel, final FileLock lock)
    {
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param directory the directory to hold (created 0700 if absent).
     * @param lockName  the lock file's name inside it.
     * @return the held lock.
     * @throws JournalException if another process or instance holds it.
     */
    public static DirectoryLock acquire(final Path directory, final String lockName)
    {
        ensurePrivateDirectory(directory);
        final Path lockFile = directory.resolve(lockName);
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            setOwnerOnly(lockFile, "rw-------");
            final FileLock lock = channel.tryLock();
            if (lock == null)
            {
                throw new JournalException("directory is in use by another process: lock=" + lockFile +
                    " (close the other Engram instance, or open a different directory)");
            }
            return new DirectoryLock(lockFile, channel, lock);
        }
        catch (final OverlappingFileLockException ex)
        {
            throw closeAfterFailure(channel,
                new JournalException("directory is already open in this process: lock=" + lockFile, ex));
        }
        catch (final IOException ex)
        {
            throw closeAfterFailure(channel,
                new JournalException("cannot lock directory: lock=" + lockFile + ": " + ex.getMessage(), ex));
        }
        catch (final RuntimeException ex)
        {
            throw closeAfterFailure(channel, ex);
        }
    }

    /**
     * Create a directory (and parents) if absent, owner-only.
     *
     * @param directory the directory.
     */
    public static void ensurePrivateDirectory(final Path directory)
    {
        try
        {
            if (!Files.isDirectory(directory))
            {
                Files.createDirectories(directory);
                setOwnerOnly(directory, "rwx------");
            }
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot create directory=" + directory + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Set POSIX permissions where the file system has them.
     *
     * @param path        file or directory.
     * @param permissions e.g. {@code rw-------}.
     */
    public static void setOwnerOnly(final Path path, final String permissions)
    {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix"))
        {
            try
            {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
            }
            catch (final IOException ex)
            {
                throw new JournalException("cannot set permissions=" + permissions + " on " + path + ": " + ex.getMessage(), ex);
            }
        }
    }

    /**
     * Like {@link #setOwnerOnly(Path, String)} but a file deleted meanwhile is not an error.
     *
     * @param path        file.
     * @param permissions e.g. {@code rw-------}.
     */
    public static void setOwnerOnlyIfExists(final Path path, final String permissions)
    {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix"))
        {
            try
            {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
            }
            catch (final java.nio.file.NoSuchFileException ex)
            {
                // deleted meanwhile (retention, or a directory removed after close): nothing to protect
                return;
            }
            catch (final IOException ex)
            {
                throw new JournalException("cannot set permissions=" + permissions + " on " + path + ": " + ex.getMessage(), ex);
            }
        }
    }

    private static RuntimeException closeAfterFailure(final FileChannel channel, final RuntimeException failure)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                failure.addSuppressed(ex);
            }
        }
        return failure;
    }

    /**
     * @return the lock file.
     */
    public Path lockFile()
    {
        return lockFile;
    }

    @Override
    public void close()
    {
        try
        {
            lock.release();
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot release lock=" + lockFile + ": " + ex.getMessage(), ex);
        }
    }
}
