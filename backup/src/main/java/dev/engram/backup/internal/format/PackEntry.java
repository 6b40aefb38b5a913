package dev.engram.backup.internal.format;

/**
 * Where a chunk lies in a pack: one row of the pack's table and of its index object ({@link PackDescriptor}).
 *
 * @param id           the chunk's id (SHA-256 of its plaintext)
 * @param offset       offset of its first stored byte in the pack
 * @param storedLength stored bytes
 * @param rawLength    plaintext bytes
 * @param codec        {@link ChunkCodec#NONE} or {@link ChunkCodec#ZSTD}
 * @param storedCrc    CRC32C of the stored bytes
 */
public record PackEntry(ChunkId id, long offset, int storedLength, int rawLength, int codec, int storedCrc)
{
}
