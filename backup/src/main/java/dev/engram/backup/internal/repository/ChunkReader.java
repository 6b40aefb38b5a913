package dev.engram.backup.internal.repository;

import dev.engram.backup.internal.format.ChunkCodec;
import dev.engram.backup.internal.format.ChunkId;
import dev.engram.backup.internal.format.PackEntry;
import dev.engram.backup.internal.format.PackFormat;
import dev.engram.backup.internal.format.Sealer;
import dev.engram.backup.RepositoryCorruptionException;
import dev.engram.backup.storage.BackupStorage;

import java.io.IOException;
import java.util.zip.CRC32C;

/**
 * Reads chunks back, verified: the stored bytes' CRC32C, the decoding to exactly the raw length, and the SHA-256 of
 * the plaintext against the chunk's id. A chunk that fails is never returned.
 */
public final class ChunkReader
{
    private final BackupStorage storage;
    private final Sealer sealer;
    private final ChunkIndex index;

    public ChunkReader(final BackupStorage storage, final Sealer sealer, final ChunkIndex index)
    {
        this.storage = storage;
        this.sealer = sealer;
        this.index = index;
    }

    /**
     * The chunk's plaintext.
     *
     * @throws MissingChunkException         if no pack holds it
     * @throws RepositoryCorruptionException if its bytes fail a check
     */
    public byte[] read(final ChunkId id) throws IOException
    {
        final ChunkIndex.Location location = index.find(id);
        if (location == null)
        {
            throw new MissingChunkException(id);
        }
        final String key = PackFormat.packKey(location.packId());
        final PackEntry entry = location.entry();
        return verify(key, entry, storage.get(key, entry.offset(), entry.storedLength()), sealer);
    }

    /**
     * The plaintext of a chunk's stored bytes, checked as {@link #read} does: CRC32C, then (encrypted repository)
     * the GCM tag with the chunk id as additional data, the decoding, the SHA-256.
     */
    public static byte[] verify(final String packKey, final PackEntry entry, final byte[] stored, final Sealer sealer)
        throws RepositoryCorruptionException
    {
        final CRC32C crc = new CRC32C();
        crc.update(stored);
        if ((int)crc.getValue() != entry.storedCrc())
        {
            throw new RepositoryCorruptionException(packKey, entry.offset(), "chunk " + entry.id() +
                ": CRC32C of its stored bytes mismatch");
        }
        final byte[] plain;
        try
        {
            plain = ChunkCodec.decode(sealer.openChunk(packKey, entry.offset(), entry.id(), stored), entry.codec(),
                entry.rawLength());
        }
        catch (final IllegalArgumentException ex)
        {
            throw new RepositoryCorruptionException(packKey, entry.offset(), "chunk " + entry.id() + ": " +
                ex.getMessage());
        }
        if (!ChunkId.of(plain).equals(entry.id()))
        {
            throw new RepositoryCorruptionException(packKey, entry.offset(), "chunk " + entry.id() +
                ": SHA-256 of its plaintext differs from its id");
        }
        return plain;
    }
}
