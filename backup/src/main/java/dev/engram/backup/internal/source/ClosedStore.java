package dev.engram.backup.internal.source;

import dev.engram.backup.StoreBusyException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A state directory no process has open, held so while a backup reads it: a shared lock on its {@code engram.lock}
 * (the store takes it exclusively, docs/recovery.md), so the store cannot be opened meanwhile, and an open store is
 * refused. Its files are then immutable.
 * <p>
 * The files backed up are every regular file under the directory except:
 * <ul>
 *   <li>lock files ({@code engram.lock}, {@code journal/engram-journal.lock}: only their OS locks mean anything);</li>
 *   <li>temp files ({@code *.tmp}: never read by the store);</li>
 *   <li>the snapshot index maps ({@code checkpoints/catalog-*.cm}, {@code checkpoints/keys-*.cm} and their
 *       {@code .seal}s): rebuilt from the checkpoint files whenever missing (docs/checkpoint-format.md), and large
 *       and rewritten at every checkpoint, so an incremental backup would copy them whole.</li>
 * </ul>
 */
public final class ClosedStore implements AutoCloseable
{
    /** The store's lock file (docs/recovery.md). */
    public static final String LOCK_FILE = "engram.lock";

    private final Path directory;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private ClosedStore(final Path directory, final FileChannel lockChannel, final FileLock lock)
    {
        this.directory = directory;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Holds the directory for reading.
     *
     * @throws StoreBusyException if a process has the store open
     * @throws IOException        if it is not a state directory (no {@code journal/})
     */
    public static ClosedStore hold(final Path directory) throws IOException
    {
        final Path dir = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("journal")))
        {
            throw new IOException("not a state directory (no journal/): " + dir);
        }
        final Path lockFile = dir.resolve(LOCK_FILE);
        if (!Files.exists(lockFile))
        {
            return new ClosedStore(dir, null, null);
        }
        final FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ);
        final FileLock lock;
        try
        {
            lock = channel.tryLock(0, Long.MAX_VALUE, true);
        }
        catch (final OverlappingFileLockException | IOException ex)
        {
            channel.close();
            throw new StoreBusyException(dir, ex);
        }
        if (lock == null)
        {
            channel.close();
            throw new StoreBusyException(dir, null);
        }
        return new ClosedStore(dir, channel, lock);
    }

    /** The state directory. */
    public Path directory()
    {
        return directory;
    }

    /** The files to back up, as '/'-separated paths relative to the directory, sorted. */
    public List<String> files() throws IOException
    {
        final List<String> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(directory))
        {
            walk.filter(Files::isRegularFile).forEach(p ->
            {
                final String path = directory.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
                if (included(path))
                {
                    files.add(path);
                }
            });
        }
        files.sort(null);
        return files;
    }

    /** Whether a file of a state directory is backed up (see the class comment). */
    public static boolean included(final String path)
    {
        final String name = path.substring(path.lastIndexOf('/') + 1);
        if (path.equals(LOCK_FILE) || name.endsWith(".lock") || name.endsWith(".tmp"))
        {
            return false;
        }
        return !(path.startsWith("checkpoints/") && (name.startsWith("catalog-") || name.startsWith("keys-")) &&
            (name.endsWith(".cm") || name.endsWith(".cm.seal")));
    }

    @Override
    public void close() throws IOException
    {
        if (lock != null)
        {
            lock.release();
            lockChannel.close();
        }
    }
}
