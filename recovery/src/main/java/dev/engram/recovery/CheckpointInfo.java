package dev.engram.recovery;

import dev.engram.recovery.internal.checkpoint.CheckpointEntryDescriptor;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * What a published checkpoint file holds, read from its header and footer. Immutable.
 */
public final class CheckpointInfo
{
    private final Path path;
    private final long checkpointId;
    private final long parentId;
    private final long baseId;
    private final int chainOrdinal;
    private final long stateVersion;
    private final long parentStateVersion;
    private final long journalResumeVersion;
    private final long fileLength;
    private final long entryCount;
    private final long tombstoneCount;
    private final long blockCount;
    private final long rawKeyBytes;
    private final long rawValueBytes;
    private final long storedBlockBytes;
    private final byte[] merkleRoot;
    private final CheckpointCompression compression;
    private final long createdEpochMs;
    private final int journalHintCycle;
    private final long journalHintPosition;
    private final int tagCount;

    public CheckpointInfo(
        final Path path,
        final long checkpointId,
        final long parentId,
        final long baseId,
        final int chainOrdinal,
        final long stateVersion,
        final long parentStateVersion,
        final long journalResumeVersion,
        final long fileLength,
        final long entryCount,
        final long tombstoneCount,
        final long blockCount,
        final long rawKeyBytes,
        final long rawValueBytes,
        final long storedBlockBytes,
        final byte[] merkleRoot,
        final CheckpointCompression compression,
        final long createdEpochMs,
        final int journalHintCycle,
        final long journalHintPosition,
        final int tagCount)
    {
        this.path = path;
        this.checkpointId = checkpointId;
        this.parentId = parentId;
        this.baseId = baseId;
        this.chainOrdinal = chainOrdinal;
        this.stateVersion = stateVersion;
        this.parentStateVersion = parentStateVersion;
        this.journalResumeVersion = journalResumeVersion;
        this.fileLength = fileLength;
        this.entryCount = entryCount;
        this.tombstoneCount = tombstoneCount;
        this.blockCount = blockCount;
        this.rawKeyBytes = rawKeyBytes;
        this.rawValueBytes = rawValueBytes;
        this.storedBlockBytes = storedBlockBytes;
        this.merkleRoot = merkleRoot.clone();
        this.compression = compression;
        this.createdEpochMs = createdEpochMs;
        this.journalHintCycle = journalHintCycle;
        this.journalHintPosition = journalHintPosition;
        this.tagCount = tagCount;
    }

    public Path path()
    {
        return path;
    }

    public long checkpointId()
    {
        return checkpointId;
    }

    /**
     * @return the parent's id, 0 for a full checkpoint.
     */
    public long parentId()
    {
        return parentId;
    }

    /**
     * @return the id of the full checkpoint at the bottom of this one's chain (its own id for a full).
     */
    public long baseId()
    {
        return baseId;
    }

    /**
     * @return 0 for a full, k for the k-th delta on top of it.
     */
    public int chainOrdinal()
    {
        return chainOrdinal;
    }

    public boolean isDelta()
    {
        return parentId != 0;
    }

    /**
     * @return the journal version whose state this checkpoint (with its chain) holds.
     */
    public long stateVersion()
    {
        return stateVersion;
    }

    public long parentStateVersion()
    {
        return parentStateVersion;
    }

    /**
     * @return the first journal version to replay on top of this checkpoint ({@code stateVersion + 1}).
     */
    public long journalResumeVersion()
    {
        return journalResumeVersion;
    }

    /**
     * @return the journal cycle holding the frame of {@link #stateVersion()} (see {@link #journalHintPosition()}).
     */
    public int journalHintCycle()
    {
        return journalHintCycle;
    }

    /**
     * @return where in its cycle file the body of the frame of {@link #stateVersion()} was written, or 0 if
     *         the file has no journal hint.
     */
    public long journalHintPosition()
    {
        return journalHintPosition;
    }

    /**
     * @return version tags the store held when this file was written (0 in files written before the count existed).
     */
    public int tagCount()
    {
        return tagCount;
    }

    public long fileLength()
    {
        return fileLength;
    }

    /**
     * @return entries in this file: puts plus tombstones.
     */
    public long entryCount()
    {
        return entryCount;
    }

    public long tombstoneCount()
    {
        return tombstoneCount;
    }

    /**
     * @return entries that carry a value ({@code entryCount - tombstoneCount}).
     */
    public long putCount()
    {
        return entryCount - tombstoneCount;
    }

    public long blockCount()
    {
        return blockCount;
    }

    public long rawKeyBytes()
    {
        return rawKeyBytes;
    }

    public long rawValueBytes()
    {
        return rawValueBytes;
    }

    /**
     * @return raw bytes of all blocks (entry headers, keys, values).
     */
    public long rawBlockBytes()
    {
        return entryCount * CheckpointEntryDescriptor.ENTRY_HEADER_LENGTH + rawKeyBytes + rawValueBytes;
    }

    /**
     * @return bytes the blocks take in the file.
     */
    public long storedBlockBytes()
    {
        return storedBlockBytes;
    }

    /**
     * @return raw block bytes / stored block bytes (1.0 for an uncompressed or empty file).
     */
    public double compressionRatio()
    {
        return storedBlockBytes == 0 ? 1.0 : (double)rawBlockBytes() / storedBlockBytes;
    }

    /**
     * @return a copy of the 32-byte Merkle root.
     */
    public byte[] merkleRoot()
    {
        return merkleRoot.clone();
    }

    public String merkleRootHex()
    {
        return HexFormat.of().formatHex(merkleRoot);
    }

    public CheckpointCompression compression()
    {
        return compression;
    }

    public long createdEpochMs()
    {
        return createdEpochMs;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof CheckpointInfo))
        {
            return false;
        }
        final CheckpointInfo that = (CheckpointInfo)o;
        return checkpointId == that.checkpointId && fileLength == that.fileLength &&
            stateVersion == that.stateVersion && Arrays.equals(merkleRoot, that.merkleRoot) &&
            path.equals(that.path);
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(checkpointId) * 31 + Arrays.hashCode(merkleRoot);
    }

    @Override
    public String toString()
    {
        return "CheckpointInfo{id=" + checkpointId + " parent=" + parentId + " base=" + baseId +
            " ordinal=" + chainOrdinal + " stateVersion=" + stateVersion + " resume=" + journalResumeVersion +
            " entries=" + entryCount + " tombstones=" + tombstoneCount + " blocks=" + blockCount +
            " fileLength=" + fileLength + " compression=" + compression +
            String.format(" ratio=%.2f", compressionRatio()) + " merkle=" + merkleRootHex() + " path=" + path + "}";
    }
}
