package dev.engram.journal;

import dev.engram.journal.internal.DirectoryLock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A small file as it was (its bytes, or that it was absent), to put back after a failed open: Chronicle writes its
 * {@code metadata.cq4t} (128 KiB) as a queue opens, before the journal knows whether the open will succeed.
 */
final class SmallFileCopy
{
    private static final long LIMIT = 4L << 20;

    private final Path file;
    private final byte[] bytes;   // null: absent (or too large to keep: then left alone)
    private final boolean kept;

    SmallFileCopy(final Path file)
    {
        this.file = file;
        byte[] read = null;
        boolean ok = true;
        try
        {
            if (Files.exists(file))
            {
                if (Files.size(file) <= LIMIT)
                {
                    read = Files.readAllBytes(file);
                }
                else
                {
                    ok = false;
                }
            }
        }
        catch (final IOException ex)
        {
            ok = false;
        }
        this.bytes = read;
        this.kept = ok;
    }

    /**
     * Put the file back as it was (written whole to a temp file, then renamed over it). Failures are added to
     * {@code failure}.
     */
    void restore(final Throwable failure)
    {
        if (!kept)
        {
            return;
        }
        try
        {
            if (bytes == null)
            {
                Files.deleteIfExists(file);
                return;
            }
            if (Files.exists(file) && java.util.Arrays.equals(bytes, Files.readAllBytes(file)))
            {
                return;
            }
            final Path tmp = file.resolveSibling(file.getFileName() + ".restore.tmp");
            Files.write(tmp, bytes);
            DirectoryLock.setOwnerOnly(tmp, "rw-------");
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException | RuntimeException ex)
        {
            failure.addSuppressed(ex);
        }
    }
}
