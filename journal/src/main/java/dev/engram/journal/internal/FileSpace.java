package dev.engram.journal.internal;

import net.openhft.posix.OpenFlag;
import net.openhft.posix.PosixAPI;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.stream.Stream;

/**
 * Bytes of a file that hold data: the sum of its data extents ({@code lseek} with {@code SEEK_DATA} and
 * {@code SEEK_HOLE}), not its length. Chronicle's cycle files and index maps are sparse (a cycle file is 80 MiB long
 * with the default block size however little it holds), so their length says little about the disk they take. Blocks
 * reserved with {@code fallocate} and not written yet count as holes on ext4 and tmpfs (unwritten extents), so the
 * journal writer's reservation ahead of its writes is not included (see {@code Journal.reservedAheadBytes()}). Where
 * {@code SEEK_DATA} is not supported (or not Linux), the file's length is used. Read-only: opens each file for reading
 * only.
 */
public final class FileSpace
{
    private static final int ENXIO = 6;
    /**
     * Linux's {@code SEEK_DATA} and {@code SEEK_HOLE}, passed as plain numbers: Chronicle's {@code WhenceFlag} gives them
     * as 4 and 5 (another system's numbers; on Linux 4 is {@code SEEK_HOLE} and 5 is invalid).
     */
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    private static volatile boolean unsupported = !System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT)
        .contains("linux");

    private FileSpace()
    {
    }

    /**
     * @param file a regular file.
     * @return bytes of it that hold data (its length where holes cannot be found); 0 if it is gone.
     */
    public static long dataBytes(final Path file)
    {
        final long length;
        try
        {
            length = Files.size(file);
        }
        catch (final IOException ex)
        {
            return 0;   // removed meanwhile (retention)
        }
        if (length == 0 || unsupported)
        {
            return length;
        }
        final PosixAPI posix;
        final int fd;
        try
        {
            posix = PosixAPI.posix();
            fd = posix.open(file.toString(), OpenFlag.O_RDONLY.value(), 0);
        }
        catch (final RuntimeException | LinkageError ex)
        {
            unsupported = true;
            return length;
        }
        if (fd < 0)
        {
            return Files.exists(file) ? length : 0;
        }
        try
        {
            long used = 0;
            long position = 0;
            while (position < length)
            {
                final long data = posix.lseek(fd, position, SEEK_DATA);
                if (data < 0)
                {
                    if (posix.lastError() != ENXIO)
                    {
                        return length;   // SEEK_DATA not supported here
                    }
                    break;   // nothing but holes after position
                }
                long hole = posix.lseek(fd, data, SEEK_HOLE);
                if (hole < 0 || hole > length)
                {
                    hole = length;
                }
                used += hole - data;
                position = hole;
            }
            return used;
        }
        finally
        {
            posix.close(fd);
        }
    }

    /**
     * @param directory a directory (absent: 0).
     * @return {@link #dataBytes} of every regular file under it, recursively.
     */
    public static long dataBytesUnder(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            return 0;
        }
        long total = 0;
        try (Stream<Path> files = Files.walk(directory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                if (isRegularFile(file))
                {
                    total += dataBytes(file);
                }
            }
        }
        catch (final IOException | java.io.UncheckedIOException ex)
        {
            // a file or folder removed while walked (retention): what was counted stands
        }
        return total;
    }

    /**
     * @return true if {@code file} is a regular file (false if it is gone).
     */
    public static boolean isRegularFile(final Path file)
    {
        try
        {
            return Files.readAttributes(file, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS).isRegularFile();
        }
        catch (final IOException ex)
        {
            return false;
        }
    }
}
