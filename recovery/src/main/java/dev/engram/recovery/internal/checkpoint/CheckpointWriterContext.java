package dev.engram.recovery.internal.checkpoint;

import dev.engram.recovery.CheckpointCompression;
import dev.engram.recovery.CheckpointInfo;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;

import java.nio.file.Path;

/**
 * Settings of one checkpoint to write. Fluent setters, then {@link #conclude()} (called by
 * {@link CheckpointWriter#create(CheckpointWriterContext)}) checks the cross-field rules.
 * <p>
 * A full checkpoint: {@code directory}, {@code checkpointId}, {@code stateVersion}. A delta: the same plus
 * {@link #deltaOf(CheckpointInfo)} naming the checkpoint it sits on.
 */
public final class CheckpointWriterContext
{
    public static final int TARGET_BLOCK_LENGTH_DEFAULT = 64 * 1024;
    public static final int MIN_TARGET_BLOCK_LENGTH = 4 * 1024;
    public static final int MAX_TARGET_BLOCK_LENGTH = 64 * 1024 * 1024;
    public static final int ZSTD_LEVEL_DEFAULT = 3;
    /** Deepest chain the key-location index can address (8 bits of chain ordinal). */
    public static final int MAX_CHAIN_ORDINAL = KeyLocation.MAX_CHAIN_ORDINAL;

    private Path directory;
    private long checkpointId;
    private long stateVersion = -1;
    private long parentId;
    private long baseId;
    private int chainOrdinal;
    private long parentStateVersion;
    private CheckpointCompression compression = CheckpointCompression.NONE;
    private int zstdLevel = ZSTD_LEVEL_DEFAULT;
    private int targetBlockLength = TARGET_BLOCK_LENGTH_DEFAULT;
    private EpochClock clock = SystemEpochClock.INSTANCE;
    private int journalHintCycle;
    private int tagCount;
    private long journalHintPosition;
    private boolean concluded;

    /**
     * @param directory where the checkpoint file is written (created 0700 if absent).
     * @return this.
     */
    public CheckpointWriterContext directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    /**
     * @param checkpointId the new checkpoint's id, positive and greater than its parent's.
     * @return this.
     */
    public CheckpointWriterContext checkpointId(final long checkpointId)
    {
        this.checkpointId = checkpointId;
        return this;
    }

    /**
     * @param stateVersion the journal version whose state this checkpoint holds (deltas 1..v applied).
     * @return this.
     */
    public CheckpointWriterContext stateVersion(final long stateVersion)
    {
        this.stateVersion = stateVersion;
        return this;
    }

    /**
     * Make this a delta on top of {@code parent}: it holds only the keys changed in
     * {@code (parent.stateVersion(), stateVersion]}, removed keys as tombstones.
     *
     * @param parent the checkpoint it sits on (full or delta).
     * @return this.
     */
    public CheckpointWriterContext deltaOf(final CheckpointInfo parent)
    {
        this.parentId = parent.checkpointId();
        this.baseId = parent.baseId();
        this.chainOrdinal = parent.chainOrdinal() + 1;
        this.parentStateVersion = parent.stateVersion();
        return this;
    }

    /**
     * Where the journal frame of {@code stateVersion} was written (see {@link CheckpointHeaderDescriptor}); recovery
     * starts reading the journal right after it. Optional: position 0 (the default) means no hint.
     *
     * @param cycle    its cycle.
     * @param position the file position of its body.
     * @return this.
     */
    public CheckpointWriterContext journalHint(final int cycle, final long position)
    {
        if (position < 0)
        {
            throw new IllegalArgumentException("journal hint position must be >= 0: position=" + position);
        }
        this.journalHintCycle = cycle;
        this.journalHintPosition = position;
        return this;
    }

    /**
     * How many version tags the store holds as this checkpoint is written (see {@link CheckpointHeaderDescriptor}).
     *
     * @param count tags, 0 (the default) for none.
     * @return this.
     */
    public CheckpointWriterContext tagCount(final int count)
    {
        if (count < 0)
        {
            throw new IllegalArgumentException("tag count must be >= 0: count=" + count);
        }
        this.tagCount = count;
        return this;
    }

    int tagCount()
    {
        return tagCount;
    }

    int journalHintCycle()
    {
        return journalHintCycle;
    }

    long journalHintPosition()
    {
        return journalHintPosition;
    }

    /**
     * @param compression how blocks are stored.
     * @return this.
     */
    public CheckpointWriterContext compression(final CheckpointCompression compression)
    {
        this.compression = compression;
        return this;
    }

    /**
     * @param zstdLevel zstd level (1..22; negative levels are zstd's fast modes), used with {@link CheckpointCompression#ZSTD}.
     * @return this.
     */
    public CheckpointWriterContext zstdLevel(final int zstdLevel)
    {
        this.zstdLevel = zstdLevel;
        return this;
    }

    /**
     * @param targetBlockLength raw bytes after which a block closes; an entry longer than this gets a block of its own.
     * @return this.
     */
    public CheckpointWriterContext targetBlockLength(final int targetBlockLength)
    {
        this.targetBlockLength = targetBlockLength;
        return this;
    }

    /**
     * @param clock source of the header's creation time.
     * @return this.
     */
    public CheckpointWriterContext clock(final EpochClock clock)
    {
        this.clock = clock;
        return this;
    }

    /**
     * Check the settings. Idempotent.
     *
     * @return this.
     * @throws IllegalArgumentException naming the bad setting.
     */
    public CheckpointWriterContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        if (directory == null)
        {
            throw new IllegalArgumentException("directory must be set");
        }
        if (checkpointId <= 0)
        {
            throw new IllegalArgumentException("checkpointId must be positive: checkpointId=" + checkpointId);
        }
        if (stateVersion < 0)
        {
            throw new IllegalArgumentException("stateVersion must be set and >= 0: stateVersion=" + stateVersion);
        }
        if (compression == null || clock == null)
        {
            throw new IllegalArgumentException("compression and clock must not be null");
        }
        if (zstdLevel < -7 || zstdLevel > 22)
        {
            throw new IllegalArgumentException("zstdLevel must be in [-7, 22]: zstdLevel=" + zstdLevel);
        }
        if (targetBlockLength < MIN_TARGET_BLOCK_LENGTH || targetBlockLength > MAX_TARGET_BLOCK_LENGTH)
        {
            throw new IllegalArgumentException("targetBlockLength must be in [" + MIN_TARGET_BLOCK_LENGTH + ", " +
                MAX_TARGET_BLOCK_LENGTH + "]: targetBlockLength=" + targetBlockLength);
        }
        if (parentId == 0)
        {
            baseId = checkpointId;
            chainOrdinal = 0;
            parentStateVersion = 0;
        }
        else
        {
            if (checkpointId <= parentId)
            {
                throw new IllegalArgumentException("a delta's id must be greater than its parent's: checkpointId=" +
                    checkpointId + " parentId=" + parentId);
            }
            if (stateVersion < parentStateVersion)
            {
                throw new IllegalArgumentException("a delta cannot hold an older state than its parent: stateVersion=" +
                    stateVersion + " parentStateVersion=" + parentStateVersion);
            }
            if (chainOrdinal > MAX_CHAIN_ORDINAL)
            {
                throw new IllegalArgumentException("chain too long: chainOrdinal=" + chainOrdinal + " max=" +
                    MAX_CHAIN_ORDINAL + " (write a full checkpoint instead)");
            }
        }
        concluded = true;
        return this;
    }

    public Path directory()
    {
        return directory;
    }

    public long checkpointId()
    {
        return checkpointId;
    }

    public long stateVersion()
    {
        return stateVersion;
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

    public long parentStateVersion()
    {
        return parentStateVersion;
    }

    public boolean isDelta()
    {
        return parentId != 0;
    }

    public CheckpointCompression compression()
    {
        return compression;
    }

    public int zstdLevel()
    {
        return zstdLevel;
    }

    public int targetBlockLength()
    {
        return targetBlockLength;
    }

    public EpochClock clock()
    {
        return clock;
    }
}
