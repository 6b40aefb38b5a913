package dev.engram.recovery.internal.chain;

import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.internal.checkpoint.CheckpointFileChecks;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

import static dev.engram.recovery.internal.chain.CatalogRecordDescriptor.*;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * One checkpoint as the catalog lists it. Immutable. Encoded as {@link CatalogRecordDescriptor} says.
 */
public final class CatalogRecord
{
    private final long checkpointId;
    private final boolean delta;
    private final long stateVersion;
    private final long journalResumeVersion;
    private final String fileName;
    private final long fileLength;
    private final byte[] merkleRoot;
    private final long parentId;
    private final long baseId;
    private final int chainOrdinal;
    private final long createdEpochMs;

    CatalogRecord(final long checkpointId, final boolean delta, final long stateVersion, final long journalResumeVersion,
        final String fileName, final long fileLength, final byte[] merkleRoot, final long parentId, final long baseId,
        final int chainOrdinal, final long createdEpochMs)
    {
        this.checkpointId = checkpointId;
        this.delta = delta;
        this.stateVersion = stateVersion;
        this.journalResumeVersion = journalResumeVersion;
        this.fileName = fileName;
        this.fileLength = fileLength;
        this.merkleRoot = merkleRoot.clone();
        this.parentId = parentId;
        this.baseId = baseId;
        this.chainOrdinal = chainOrdinal;
        this.createdEpochMs = createdEpochMs;
    }

    /**
     * @param info a published checkpoint.
     * @return its catalog record.
     */
    public static CatalogRecord of(final CheckpointInfo info)
    {
        return new CatalogRecord(info.checkpointId(), info.isDelta(), info.stateVersion(), info.journalResumeVersion(),
            info.path().getFileName().toString(), info.fileLength(), info.merkleRoot(), info.parentId(), info.baseId(),
            info.chainOrdinal(), info.createdEpochMs());
    }

    byte[] encode()
    {
        final byte[] name = fileName.getBytes(StandardCharsets.UTF_8);
        final int length = recordLength(name.length);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
        buffer.putByte(RECORD_VERSION_OFFSET, (byte)RECORD_VERSION);
        buffer.putByte(KIND_OFFSET, (byte)(delta ? KIND_DELTA : KIND_FULL));
        buffer.putShort(FILE_NAME_LENGTH_OFFSET, (short)name.length, LITTLE_ENDIAN);
        buffer.putInt(CHAIN_ORDINAL_OFFSET, chainOrdinal, LITTLE_ENDIAN);
        buffer.putLong(CHECKPOINT_ID_OFFSET, checkpointId, LITTLE_ENDIAN);
        buffer.putLong(STATE_VERSION_OFFSET, stateVersion, LITTLE_ENDIAN);
        buffer.putLong(JOURNAL_RESUME_VERSION_OFFSET, journalResumeVersion, LITTLE_ENDIAN);
        buffer.putLong(PARENT_ID_OFFSET, parentId, LITTLE_ENDIAN);
        buffer.putLong(BASE_ID_OFFSET, baseId, LITTLE_ENDIAN);
        buffer.putLong(FILE_LENGTH_OFFSET, fileLength, LITTLE_ENDIAN);
        buffer.putLong(CREATED_EPOCH_MS_OFFSET, createdEpochMs, LITTLE_ENDIAN);
        buffer.putBytes(MERKLE_ROOT_OFFSET, merkleRoot);
        buffer.putBytes(FILE_NAME_OFFSET, name);
        final int crcOffset = FILE_NAME_OFFSET + name.length;
        buffer.putInt(crcOffset, CheckpointFileChecks.crc32c(buffer, 0, crcOffset), LITTLE_ENDIAN);
        return buffer.byteArray();
    }

    /**
     * @return the record, or null if the bytes fail their length, version or CRC check.
     */
    static CatalogRecord decode(final byte[] bytes)
    {
        if (bytes == null || bytes.length < recordLength(0))
        {
            return null;
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final int nameLength = buffer.getShort(FILE_NAME_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        if (bytes.length != recordLength(nameLength) || buffer.getByte(RECORD_VERSION_OFFSET) != RECORD_VERSION)
        {
            return null;
        }
        final int crcOffset = FILE_NAME_OFFSET + nameLength;
        if (buffer.getInt(crcOffset, LITTLE_ENDIAN) != CheckpointFileChecks.crc32c(buffer, 0, crcOffset))
        {
            return null;
        }
        final byte[] root = new byte[32];
        buffer.getBytes(MERKLE_ROOT_OFFSET, root);
        return new CatalogRecord(
            buffer.getLong(CHECKPOINT_ID_OFFSET, LITTLE_ENDIAN),
            buffer.getByte(KIND_OFFSET) == KIND_DELTA,
            buffer.getLong(STATE_VERSION_OFFSET, LITTLE_ENDIAN),
            buffer.getLong(JOURNAL_RESUME_VERSION_OFFSET, LITTLE_ENDIAN),
            new String(bytes, FILE_NAME_OFFSET, nameLength, StandardCharsets.UTF_8),
            buffer.getLong(FILE_LENGTH_OFFSET, LITTLE_ENDIAN),
            root,
            buffer.getLong(PARENT_ID_OFFSET, LITTLE_ENDIAN),
            buffer.getLong(BASE_ID_OFFSET, LITTLE_ENDIAN),
            buffer.getInt(CHAIN_ORDINAL_OFFSET, LITTLE_ENDIAN),
            buffer.getLong(CREATED_EPOCH_MS_OFFSET, LITTLE_ENDIAN));
    }

    public long checkpointId()
    {
        return checkpointId;
    }

    public boolean isDelta()
    {
        return delta;
    }

    public long stateVersion()
    {
        return stateVersion;
    }

    public long journalResumeVersion()
    {
        return journalResumeVersion;
    }

    public String fileName()
    {
        return fileName;
    }

    public long fileLength()
    {
        return fileLength;
    }

    public byte[] merkleRoot()
    {
        return merkleRoot.clone();
    }

    public long parentId()
    {
        return parentId;
    }

    public long baseId()
    {
        return baseId;
    }

    public int chainOrdinal()
    {
        return chainOrdinal;
    }

    public long createdEpochMs()
    {
        return createdEpochMs;
    }

    /**
     * @param info a checkpoint file's header and footer.
     * @return true if this record describes exactly that file.
     */
    public boolean describes(final CheckpointInfo info)
    {
        return equals(of(info));
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof CatalogRecord))
        {
            return false;
        }
        final CatalogRecord that = (CatalogRecord)o;
        return checkpointId == that.checkpointId && delta == that.delta && stateVersion == that.stateVersion &&
            journalResumeVersion == that.journalResumeVersion && fileLength == that.fileLength &&
            parentId == that.parentId && baseId == that.baseId && chainOrdinal == that.chainOrdinal &&
            createdEpochMs == that.createdEpochMs && fileName.equals(that.fileName) && Arrays.equals(merkleRoot, that.merkleRoot);
    }

    @Override
    public int hashCode()
    {
        return Long.hashCode(checkpointId) * 31 + Arrays.hashCode(merkleRoot);
    }

    @Override
    public String toString()
    {
        return "CatalogRecord{id=" + checkpointId + (delta ? " delta" : " full") + " stateVersion=" + stateVersion +
            " resume=" + journalResumeVersion + " file=" + fileName + " length=" + fileLength + " parent=" + parentId +
            " base=" + baseId + " ordinal=" + chainOrdinal + " merkle=" + HexFormat.of().formatHex(merkleRoot) + "}";
    }
}
