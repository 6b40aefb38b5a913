package dev.engram.backup.internal.format;

import java.util.ArrayList;
import java.util.List;

/**
 * One backup: its lineage, the state version it holds, and every file of the store with the chunks it is made of
 * ({@link ManifestDescriptor}).
 *
 * @param backupId      ≥ 1, increasing in the repository
 * @param parentId      the backup this one was made after (0: none)
 * @param chainPosition 0 without a parent, else the parent's + 1
 * @param stateVersion  the journal version the store held
 * @param createdMillis when it was made, epoch ms
 * @param bytesWritten  stored bytes of the packs this backup added to the repository
 * @param files         in path order
 */
public record Manifest(long backupId, long parentId, int chainPosition, long stateVersion, long createdMillis,
    long bytesWritten, List<File> files)
{
    public Manifest
    {
        files = List.copyOf(files);
    }

    /** Every chunk id in file order (the Merkle tree's leaves; repeats kept). */
    public List<ChunkId> chunkIds()
    {
        final List<ChunkId> ids = new ArrayList<>();
        for (final File file : files)
        {
            for (final ChunkRef ref : file.chunks())
            {
                ids.add(ref.id());
            }
        }
        return ids;
    }

    /** The Merkle root over {@link #chunkIds()}. */
    public byte[] merkleRoot()
    {
        return MerkleRoot.of(chunkIds());
    }

    /** Sum of the files' lengths. */
    public long rawBytes()
    {
        long sum = 0;
        for (final File file : files)
        {
            sum += file.length();
        }
        return sum;
    }

    /**
     * One file of the store.
     *
     * @param path   relative to the store directory, '/'-separated
     * @param flags  {@link ManifestDescriptor#FILE_FLAG_CHECKPOINT} or 0
     * @param length bytes
     * @param chunks in file order
     */
    public record File(String path, int flags, long length, List<ChunkRef> chunks)
    {
        public File
        {
            chunks = List.copyOf(chunks);
        }
    }

    /**
     * A piece of a file.
     *
     * @param id        the chunk
     * @param rawLength its plaintext length
     */
    public record ChunkRef(ChunkId id, int rawLength)
    {
    }
}
