package dev.engram.recovery.internal.procedure;

import dev.engram.journal.internal.DirectoryLock;
import dev.engram.recovery.RecoveryException;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import dev.engram.recovery.internal.checkpoint.Fsync;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The clean-shutdown record ({@code <state dir>/clean-shutdown}): present only between a clean close and the next
 * open, it carries the journal's last written version at that close, so an open that finds the journal ending
 * earlier reports a loss (docs/recovery.md). Little-endian, 24 bytes:
 * <pre>
 *   0   8  magic "ENGRMCSR"
 *   8   4  format version (u32, = 1)
 *  12   8  last written version (u64)
 *  20   4  CRC32C of bytes [0, 20)
 * </pre>
 * An empty file is the marker written before the record carried a version: a clean shutdown, version not known.
 * A record that fails its check counts the same way (a clean shutdown whose version cannot be trusted).
 */
public final class CleanShutdownRecord
{
    public static final String FILE_NAME = "clean-shutdown";
    static final byte[] MAGIC = "ENGRMCSR".getBytes(StandardCharsets.US_ASCII);
    static final int FORMAT_VERSION = 1;
    static final int FORMAT_VERSION_OFFSET = 8;
    static final int LAST_VERSION_OFFSET = 12;
    static final int CRC_OFFSET = 20;
    static final int LENGTH = 24;

    /** No record: the previous process did not close cleanly (or the store is new). */
    static final CleanShutdownRecord NONE = new CleanShutdownRecord(false, -1);

    private final boolean clean;
    private final long lastWrittenVersion;

    private CleanShutdownRecord(final boolean clean, final long lastWrittenVersion)
    {
        this.clean = clean;
        this.lastWrittenVersion = lastWrittenVersion;
    }

    /**
     * @return whether the previous process closed the store cleanly.
     */
    public boolean clean()
    {
        return clean;
    }

    /**
     * @return the journal's last written version at that close, or -1 if not known (no record, or an old marker).
     */
    public long lastWrittenVersion()
    {
        return lastWrittenVersion;
    }

    /**
     * Read the record, leaving it in place ({@link #remove} once the open has succeeded).
     */
    public static CleanShutdownRecord read(final Path directory)
    {
        final Path file = directory.resolve(FILE_NAME);
        final byte[] bytes;
        try
        {
            if (Files.size(file) > LENGTH)
            {
                return new CleanShutdownRecord(true, -1);
            }
            bytes = Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            return NONE;
        }
        catch (final IOException ex)
        {
            throw new RecoveryException("cannot read the clean-shutdown record=" + file + ": " + ex.getMessage() +
                "; check the state directory's permissions", ex);
        }
        return decode(bytes);
    }

    static CleanShutdownRecord decode(final byte[] bytes)
    {
        if (bytes.length != LENGTH || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length))
        {
            return new CleanShutdownRecord(true, -1);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final long version = buffer.getLong(LAST_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
        if (buffer.getInt(CRC_OFFSET, ByteOrder.LITTLE_ENDIAN) != crc(bytes) ||
            buffer.getInt(FORMAT_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN) != FORMAT_VERSION || version < 0)
        {
            return new CleanShutdownRecord(true, -1);
        }
        return new CleanShutdownRecord(true, version);
    }

    static byte[] encode(final long lastWrittenVersion)
    {
        final byte[] bytes = new byte[LENGTH];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        buffer.putBytes(0, MAGIC);
        buffer.putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(LAST_VERSION_OFFSET, lastWrittenVersion, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(CRC_OFFSET, crc(bytes), ByteOrder.LITTLE_ENDIAN);
        return bytes;
    }

    /**
     * Write the record durably (temp file, fsync, rename, fsync of the directory).
     */
    static void write(final Path directory, final long lastWrittenVersion)
    {
        final Path file = directory.resolve(FILE_NAME);
        final Path tmp = directory.resolve(FILE_NAME + CheckpointFiles.TMP_SUFFIX);
        try
        {
            Files.write(tmp, encode(lastWrittenVersion));
            DirectoryLock.setOwnerOnly(tmp, "rw-------");
            Fsync.file(tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Fsync.directory(directory);
        }
        catch (final IOException ex)
        {
            throw new RecoveryException("cannot write the clean-shutdown record=" + file + ": " + ex.getMessage() +
                " (the next open will report a crash, which is harmless)", ex);
        }
    }

    /**
     * Remove the record (fsync'd), so that the next crash is detected as one.
     */
    static void remove(final Path directory)
    {
        final Path file = directory.resolve(FILE_NAME);
        try
        {
            if (Files.deleteIfExists(file))
            {
                Fsync.directory(directory);
            }
        }
        catch (final IOException ex)
        {
            throw new RecoveryException("cannot remove the clean-shutdown record=" + file + ": " + ex.getMessage() +
                "; check the state directory's permissions", ex);
        }
    }

    private static int crc(final byte[] bytes)
    {
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, CRC_OFFSET);
        return (int)crc.getValue();
    }
}
