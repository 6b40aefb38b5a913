package dev.engram.replica.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * The Raft snapshot of a node: which log entry (term, index) its Engram holds every delta of, and the Engram version
 * that is (synced, with a checkpoint at or after it). The files to rebuild the Engram from are beside it
 * ({@link EngramSnapshotDir}); this small text file is the link between the log and the Engram (docs/replication.md,
 * "Snapshots"):
 * <pre>
 *   format=1
 *   term=3
 *   index=1207
 *   version=118400
 * </pre>
 */
public record SnapshotFile(long term, long index, long version)
{
    /** The format written and read. */
    public static final int FORMAT = 1;

    /**
     * Write to {@code file} atomically (a temporary file forced to disk, then renamed over it).
     */
    public void write(final Path file) throws IOException
    {
        final String text = "format=" + FORMAT + "\nterm=" + term + "\nindex=" + index + "\nversion=" + version + "\n";
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ))
        {
            dir.force(true);
        }
    }

    /**
     * @throws IOException if the file is unreadable or not a snapshot of this format (names the file and why).
     */
    public static SnapshotFile read(final Path file) throws IOException
    {
        final Properties p = new Properties();
        try (var reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII))
        {
            p.load(reader);
        }
        try
        {
            final int format = Integer.parseInt(p.getProperty("format", "-1"));
            if (format != FORMAT)
            {
                throw new IOException("replica snapshot " + file + " has format " + format + "; this build reads " + FORMAT);
            }
            return new SnapshotFile(Long.parseLong(p.getProperty("term")), Long.parseLong(p.getProperty("index")),
                Long.parseLong(p.getProperty("version")));
        }
        catch (final NumberFormatException | NullPointerException e)
        {
            throw new IOException("replica snapshot " + file + " is damaged (term, index or version missing): " + p, e);
        }
    }
}
