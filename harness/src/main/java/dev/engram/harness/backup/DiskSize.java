package dev.engram.harness.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * What a directory holds: the sum of its files' lengths, and what is allocated on disk ({@code du -s -B1}; less
 * where files are sparse, as Chronicle's cycle files are).
 */
record DiskSize(long files, long apparentBytes, long allocatedBytes)
{
    static DiskSize of(final Path dir) throws IOException, InterruptedException
    {
        long count = 0;
        long apparent = 0;
        try (Stream<Path> walk = Files.walk(dir))
        {
            for (final Path file : walk.filter(Files::isRegularFile).toList())
            {
                count++;
                apparent += Files.size(file);
            }
        }
        long allocated = -1;
        final Process du = new ProcessBuilder("du", "-s", "-B1", dir.toString()).redirectErrorStream(true).start();
        final String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (du.waitFor() == 0 && !out.isEmpty())
        {
            allocated = Long.parseLong(out.split("\\s+")[0]);
        }
        return new DiskSize(count, apparent, allocated);
    }

    @Override
    public String toString()
    {
        return String.format("%,d files, %s (%s allocated)", files, BackupBenchReport.bytes(apparentBytes),
            BackupBenchReport.bytes(allocatedBytes));
    }
}
