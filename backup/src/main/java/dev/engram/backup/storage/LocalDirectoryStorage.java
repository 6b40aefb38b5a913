package dev.engram.backup.storage;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A {@link BackupStorage} in a local directory (another disk, a mount): the key {@code a/b/c} is the file
 * {@code <root>/a/b/c}.
 * <p>
 * Publication of an object: write a temp file {@code <name>.<random>.tmp} beside it (0600), {@code force} it, then
 * {@link Files#createLink hard-link} it under its final name — a link fails if the name exists, so an object is never
 * replaced, and two racing writers cannot both win — delete the temp name and force the directory. A directory created
 * on the way is forced in its parent. A crash leaves at most a temp file, which {@link #list} never returns and
 * {@link #deleteStaleTemps()} removes. The file system must support hard links (every local Linux one does).
 */
public final class LocalDirectoryStorage implements BackupStorage
{
    private final Path root;

    private LocalDirectoryStorage(final Path root)
    {
        this.root = root;
    }

    /** Opens (creating it, 0700, if missing) the directory as a storage. */
    public static LocalDirectoryStorage open(final Path root) throws IOException
    {
        final Path absolute = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute))
        {
            createDirectories(absolute);
        }
        return new LocalDirectoryStorage(absolute);
    }

    /** The directory. */
    public Path root()
    {
        return root;
    }

    @Override
    public boolean putIfAbsent(final String key, final byte[] bytes) throws IOException
    {
        final Path target = file(key);
        if (Files.exists(target))
        {
            return false;
        }
        final Path dir = target.getParent();
        createDirectories(dir);
        final Path temp = dir.resolve(target.getFileName() + "." +
            Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + StorageKeys.TEMP_SUFFIX);
        try
        {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
            {
                restrict(temp);
                final ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try
            {
                Files.createLink(target, temp);
            }
            catch (final FileAlreadyExistsException ex)
            {
                return false;
            }
            forceDirectory(dir);
            return true;
        }
        finally
        {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public byte[] get(final String key) throws IOException
    {
        try
        {
            return Files.readAllBytes(file(key));
        }
        catch (final NoSuchFileException ex)
        {
            throw new NoSuchObjectException(describe(), key);
        }
    }

    @Override
    public byte[] get(final String key, final long offset, final int length) throws IOException
    {
        if (offset < 0 || length < 0)
        {
            throw new IllegalArgumentException("offset and length must be >= 0: " + offset + ", " + length);
        }
        try (FileChannel channel = FileChannel.open(file(key), StandardOpenOption.READ))
        {
            if (offset + length > channel.size())
            {
                throw new EOFException("range [" + offset + ", " + (offset + length) + ") of " + key + " in " +
                    describe() + " reaches past its end " + channel.size());
            }
            final ByteBuffer buffer = ByteBuffer.allocate(length);
            long position = offset;
            while (buffer.hasRemaining())
            {
                final int read = channel.read(buffer, position);
                if (read < 0)
                {
                    throw new EOFException("object " + key + " in " + describe() + " shrank while read");
                }
                position += read;
            }
            return buffer.array();
        }
        catch (final NoSuchFileException ex)
        {
            throw new NoSuchObjectException(describe(), key);
        }
    }

    @Override
    public long size(final String key) throws IOException
    {
        try
        {
            return Files.size(file(key));
        }
        catch (final NoSuchFileException ex)
        {
            throw new NoSuchObjectException(describe(), key);
        }
    }

    @Override
    public boolean exists(final String key)
    {
        return Files.isRegularFile(file(key));
    }

    @Override
    public List<String> list(final String prefix) throws IOException
    {
        StorageKeys.checkPrefix(prefix);
        final int slash = prefix.lastIndexOf('/');
        final Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start))
        {
            return List.of();
        }
        final List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(start))
        {
            files.filter(Files::isRegularFile).forEach(p ->
            {
                final String key = root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
                if (key.startsWith(prefix) && !key.endsWith(StorageKeys.TEMP_SUFFIX))
                {
                    keys.add(key);
                }
            });
        }
        catch (final UncheckedIOException ex)
        {
            throw ex.getCause();
        }
        keys.sort(null);
        return keys;
    }

    @Override
    public boolean delete(final String key) throws IOException
    {
        final Path target = file(key);
        final boolean deleted = Files.deleteIfExists(target);
        if (deleted)
        {
            forceDirectory(target.getParent());
        }
        return deleted;
    }

    /**
     * Deletes the temp files writes left behind when their process died (never call it while another process
     * writes to this storage: its temp files would go too).
     *
     * @return how many were deleted
     */
    public int deleteStaleTemps() throws IOException
    {
        final List<Path> temps;
        try (Stream<Path> files = Files.walk(root))
        {
            temps = files.filter(p -> p.getFileName().toString().endsWith(StorageKeys.TEMP_SUFFIX)).toList();
        }
        for (final Path temp : temps)
        {
            Files.deleteIfExists(temp);
        }
        return temps.size();
    }

    @Override
    public String describe()
    {
        return "local storage " + root;
    }

    @Override
    public String toString()
    {
        return describe();
    }

    private Path file(final String key)
    {
        return root.resolve(StorageKeys.check(key));
    }

    /** Creates the missing directories of {@code dir}, 0700, forcing each new one's parent. */
    private static void createDirectories(final Path dir) throws IOException
    {
        if (Files.isDirectory(dir))
        {
            return;
        }
        createDirectories(dir.getParent());
        try
        {
            Files.createDirectory(dir);
            restrict(dir);
            forceDirectory(dir.getParent());
        }
        catch (final FileAlreadyExistsException ex)
        {
            if (!Files.isDirectory(dir))
            {
                throw ex;
            }
        }
    }

    private static void restrict(final Path path) throws IOException
    {
        if (path.getFileSystem().supportedFileAttributeViews().contains("posix"))
        {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(
                Files.isDirectory(path) ? "rwx------" : "rw-------"));
        }
    }

    /** Forces a directory's entries to disk (Linux: fsync on a read-only directory channel). */
    static void forceDirectory(final Path dir) throws IOException
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}
