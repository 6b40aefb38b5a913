package dev.engram.harness.crash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a state directory holds on disk: file lengths (apparent bytes) and counts, in total and for the
 * journal ({@code journal/}) and the checkpoints ({@code checkpoints/}), and the blocks allocated to them
 * ({@code du}: Chronicle's cycle files are sparse, so their length says little). The soak reports it after
 * every recovery so a run shows whether disk use stays bounded across kill -9 cycles.
 *
 * @param totalBytes      sum of the lengths of every regular file under the directory
 * @param journalBytes    the same under {@code journal/}
 * @param checkpointBytes the same under {@code checkpoints/}
 * @param files           regular files under the directory
 * @param journalFiles    regular files under {@code journal/}
 * @param checkpointFiles regular files under {@code checkpoints/}
 * @param allocated       bytes allocated on disk to the directory ({@code du -B1}), -1 if unknown
 * @param journalAllocated the same for {@code journal/}
 * @param checkpointAllocated the same for {@code checkpoints/}
 */
public record DiskUse(long totalBytes, long journalBytes, long checkpointBytes, int files, int journalFiles,
    int checkpointFiles, long allocated, long journalAllocated, long checkpointAllocated)
{
    public static final DiskUse NONE = new DiskUse(0, 0, 0, 0, 0, 0, 0, 0, 0);

    public DiskUse(final long totalBytes, final long journalBytes, final long checkpointBytes, final int files,
        final int journalFiles, final int checkpointFiles)
    {
        this(totalBytes, journalBytes, checkpointBytes, files, journalFiles, checkpointFiles, -1, -1, -1);
    }

    /** Measures {@code dir} (nothing if it does not exist). */
    public static DiskUse of(final Path dir)
    {
        if (!Files.isDirectory(dir))
        {
            return NONE;
        }
        final Path journal = dir.resolve("journal");
        final Path checkpoints = dir.resolve("checkpoints");
        long total = 0, journalBytes = 0, checkpointBytes = 0;
        int files = 0, journalFiles = 0, checkpointFiles = 0;
        try (var walk = Files.walk(dir))
        {
            for (final Path p : (Iterable<Path>)walk::iterator)
            {
                final BasicFileAttributes attrs;
                try
                {
                    attrs = Files.readAttributes(p, BasicFileAttributes.class);
                }
                catch (final IOException gone)
                {
                    continue; // removed while walking
                }
                if (!attrs.isRegularFile())
                {
                    continue;
                }
                final long size = attrs.size();
                total += size;
                files++;
                if (p.startsWith(journal))
                {
                    journalBytes += size;
                    journalFiles++;
                }
                else if (p.startsWith(checkpoints))
                {
                    checkpointBytes += size;
                    checkpointFiles++;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot measure the disk use of " + dir, ex);
        }
        final long[] du = allocated(dir);
        return new DiskUse(total, journalBytes, checkpointBytes, files, journalFiles, checkpointFiles, du[0], du[1], du[2]);
    }

    /** {@code du -B1 -d1}: allocated bytes of the directory, journal/ and checkpoints/; -1 each if du fails. */
    private static long[] allocated(final Path dir)
    {
        final long[] result = {-1, -1, 0};
        try
        {
            final Process du = new ProcessBuilder("du", "-B1", "-d1", dir.toString()).redirectErrorStream(false).start();
            du.getOutputStream().close();
            du.getErrorStream().close();
            final String out = new String(du.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            if (du.waitFor() != 0)
            {
                return new long[] {-1, -1, -1};
            }
            for (final String line : out.split("\n"))
            {
                final int tab = line.indexOf('\t');
                if (tab < 0)
                {
                    continue;
                }
                final long bytes = Long.parseLong(line.substring(0, tab).trim());
                final Path path = Path.of(line.substring(tab + 1));
                if (path.equals(dir))
                {
                    result[0] = bytes;
                }
                else if (path.equals(dir.resolve("journal")))
                {
                    result[1] = bytes;
                }
                else if (path.equals(dir.resolve("checkpoints")))
                {
                    result[2] = bytes;
                }
            }
            return result;
        }
        catch (final IOException | RuntimeException ex)
        {
            return new long[] {-1, -1, -1};
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new long[] {-1, -1, -1};
        }
    }

    /** The larger of each figure (a peak over several measurements). */
    public DiskUse max(final DiskUse other)
    {
        return new DiskUse(Math.max(totalBytes, other.totalBytes), Math.max(journalBytes, other.journalBytes),
            Math.max(checkpointBytes, other.checkpointBytes), Math.max(files, other.files),
            Math.max(journalFiles, other.journalFiles), Math.max(checkpointFiles, other.checkpointFiles),
            Math.max(allocated, other.allocated), Math.max(journalAllocated, other.journalAllocated),
            Math.max(checkpointAllocated, other.checkpointAllocated));
    }

    /** Allocated bytes first (what the disk holds), then file lengths (sparse cycle files look bigger). */
    public String describe()
    {
        return String.format("allocated %s (journal %s, checkpoints %s); %d files, %.1f MiB long " +
                "(journal %d files, %.1f MiB; checkpoints %d files, %.1f MiB)",
            mib(allocated), mib(journalAllocated), mib(checkpointAllocated), files, totalBytes / 1048576.0,
            journalFiles, journalBytes / 1048576.0, checkpointFiles, checkpointBytes / 1048576.0);
    }

    private static String mib(final long bytes)
    {
        return bytes < 0 ? "unknown" : String.format("%.1f MiB", bytes / 1048576.0);
    }
}
