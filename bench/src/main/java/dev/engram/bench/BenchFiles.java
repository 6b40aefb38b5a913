package dev.engram.bench;

import net.openhft.chronicle.core.io.BackgroundResourceReleaser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Directory chores of the benchmarks' untimed set-up: a fresh directory under a base, a recursive copy (to
 * reuse one prepared state for many measurements) and a recursive delete.
 */
public final class BenchFiles
{
    /** Where benchmark data goes unless told otherwise: the issue's {@code /tmp/jmh-*}. */
    public static final Path DEFAULT_BASE = Path.of(System.getProperty("java.io.tmpdir"));

    private BenchFiles()
    {
    }

    /**
     * @param prefix name prefix, e.g. {@code jmh-read-}.
     * @return a new empty directory under {@link #DEFAULT_BASE}.
     */
    public static Path newDirectory(final String prefix)
    {
        try
        {
            return Files.createTempDirectory(DEFAULT_BASE, prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create a benchmark directory " + prefix + "* under " + DEFAULT_BASE, ex);
        }
    }

    /**
     * Copy every file under {@code from} to the same relative path under {@code to} (created).
     *
     * @return bytes copied.
     */
    public static long copyTree(final Path from, final Path to)
    {
        long bytes = 0;
        try (Stream<Path> walk = Files.walk(from))
        {
            final List<Path> paths = walk.toList();
            for (final Path source : paths)
            {
                final Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    bytes += Files.size(target);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot copy benchmark state " + from + " to " + to, ex);
        }
        return bytes;
    }

    /**
     * Delete {@code directory} and everything under it (nothing if absent).
     */
    public static void deleteTree(final Path directory)
    {
        if (directory == null || !Files.exists(directory))
        {
            return;
        }
        // Chronicle runs store-file listeners on its background releaser thread, possibly after close
        BackgroundResourceReleaser.releasePendingResources();
        try (Stream<Path> files = Files.walk(directory))
        {
            for (final Path p : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(p);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete benchmark directory " + directory, ex);
        }
    }
}
