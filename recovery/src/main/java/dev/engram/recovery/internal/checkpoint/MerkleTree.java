package dev.engram.recovery.internal.checkpoint;

import org.agrona.DirectBuffer;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.function.BooleanSupplier;

/**
 * The checkpoint's Merkle root: a SHA-256 tree over the block table rows.
 * <ul>
 *     <li>leaf {@code i} = SHA-256(0x00 || i as u64 LE || the 32-byte block table row {@code i});</li>
 *     <li>node = SHA-256(0x01 || left || right); a level with an odd count carries its last node up
 *     unchanged;</li>
 *     <li>the root of a file with no blocks is SHA-256 of the empty input.</li>
 * </ul>
 * Leaves cover the row (offset, lengths, CRC32C, entry count, flags) rather than the stored bytes, so the
 * root is recomputed at open from the block table alone (no data-block reads) and the data itself is
 * bound through each block's CRC32C. The prefixes keep leaves and nodes from being confused.
 */
public final class MerkleTree
{
    static final int ROOT_LENGTH = 32;
    private static final byte LEAF_PREFIX = 0x00;
    private static final byte NODE_PREFIX = 0x01;

    private MerkleTree()
    {
    }

    /**
     * @param blockTable buffer holding the rows.
     * @param tableOffset where row 0 starts.
     * @param blockCount number of rows.
     * @return the 32-byte root.
     */
    static byte[] root(final DirectBuffer blockTable, final int tableOffset, final int blockCount)
    {
        return root(blockTable, tableOffset, blockCount, () -> false);
    }

    /**
     * @param blockTable  buffer holding the rows.
     * @param tableOffset where row 0 starts.
     * @param blockCount  number of rows.
     * @param stop        asked before each row is read: true gives up (the rows may be about to be unmapped).
     * @return the 32-byte root, or null if {@code stop} said so before the last row was read.
     */
    static byte[] root(final DirectBuffer blockTable, final int tableOffset, final int blockCount, final BooleanSupplier stop)
    {
        final MessageDigest sha = sha256();
        if (blockCount == 0)
        {
            return sha.digest();
        }
        byte[][] level = new byte[blockCount][];
        final byte[] leafInput = new byte[1 + 8 + BlockTableDescriptor.ROW_LENGTH];
        leafInput[0] = LEAF_PREFIX;
        for (int i = 0; i < blockCount; i++)
        {
            if (stop.getAsBoolean())
            {
                return null;
            }
            final long index = i;
            for (int b = 0; b < 8; b++)
            {
                leafInput[1 + b] = (byte)(index >>> (8 * b));
            }
            blockTable.getBytes(tableOffset + i * BlockTableDescriptor.ROW_LENGTH, leafInput, 9, BlockTableDescriptor.ROW_LENGTH);
            level[i] = sha.digest(leafInput);
        }
        int count = blockCount;
        while (count > 1)
        {
            final int next = (count + 1) / 2;
            final byte[][] up = new byte[next][];
            for (int i = 0; i < count / 2; i++)
            {
                sha.update(NODE_PREFIX);
                sha.update(level[2 * i]);
                sha.update(level[2 * i + 1]);
                up[i] = sha.digest();
            }
            if ((count & 1) == 1)
            {
                up[next - 1] = level[count - 1];
            }
            level = up;
            count = next;
        }
        return level[0];
    }

    /**
     * Load and initialise the JDK's SHA-256 (security provider tables, ~50 ms in a cold JVM), so a later
     * {@link #root} on a thread in a hurry does not pay for it.
     */
    public static void warmUp()
    {
        sha256().digest(new byte[1]);
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }
}
