package dev.engram.backup.internal.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.List;

/**
 * The Merkle root of a backup: a SHA-256 tree over its chunk ids in manifest order (the same tree shape as a
 * checkpoint's root, docs/checkpoint-format.md):
 * <pre>
 *   leaf i = SHA-256(0x00 ‖ i as u64 LE ‖ chunk id i)
 *   node   = SHA-256(0x01 ‖ left ‖ right)
 *   a level with an odd count carries its last node up unchanged
 *   no chunks: SHA-256 of the empty input
 * </pre>
 * Since a chunk id is the SHA-256 of the chunk's plaintext, the root commits to every byte of the backup.
 */
public final class MerkleRoot
{
    private MerkleRoot()
    {
    }

    /** The root over the ids, in order. */
    public static byte[] of(final List<ChunkId> ids)
    {
        final MessageDigest digest = ChunkId.sha256();
        if (ids.isEmpty())
        {
            return digest.digest();
        }
        byte[][] level = new byte[ids.size()][];
        final ByteBuffer index = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < level.length; i++)
        {
            digest.update((byte)0);
            digest.update(index.putLong(0, i).array());
            digest.update(ids.get(i).bytes());
            level[i] = digest.digest();
        }
        while (level.length > 1)
        {
            final byte[][] up = new byte[(level.length + 1) / 2][];
            for (int i = 0; i < level.length / 2; i++)
            {
                digest.update((byte)1);
                digest.update(level[2 * i]);
                digest.update(level[2 * i + 1]);
                up[i] = digest.digest();
            }
            if ((level.length & 1) == 1)
            {
                up[up.length - 1] = level[level.length - 1];
            }
            level = up;
        }
        return level[0];
    }
}
