package dev.engram.backup.internal.format;

import dev.engram.backup.RepositoryCorruptionException;

/**
 * How the pieces of a repository's objects are stored: as they are ({@link #PLAIN}, an unencrypted repository), or
 * sealed with AES-256-GCM under the repository's master key ({@link SealedDescriptor}: a fresh nonce each, the
 * additional data naming what the piece is). Opening checks the tag: a sealed piece that was changed, cut short, or
 * is not the piece asked for (renamed, swapped) is a {@link RepositoryCorruptionException} naming the object.
 */
public interface Sealer
{
    /** An unencrypted repository: every piece stored as it is. */
    Sealer PLAIN = new Sealer()
    {
        @Override
        public boolean encrypted()
        {
            return false;
        }

        @Override
        public byte[] sealChunk(final ChunkId id, final byte[] stored)
        {
            return stored;
        }

        @Override
        public byte[] openChunk(final String packKey, final long offset, final ChunkId id, final byte[] sealed)
        {
            return sealed;
        }

        @Override
        public byte[] sealTable(final int count, final byte[] rows)
        {
            return rows;
        }

        @Override
        public byte[] openTable(final String packKey, final long offset, final int count, final byte[] sealed)
        {
            return sealed;
        }

        @Override
        public byte[] sealObject(final String key, final byte[] plain)
        {
            return plain;
        }

        @Override
        public byte[] openObject(final String key, final byte[] stored)
        {
            return stored;
        }
    };

    /** Whether pieces are encrypted. */
    boolean encrypted();

    /** Bytes sealing adds to a chunk or a pack table: nonce and tag, or 0. */
    default int overhead()
    {
        return encrypted() ? SealedDescriptor.NONCE_LENGTH + SealedDescriptor.TAG_LENGTH : 0;
    }

    /** A chunk's stored bytes (its codec's output) as they go into a pack. */
    byte[] sealChunk(ChunkId id, byte[] stored);

    /** A chunk's codec output from what its pack holds at {@code offset}. */
    byte[] openChunk(String packKey, long offset, ChunkId id, byte[] sealed) throws RepositoryCorruptionException;

    /** A pack's table rows as they go into the pack. */
    byte[] sealTable(int count, byte[] rows);

    /** A pack's table rows from what the pack holds at {@code offset}. */
    byte[] openTable(String packKey, long offset, int count, byte[] sealed) throws RepositoryCorruptionException;

    /** A whole object (manifest, index object) as it is stored under {@code key}. */
    byte[] sealObject(String key, byte[] plain);

    /** A whole object's plaintext from what is stored under {@code key}. */
    byte[] openObject(String key, byte[] stored) throws RepositoryCorruptionException;
}
