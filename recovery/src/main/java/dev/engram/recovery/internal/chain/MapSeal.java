package dev.engram.recovery.internal.chain;

import dev.engram.journal.internal.DirectoryLock;
import dev.engram.recovery.SnapshotIndexDamagedException;
import dev.engram.recovery.internal.checkpoint.CheckpointFileChecks;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static dev.engram.recovery.internal.chain.MapSealDescriptor.*;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The seal of one immutable Chronicle Map file (see {@link MapSealDescriptor}): how an accelerator map
 * is published ({@link #publish}) and how it is checked before Chronicle opens it ({@link #verify}).
 * Chronicle Map was measured to leave a cleanly closed file byte-identical across later open, read and
 * close, so a whole-file CRC32C is a sound test that nothing changed since the seal was written.
 */
public final class MapSeal
{
    final int kind;
    final long ownerId;
    final long baseId;
    final int chainOrdinal;
    final int mapFileCrc;
    final long entryCount;
    final long capacity;
    final long mapFileLength;

    MapSeal(final int kind, final long ownerId, final long baseId, final int chainOrdinal, final int mapFileCrc,
        final long entryCount, final long capacity, final long mapFileLength)
    {
        this.kind = kind;
        this.ownerId = ownerId;
        this.baseId = baseId;
        this.chainOrdinal = chainOrdinal;
        this.mapFileCrc = mapFileCrc;
        this.entryCount = entryCount;
        this.capacity = capacity;
        this.mapFileLength = mapFileLength;
    }

    /**
     * Publish a cleanly closed map written at {@code tmpMap}: force it, rename it to {@code mapFile}, then
     * write, force and rename its seal, then force the directory. A crash before the seal's rename leaves a
     * map without a seal, which is never trusted.
     */
    static MapSeal publish(final Path tmpMap, final Path mapFile, final int kind, final long ownerId, final long baseId,
        final int chainOrdinal, final long entryCount, final long capacity) throws IOException
    {
        DirectoryLock.setOwnerOnly(tmpMap, "rw-------");
        final long length = Files.size(tmpMap);
        final int crc = fileCrc(tmpMap);
        CheckpointFiles.forceFile(tmpMap);
        final Path seal = CheckpointFiles.sealOf(mapFile);
        Files.deleteIfExists(seal);
        CheckpointFiles.publish(tmpMap, mapFile);

        final MapSeal result = new MapSeal(kind, ownerId, baseId, chainOrdinal, crc, entryCount, capacity, length);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SEAL_LENGTH]);
        buffer.putBytes(MAGIC_OFFSET, MAGIC);
        buffer.putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION, LITTLE_ENDIAN);
        buffer.putInt(KIND_OFFSET, kind, LITTLE_ENDIAN);
        buffer.putLong(OWNER_ID_OFFSET, ownerId, LITTLE_ENDIAN);
        buffer.putLong(BASE_ID_OFFSET, baseId, LITTLE_ENDIAN);
        buffer.putInt(CHAIN_ORDINAL_OFFSET, chainOrdinal, LITTLE_ENDIAN);
        buffer.putInt(MAP_FILE_CRC_OFFSET, crc, LITTLE_ENDIAN);
        buffer.putLong(ENTRY_COUNT_OFFSET, entryCount, LITTLE_ENDIAN);
        buffer.putLong(CAPACITY_OFFSET, capacity, LITTLE_ENDIAN);
        buffer.putLong(MAP_FILE_LENGTH_OFFSET, length, LITTLE_ENDIAN);
        buffer.putLong(CREATED_EPOCH_MS_OFFSET, System.currentTimeMillis(), LITTLE_ENDIAN);
        buffer.putInt(SEAL_CRC_OFFSET, CheckpointFileChecks.crc32c(buffer, 0, SEAL_CRC_OFFSET), LITTLE_ENDIAN);
        final Path sealTmp = CheckpointFiles.tmpOf(seal);
        Files.deleteIfExists(sealTmp);
        try (FileChannel channel = FileChannel.open(sealTmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            DirectoryLock.setOwnerOnly(sealTmp, "rw-------");
            final ByteBuffer bytes = ByteBuffer.wrap(buffer.byteArray());
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            channel.force(true);
        }
        CheckpointFiles.publish(sealTmp, seal);
        return result;
    }

    /**
     * @param mapFile the map file.
     * @param kind    the kind it must be.
     * @return its seal, after checking the seal itself and the map file's length and CRC32C.
     * @throws SnapshotIndexDamagedException if either is missing or anything differs.
     */
    public static MapSeal verify(final Path mapFile, final int kind)
    {
        final Path sealFile = CheckpointFiles.sealOf(mapFile);
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(sealFile);
        }
        catch (final NoSuchFileException ex)
        {
            throw new SnapshotIndexDamagedException(mapFile, Files.exists(mapFile) ?
                "map file has no seal (its publication did not finish)" : "map file is missing");
        }
        catch (final IOException ex)
        {
            throw new SnapshotIndexDamagedException(sealFile, "cannot read seal: " + ex.getMessage(), ex);
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        if (bytes.length != SEAL_LENGTH || !startsWithMagic(buffer) ||
            buffer.getInt(SEAL_CRC_OFFSET, LITTLE_ENDIAN) != CheckpointFileChecks.crc32c(buffer, 0, SEAL_CRC_OFFSET))
        {
            throw new SnapshotIndexDamagedException(sealFile, "seal is damaged (length, magic or CRC32C)");
        }
        if (buffer.getInt(FORMAT_VERSION_OFFSET, LITTLE_ENDIAN) != FORMAT_VERSION || buffer.getInt(KIND_OFFSET, LITTLE_ENDIAN) != kind)
        {
            throw new SnapshotIndexDamagedException(sealFile, "seal is of another version or kind: version=" +
                buffer.getInt(FORMAT_VERSION_OFFSET, LITTLE_ENDIAN) + " kind=" + buffer.getInt(KIND_OFFSET, LITTLE_ENDIAN));
        }
        final MapSeal seal = new MapSeal(kind,
            buffer.getLong(OWNER_ID_OFFSET, LITTLE_ENDIAN),
            buffer.getLong(BASE_ID_OFFSET, LITTLE_ENDIAN),
            buffer.getInt(CHAIN_ORDINAL_OFFSET, LITTLE_ENDIAN),
            buffer.getInt(MAP_FILE_CRC_OFFSET, LITTLE_ENDIAN),
            buffer.getLong(ENTRY_COUNT_OFFSET, LITTLE_ENDIAN),
            buffer.getLong(CAPACITY_OFFSET, LITTLE_ENDIAN),
            buffer.getLong(MAP_FILE_LENGTH_OFFSET, LITTLE_ENDIAN));
        try
        {
            final long length = Files.size(mapFile);
            if (length != seal.mapFileLength)
            {
                throw new SnapshotIndexDamagedException(mapFile, "map file length " + length + " differs from its seal's " +
                    seal.mapFileLength + " (truncated or replaced)");
            }
            final int crc = fileCrc(mapFile);
            if (crc != seal.mapFileCrc)
            {
                throw new SnapshotIndexDamagedException(mapFile, "map file CRC32C 0x" + Integer.toHexString(crc) +
                    " differs from its seal's 0x" + Integer.toHexString(seal.mapFileCrc) + " (damaged, or written after it was sealed)");
            }
        }
        catch (final NoSuchFileException ex)
        {
            throw new SnapshotIndexDamagedException(mapFile, "map file is missing (its seal is present)");
        }
        catch (final IOException ex)
        {
            throw new SnapshotIndexDamagedException(mapFile, "cannot read map file: " + ex.getMessage(), ex);
        }
        return seal;
    }

    private static boolean startsWithMagic(final UnsafeBuffer buffer)
    {
        for (int i = 0; i < MAGIC.length; i++)
        {
            if (buffer.getByte(MAGIC_OFFSET + i) != MAGIC[i])
            {
                return false;
            }
        }
        return true;
    }

    static int fileCrc(final Path file) throws IOException
    {
        final CRC32C crc = new CRC32C();
        final ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            while (channel.read(chunk) >= 0)
            {
                chunk.flip();
                crc.update(chunk);
                chunk.clear();
            }
        }
        finally
        {
            org.agrona.BufferUtil.free(chunk);
        }
        return (int)crc.getValue();
    }

    /**
     * Remove a map file and its seal, seal first (so a crash in between leaves an unsealed map, not a
     * sealed missing one).
     */
    public static void delete(final Path mapFile) throws IOException
    {
        Files.deleteIfExists(CheckpointFiles.sealOf(mapFile));
        Files.deleteIfExists(mapFile);
    }
}
