package dev.engram.harness.recovery;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The naive baseline's file (the recovery bench's and the peers bench's zstd snapshot): the whole map, zstd
 * level 3, written to a temp file, fsynced, renamed over the previous one, directory fsynced. Stream: {@code MAGIC (long), version (long), count (int), then count x
 * [keyLength (short), key UTF-8, valueLength (int), value]}.
 */
public final class SnapshotFile
{
    public static final String NAME = "state.zst";
    private static final long MAGIC = 0x454E4752414D5053L;
    private static final int ZSTD_LEVEL = 3;
    private static final int BUFFER_LENGTH = 1 << 20;

    /** A loaded snapshot. */
    public record Loaded(long version, Map<String, byte[]> state)
    {
    }

    private SnapshotFile()
    {
    }

    /**
     * @param file where the snapshot is published (its directory must exist).
     * @return bytes of the published file.
     */
    public static long save(final Path file, final Map<String, byte[]> state, final long version) throws IOException
    {
        final Path dir = file.toAbsolutePath().getParent();
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileOutputStream fileOut = new FileOutputStream(tmp.toFile());
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                new ZstdOutputStream(new BufferedOutputStream(fileOut, BUFFER_LENGTH), ZSTD_LEVEL), BUFFER_LENGTH)))
        {
            out.writeLong(MAGIC);
            out.writeLong(version);
            out.writeInt(state.size());
            for (final Map.Entry<String, byte[]> entry : state.entrySet())
            {
                final byte[] keyBytes = entry.getKey().getBytes(StandardCharsets.UTF_8);
                out.writeShort(keyBytes.length);
                out.write(keyBytes);
                out.writeInt(entry.getValue().length);
                out.write(entry.getValue());
            }
            out.flush();
            fileOut.getChannel().force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dirChannel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            dirChannel.force(true);
        }
        return Files.size(file);
    }

    /** @return the published snapshot, or version 0 and an empty state if none was published. */
    public static Loaded load(final Path file) throws IOException
    {
        if (!Files.exists(file))
        {
            return new Loaded(0, new HashMap<>());
        }
        try (InputStream fileIn = Files.newInputStream(file);
            DataInputStream in = new DataInputStream(new BufferedInputStream(
                new ZstdInputStream(new BufferedInputStream(fileIn, BUFFER_LENGTH)), BUFFER_LENGTH)))
        {
            if (in.readLong() != MAGIC)
            {
                throw new IOException("not a snapshot file (bad magic): " + file);
            }
            final long version = in.readLong();
            final int count = in.readInt();
            final Map<String, byte[]> state = new HashMap<>(count * 4 / 3 + 1);
            final byte[] keyBytes = new byte[Short.MAX_VALUE];
            for (int i = 0; i < count; i++)
            {
                final int keyLength = in.readShort();
                in.readFully(keyBytes, 0, keyLength);
                final byte[] value = new byte[in.readInt()];
                in.readFully(value);
                state.put(new String(keyBytes, 0, keyLength, StandardCharsets.UTF_8), value);
            }
            return new Loaded(version, state);
        }
    }
}
