package dev.engram.backup.internal.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The state version a closed store holds, read from its files per their documented formats: the clean-shutdown
 * record's last written version (docs/recovery.md: 24 bytes, magic {@code ENGRMCSR}, u32 format 1 at 8, u64 version
 * at 12, CRC32C of [0, 20) at 20); without a readable record (a store that crashed), the newest checkpoint's state
 * version (header offset 48, docs/checkpoint-format.md), a lower bound: the journal after it is backed up too and
 * replayed by the open after a restore.
 */
public final class StateVersions
{
    private StateVersions()
    {
    }

    /** The version, or 0 if neither source reads. */
    public static long of(final Path directory, final List<String> files) throws IOException
    {
        final Path record = directory.resolve("clean-shutdown");
        if (Files.isRegularFile(record) && Files.size(record) == 24)
        {
            final ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(record)).order(ByteOrder.LITTLE_ENDIAN);
            final CRC32C crc = new CRC32C();
            crc.update(b.array(), 0, 20);
            if (new String(b.array(), 0, 8, java.nio.charset.StandardCharsets.US_ASCII).equals("ENGRMCSR") &&
                b.getInt(8) == 1 && b.getInt(20) == (int)crc.getValue())
            {
                return b.getLong(12);
            }
        }
        long newest = 0;
        for (final String file : files)
        {
            if (FileChunker.isCheckpoint(file) && Files.size(directory.resolve(file)) >= 128)
            {
                try (var channel = java.nio.channels.FileChannel.open(directory.resolve(file)))
                {
                    final ByteBuffer header = ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN);
                    channel.read(header, 0);
                    newest = Math.max(newest, header.getLong(48));
                }
            }
        }
        return newest;
    }
}
