package dev.engram.harness.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Bytes a directory takes: allocated on disk ({@code du -s -B1}, what sparse or preallocated files really
 * use) and apparent (the sum of file lengths).
 */
record DiskUsage(long allocatedBytes, long apparentBytes)
{
    static DiskUsage of(final Path dir) throws IOException, InterruptedException
    {
        long apparent = 0;
        try (Stream<Path> files = Files.walk(dir))
        {
            for (final Path file : files.filter(Files::isRegularFile).toList())
            {
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
        return new DiskUsage(allocated, apparent);
    }
}
