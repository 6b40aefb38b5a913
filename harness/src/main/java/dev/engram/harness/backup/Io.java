package dev.engram.harness.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Bytes this process moved through read and write calls ({@code rchar}, {@code wchar} of {@code /proc/self/io}):
 * every thread, native ones (RocksDB) included, and the child processes it has waited for (the kernel adds a reaped
 * child's counts to its parent's), page-cache hits included. Memory-mapped reads and writes are not counted, and a
 * pipe between two processes counts on both sides (the tar + zstd steps correct for it). -1 where
 * {@code /proc/self/io} cannot be read.
 */
record Io(long read, long written)
{
    private static final Path FILE = Path.of("/proc/self/io");

    static Io now()
    {
        try
        {
            long read = -1;
            long written = -1;
            for (final String line : Files.readAllLines(FILE))
            {
                if (line.startsWith("rchar:"))
                {
                    read = Long.parseLong(line.substring(6).trim());
                }
                else if (line.startsWith("wchar:"))
                {
                    written = Long.parseLong(line.substring(6).trim());
                }
            }
            return new Io(read, written);
        }
        catch (final IOException | RuntimeException ex)
        {
            return new Io(-1, -1);
        }
    }

    /** @return what was moved since {@code before} (-1 where unknown). */
    Io since(final Io before)
    {
        return new Io(read < 0 || before.read < 0 ? -1 : read - before.read,
            written < 0 || before.written < 0 ? -1 : written - before.written);
    }
}
