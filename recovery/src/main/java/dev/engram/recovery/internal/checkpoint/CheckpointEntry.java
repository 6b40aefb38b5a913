package dev.engram.recovery.internal.checkpoint;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Flyweight over one entry of a mapped checkpoint, re-pointed by {@link MappedCheckpoint#forEachEntry}
 * and {@link MappedCheckpoint#readEntry}. The key and value views point into the mapped file (or the
 * block's decompressed copy): zero-copy, valid while the checkpoint is open, never to be written.
 * One instance per thread.
 */
public final class CheckpointEntry
{
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[0]);
    private boolean tombstone;
    private boolean quarantined;
    private int blockIndex;
    private int offsetInBlock;
    /** A paged value not assembled yet: the file holding its map (null once assembled, or for any other entry). */
    private MappedCheckpoint pagedOwner;
    private long mapAddress;
    private int mapLength;
    private int pagedValueLength;

    /**
     * Point at a paged value: it is assembled from its pages only if {@link #value()} is asked for.
     */
    void setPaged(final long keyAddress, final int keyLength, final MappedCheckpoint owner, final long mapAddress,
        final int mapLength, final int valueLength, final int blockIndex, final int offsetInBlock)
    {
        set(keyAddress, keyLength, 0, mapAddress, 0, blockIndex, offsetInBlock);
        this.pagedOwner = owner;
        this.mapAddress = mapAddress;
        this.mapLength = mapLength;
        this.pagedValueLength = valueLength;
    }

    void set(final long keyAddress, final int keyLength, final int flags,
        final long valueAddress, final int valueLength, final int blockIndex, final int offsetInBlock)
    {
        pagedOwner = null;
        key.wrap(keyAddress, keyLength);
        value.wrap(valueAddress, valueLength);
        this.tombstone = (flags & CheckpointEntryDescriptor.FLAG_TOMBSTONE) != 0;
        this.quarantined = (flags & CheckpointEntryDescriptor.FLAG_QUARANTINED) != 0;
        this.blockIndex = blockIndex;
        this.offsetInBlock = offsetInBlock;
    }

    /**
     * @return the key's UTF-8 bytes, {@code [0, keyLength())}.
     */
    public DirectBuffer key()
    {
        return key;
    }

    public int keyLength()
    {
        return key.capacity();
    }

    /**
     * @return the key decoded (allocates).
     */
    public String keyString()
    {
        final byte[] bytes = new byte[key.capacity()];
        key.getBytes(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * @return true if this entry records the key's removal (no value).
     */
    public boolean isTombstone()
    {
        return tombstone;
    }

    /**
     * @return true if the key is quarantined ({@link CheckpointEntryDescriptor#FLAG_QUARANTINED}): its value is
     * unknown and {@link #value()} holds the reason, never to be served as the key's value.
     */
    public boolean isQuarantined()
    {
        return quarantined;
    }

    /**
     * @return true if the entry holds the key's value (neither a tombstone nor quarantined).
     */
    public boolean isLive()
    {
        return !tombstone && !quarantined;
    }

    /**
     * @return the value bytes, {@code [0, valueLength())}; empty for a tombstone.
     */
    public DirectBuffer value()
    {
        final MappedCheckpoint owner = pagedOwner;
        if (owner != null)
        {
            final java.nio.ByteBuffer assembled = owner.assemble(
                InFileIndexDescriptor.location(blockIndex, offsetInBlock), mapAddress, mapLength);
            value.wrap(org.agrona.BufferUtil.address(assembled), assembled.capacity());
            pagedOwner = null;
        }
        return value;
    }

    public int valueLength()
    {
        return pagedOwner != null ? pagedValueLength : value.capacity();
    }

    public int blockIndex()
    {
        return blockIndex;
    }

    /**
     * @return where the entry starts inside its raw block.
     */
    public int offsetInBlock()
    {
        return offsetInBlock;
    }

    /**
     * @param other     holding a UTF-8 key.
     * @param offset    its first byte.
     * @param length    its length.
     * @return true if this entry's key is exactly those bytes.
     */
    public boolean keyEquals(final DirectBuffer other, final int offset, final int length)
    {
        if (length != key.capacity())
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (key.getByte(i) != other.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }
}
