package dev.engram.recovery;

import dev.engram.journal.BackgroundPriority;
import dev.engram.journal.JournalContext;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Configuration of a {@link StateStore}: the journal's context plus checkpoint policy, each with a
 * documented default. {@link #conclude()} checks fields against each other.
 * <p>
 * Directory layout: {@code <directory>/journal} (the journal), {@code <directory>/checkpoints}
 * (checkpoint files and their index maps), {@code <directory>/engram.lock}, {@code <directory>/clean-shutdown}.
 */
public final class StateContext
{
    /** Checkpoint once this many frames were journaled since the last one: bounds replay at recovery. */
    public static final long CHECKPOINT_EVERY_FRAMES_DEFAULT = 500_000;
    /** ... or once this many journal bytes were written since the last one. */
    public static final long CHECKPOINT_EVERY_BYTES_DEFAULT = 256L * 1024 * 1024;
    /** ... or after this long with any change (0 = no timer). */
    /**
     * A checkpoint is due once the journal written since the last one holds this many times the bytes of the current
     * chain's full checkpoint file: beyond that, rebuilding the state costs less disk than keeping its journal.
     */
    public static final double CHECKPOINT_JOURNAL_RATIO_DEFAULT = 0.5;
    /** The least journal bytes since the last checkpoint for {@link #CHECKPOINT_JOURNAL_RATIO_DEFAULT}'s trigger. */
    public static final long CHECKPOINT_JOURNAL_MIN_BYTES_DEFAULT = 16L * 1024 * 1024;
    public static final long CHECKPOINT_INTERVAL_MS_DEFAULT = TimeUnit.MINUTES.toMillis(5);
    /** A delta checkpoint chain is consolidated into a full checkpoint past this many deltas. */
    public static final int MAX_CHAIN_LENGTH_DEFAULT = 50;
    /** ... or when the deltas' bytes exceed this fraction of the full checkpoint's bytes. */
    public static final double MAX_CHAIN_SIZE_RATIO_DEFAULT = 1.0;
    /** A delta checkpoint is written only when fewer than this fraction of the keys changed. */
    public static final double DELTA_CHANGED_KEYS_RATIO_DEFAULT = 0.25;
    /** Target length of a checkpoint data block. */
    public static final int BLOCK_LENGTH_DEFAULT = 64 * 1024;
    /** Default {@link #pageLength()}: 0, page deltas off (format 1 files only). */
    public static final int PAGE_LENGTH_DEFAULT = 0;
    /** Default {@link #pagedValueMinLength()}: 64 KiB. */
    public static final int PAGED_VALUE_MIN_LENGTH_DEFAULT = 64 * 1024;
    /** zstd level when compression is on. */
    public static final int ZSTD_LEVEL_DEFAULT = 3;
    /** Chains at least this long read through the Chronicle Map key index (O(1)); shorter ones through the files. */
    public static final int KEY_INDEX_MIN_CHAIN_LENGTH_DEFAULT = 8;
    /** Checkpoint chains kept besides the newest (older ones are the fallback when the newest is damaged). */
    public static final int KEEP_OLDER_CHAINS_DEFAULT = 1;
    /**
     * An older chain is kept only while the journal it needs past the newest chain's head is at most this many times
     * the newest chain's full checkpoint (issue 15: disk).
     */
    public static final double OLDER_CHAIN_JOURNAL_RATIO_DEFAULT = 1.0;
    /** ... and at most {@code max(ratio × full checkpoint, this)} bytes: small states keep their fallback. */
    public static final long OLDER_CHAIN_JOURNAL_MIN_BYTES_DEFAULT = 256L * 1024 * 1024;
    // version history (docs/history.md): a window of past versions kept reachable by StateStore.stateAt
    /** Keep the last this many versions reachable by {@code stateAt} (0 = no window by count). */
    public static final long HISTORY_VERSIONS_DEFAULT = 0;
    /** Keep the versions of the last this many ms reachable by {@code stateAt} (0 = no window by time). */
    public static final long HISTORY_DURATION_MS_DEFAULT = 0;
    /** Default for {@link #historyIndex(boolean)}. */
    public static final boolean HISTORY_INDEX_DEFAULT = true;
    /** Default for {@link #historyIndexSegmentVersions(int)}. */
    public static final int HISTORY_INDEX_SEGMENT_VERSIONS_DEFAULT = 32_768;
    /** Default for {@link #backgroundPriority(BackgroundPriority)}. */
    public static final BackgroundPriority BACKGROUND_PRIORITY_DEFAULT = BackgroundPriority.LOW;
    /** Default for {@link #historyAnchorEveryFrames(long)}. */
    public static final long HISTORY_ANCHOR_EVERY_FRAMES_DEFAULT = 50_000;

    // off-heap memory (docs/memory-safety.md): 0 = derived from the JVM's max direct memory
    /** Default of {@link #overlayMemoryLimit}: derive it, a quarter of the JVM's max direct memory (at least 64 MiB). */
    public static final long OVERLAY_MEMORY_LIMIT_DEFAULT = 0;
    /** Default of {@link #checkpointBuildMemoryLimit}: derive it, half the JVM's max direct memory (at least 128 MiB). */
    public static final long CHECKPOINT_BUILD_MEMORY_LIMIT_DEFAULT = 0;

    /** How long close waits for readers still inside the state (a read, a forEach consumer) before it returns;
     *  memory they hold is then freed by the last of them as it leaves, never under them. */
    public static final long CLOSE_READER_WAIT_MS_DEFAULT = TimeUnit.SECONDS.toMillis(10);

    private Path directory;
    private long closeReaderWaitMs = CLOSE_READER_WAIT_MS_DEFAULT;
    private long closeJournalWaitMs = Long.MAX_VALUE;
    private JournalContext journal = new JournalContext();
    private long checkpointEveryFrames = CHECKPOINT_EVERY_FRAMES_DEFAULT;
    private long checkpointEveryBytes = CHECKPOINT_EVERY_BYTES_DEFAULT;
    private long checkpointIntervalMs = CHECKPOINT_INTERVAL_MS_DEFAULT;
    private double checkpointJournalRatio = CHECKPOINT_JOURNAL_RATIO_DEFAULT;
    private long checkpointJournalMinBytes = CHECKPOINT_JOURNAL_MIN_BYTES_DEFAULT;
    private int maxChainLength = MAX_CHAIN_LENGTH_DEFAULT;
    private double maxChainSizeRatio = MAX_CHAIN_SIZE_RATIO_DEFAULT;
    private double deltaChangedKeysRatio = DELTA_CHANGED_KEYS_RATIO_DEFAULT;
    private boolean compress;
    private int zstdLevel = ZSTD_LEVEL_DEFAULT;
    private int blockLength = BLOCK_LENGTH_DEFAULT;
    private int pageLength = PAGE_LENGTH_DEFAULT;
    private int pagedValueMinLength = PAGED_VALUE_MIN_LENGTH_DEFAULT;
    private int keepOlderChains = KEEP_OLDER_CHAINS_DEFAULT;
    private double olderChainJournalRatio = OLDER_CHAIN_JOURNAL_RATIO_DEFAULT;
    private long olderChainJournalMinBytes = OLDER_CHAIN_JOURNAL_MIN_BYTES_DEFAULT;
    private boolean warmUp;
    private boolean verifyBlocksOnOpen;
    private boolean fastRecovery = true;
    private boolean acceptJournalLoss;
    private int keyIndexMinChainLength = KEY_INDEX_MIN_CHAIN_LENGTH_DEFAULT;
    private boolean snapshotIndex = true;
    private boolean background = true;
    private java.util.function.Supplier<org.agrona.concurrent.IdleStrategy> applierIdleStrategySupplier =
        JournalContext::backgroundIdleStrategy;
    private long overlayMemoryLimit = OVERLAY_MEMORY_LIMIT_DEFAULT;
    private long checkpointBuildMemoryLimit = CHECKPOINT_BUILD_MEMORY_LIMIT_DEFAULT;
    private long historyVersions = HISTORY_VERSIONS_DEFAULT;
    private long historyDurationMs = HISTORY_DURATION_MS_DEFAULT;
    private boolean historyIndex = HISTORY_INDEX_DEFAULT;
    private int historyIndexSegmentVersions = HISTORY_INDEX_SEGMENT_VERSIONS_DEFAULT;
    private long historyAnchorEveryFrames = HISTORY_ANCHOR_EVERY_FRAMES_DEFAULT;
    private BackgroundPriority backgroundPriority = BACKGROUND_PRIORITY_DEFAULT;
    private LongSupplier historyEpochNsClock = StateContext::systemEpochNs;
    private CheckpointObserver checkpointObserver = (info, buildNs, delta) -> { };
    /** Test hook: run at each step of a background checkpoint build, on the checkpointer thread. */
    private Runnable backgroundBuildStep = () -> { };
    /** Test hook: run before each read of the history follower, on its thread. */
    private Runnable historyFollowerStep = () -> { };

    /** Told about every checkpoint published (metrics). Runs on the checkpointing thread; must be quick. */
    @FunctionalInterface
    public interface CheckpointObserver
    {
        void onCheckpoint(CheckpointInfo info, long buildNs, boolean delta);
    }

    public CheckpointObserver checkpointObserver()
    {
        return checkpointObserver;
    }

    /** @param observer told about each checkpoint published; default nothing. @return this. */
    public StateContext checkpointObserver(final CheckpointObserver observer)
    {
        this.checkpointObserver = Objects.requireNonNull(observer, "checkpointObserver");
        return this;
    }

    /**
     * @return this, checked.
     */
    public StateContext conclude()
    {
        if (directory == null)
        {
            throw new IllegalArgumentException("state directory must be set");
        }
        Objects.requireNonNull(journal, "journal context");
        Objects.requireNonNull(applierIdleStrategySupplier, "applierIdleStrategySupplier");
        journal.directory(journalDirectory());
        journal.acceptLoss(acceptJournalLoss);   // the state's setting decides for its journal
        journal.conclude();
        if (checkpointEveryFrames < 1 || checkpointEveryBytes < 1)
        {
            throw new IllegalArgumentException("checkpoint triggers must be >= 1: frames=" + checkpointEveryFrames +
                " bytes=" + checkpointEveryBytes);
        }
        if (closeJournalWaitMs < 0)
        {
            throw new IllegalArgumentException("closeJournalWaitMs must be >= 0: " + closeJournalWaitMs);
        }
        if (closeReaderWaitMs < 0)
        {
            throw new IllegalArgumentException("closeReaderWaitMs must be >= 0: " + closeReaderWaitMs);
        }
        if (!(checkpointJournalRatio >= 0) || Double.isInfinite(checkpointJournalRatio) || checkpointJournalMinBytes < 1)
        {
            throw new IllegalArgumentException("checkpointJournalRatio must be >= 0 and finite, checkpointJournalMinBytes >= 1: " +
                "checkpointJournalRatio=" + checkpointJournalRatio + " checkpointJournalMinBytes=" + checkpointJournalMinBytes);
        }
        if (checkpointIntervalMs < 0)
        {
            throw new IllegalArgumentException("checkpointIntervalMs must be >= 0: " + checkpointIntervalMs);
        }
        if (maxChainLength < 1 || maxChainLength > 255)
        {
            throw new IllegalArgumentException("maxChainLength must be in [1, 255]: " + maxChainLength);
        }
        if (!(maxChainSizeRatio > 0) || !(deltaChangedKeysRatio >= 0))
        {
            throw new IllegalArgumentException("bad ratios: maxChainSizeRatio=" + maxChainSizeRatio +
                " deltaChangedKeysRatio=" + deltaChangedKeysRatio);
        }
        if (zstdLevel < 1 || zstdLevel > 22)
        {
            throw new IllegalArgumentException("zstdLevel must be in [1, 22]: " + zstdLevel);
        }
        if (blockLength < 4096 || blockLength > 64 * 1024 * 1024)
        {
            throw new IllegalArgumentException("blockLength must be in [4 KiB, 64 MiB]: " + blockLength);
        }
        if (pageLength != 0 && (pageLength < 1024 || pageLength > blockLength || pagedValueMinLength < pageLength))
        {
            throw new IllegalArgumentException("pageLength must be 0 (off) or in [1 KiB, blockLength=" + blockLength +
                "], and pagedValueMinLength at least pageLength: pageLength=" + pageLength + " pagedValueMinLength=" +
                pagedValueMinLength);
        }
        if (keepOlderChains < 0)
        {
            throw new IllegalArgumentException("keepOlderChains must be >= 0: " + keepOlderChains);
        }
        if (!(olderChainJournalRatio >= 0) || Double.isInfinite(olderChainJournalRatio) || olderChainJournalMinBytes < 0)
        {
            throw new IllegalArgumentException("olderChainJournalRatio must be >= 0 and finite, olderChainJournalMinBytes >= 0: " +
                "olderChainJournalRatio=" + olderChainJournalRatio + " olderChainJournalMinBytes=" + olderChainJournalMinBytes);
        }
        if (historyVersions < 0 || historyDurationMs < 0)
        {
            throw new IllegalArgumentException("history window must be >= 0: historyVersions=" + historyVersions +
                " historyDurationMs=" + historyDurationMs);
        }
        Objects.requireNonNull(historyEpochNsClock, "historyEpochNsClock");
        if (historyIndexSegmentVersions < 1 || historyAnchorEveryFrames < 0)
        {
            throw new IllegalArgumentException("historyIndexSegmentVersions must be >= 1 and historyAnchorEveryFrames >= 0: " +
                "historyIndexSegmentVersions=" + historyIndexSegmentVersions + " historyAnchorEveryFrames=" + historyAnchorEveryFrames);
        }
        if (overlayMemoryLimit < 0 || checkpointBuildMemoryLimit < 0)
        {
            throw new IllegalArgumentException("off-heap memory limits must be >= 0 (0 = derived from the JVM's max direct " +
                "memory): overlayMemoryLimit=" + overlayMemoryLimit + " checkpointBuildMemoryLimit=" + checkpointBuildMemoryLimit);
        }
        return this;
    }

    public Path directory()
    {
        return directory;
    }

    public StateContext directory(final Path directory)
    {
        this.directory = directory;
        return this;
    }

    public Path journalDirectory()
    {
        return directory.resolve("journal");
    }

    public Path checkpointDirectory()
    {
        return directory.resolve("checkpoints");
    }

    /** @return the journal's context (its directory is set from this one's). */
    public JournalContext journal()
    {
        return journal;
    }

    public StateContext journal(final JournalContext journal)
    {
        this.journal = journal;
        return this;
    }

    public long closeReaderWaitMs()
    {
        return closeReaderWaitMs;
    }

    /**
     * @param ms how long {@code close()} waits for readers still inside the state (default
     *           {@value #CLOSE_READER_WAIT_MS_DEFAULT}); what they hold is freed by the last one out after that.
     */
    public StateContext closeReaderWaitMs(final long ms)
    {
        this.closeReaderWaitMs = ms;
        return this;
    }

    public long closeJournalWaitMs()
    {
        return closeJournalWaitMs;
    }

    /**
     * How long {@code close()} waits for the journal when the store is closed while its journal's queue is still
     * opening in the background in the journal's directory. (A close during the open's Chronicle cold start, which runs
     * away from the directory first, cancels the open whatever this says: close returns at once and commits made
     * since {@code open()} stay forced in the journal's bridge file for the next open.) Default: until it is done, so
     * every file in the directory is settled when {@code close()} returns. With a bound (e.g. 0 for a short-lived
     * process such as a command-line tool), {@code close()} returns once what was appended is forced in the journal's
     * bridge file, and the journal finishes by itself: the queue opens, the bridge is copied into it, the directory is
     * released ({@code StateStore.closed()} completes then; a reopen in this JVM waits for it). A process that ends
     * meanwhile leaves the bridge, which the next open copies: nothing is lost.
     *
     * @param ms the longest wait, {@code Long.MAX_VALUE} for no bound.
     */
    public StateContext closeJournalWaitMs(final long ms)
    {
        this.closeJournalWaitMs = ms;
        return this;
    }

    public long checkpointEveryFrames()
    {
        return checkpointEveryFrames;
    }

    public StateContext checkpointEveryFrames(final long frames)
    {
        this.checkpointEveryFrames = frames;
        return this;
    }

    public long checkpointEveryBytes()
    {
        return checkpointEveryBytes;
    }

    public StateContext checkpointEveryBytes(final long bytes)
    {
        this.checkpointEveryBytes = bytes;
        return this;
    }

    public double checkpointJournalRatio()
    {
        return checkpointJournalRatio;
    }

    /**
     * @param ratio a checkpoint is due once the journal written since the last checkpoint holds at least
     *              {@code max(checkpointJournalMinBytes, ratio × bytes of the current chain's full checkpoint file)}
     *              (Redis rewrites its AOF at ratio 1, {@code auto-aof-rewrite-percentage 100}). Retention runs after each
     *              checkpoint and keeps the journal after the oldest kept chain ({@link #keepOlderChains} fallbacks
     *              included), so this keeps the journal on disk in proportion to the state rather than to
     *              {@link #checkpointEveryFrames}: with one fallback about {@code 2 × ratio} times the full checkpoint,
     *              so at 0.5 the two chains and the journal come to about 3 times the state once it is well past the
     *              floors (this floor, {@code JournalContext.rollBytes}, the journal's reservation). The cost is
     *              checkpoint writes: up to {@code 1 / ratio} times the journal's bytes when every checkpoint is full (a
     *              small state whose keys all change between checkpoints). Past 512 MiB of state
     *              {@link #checkpointEveryBytes} (256 MiB) fires first. 0 = off. Default
     *              {@value #CHECKPOINT_JOURNAL_RATIO_DEFAULT}. @return this.
     */
    public StateContext checkpointJournalRatio(final double ratio)
    {
        this.checkpointJournalRatio = ratio;
        return this;
    }

    public long checkpointJournalMinBytes()
    {
        return checkpointJournalMinBytes;
    }

    /**
     * @param bytes the least journal bytes since the last checkpoint for {@link #checkpointJournalRatio}'s trigger
     *              (so a tiny state is not checkpointed after every few frames); default
     *              {@value #CHECKPOINT_JOURNAL_MIN_BYTES_DEFAULT}. @return this.
     */
    public StateContext checkpointJournalMinBytes(final long bytes)
    {
        this.checkpointJournalMinBytes = bytes;
        return this;
    }

    public long checkpointIntervalMs()
    {
        return checkpointIntervalMs;
    }

    public StateContext checkpointIntervalMs(final long intervalMs)
    {
        this.checkpointIntervalMs = intervalMs;
        return this;
    }

    public int maxChainLength()
    {
        return maxChainLength;
    }

    public StateContext maxChainLength(final int length)
    {
        this.maxChainLength = length;
        return this;
    }

    public double maxChainSizeRatio()
    {
        return maxChainSizeRatio;
    }

    public StateContext maxChainSizeRatio(final double ratio)
    {
        this.maxChainSizeRatio = ratio;
        return this;
    }

    public double deltaChangedKeysRatio()
    {
        return deltaChangedKeysRatio;
    }

    public StateContext deltaChangedKeysRatio(final double ratio)
    {
        this.deltaChangedKeysRatio = ratio;
        return this;
    }

    public boolean compress()
    {
        return compress;
    }

    /** @param compress zstd-compress checkpoint blocks (values then read through a decompressed block cache). @return this. */
    public StateContext compress(final boolean compress)
    {
        this.compress = compress;
        return this;
    }

    public int zstdLevel()
    {
        return zstdLevel;
    }

    public StateContext zstdLevel(final int level)
    {
        this.zstdLevel = level;
        return this;
    }

    public int blockLength()
    {
        return blockLength;
    }

    public StateContext blockLength(final int blockLength)
    {
        this.blockLength = blockLength;
        return this;
    }

    /**
     * @return the page length of paged values in checkpoints (0: off, the default). With pages on, a value of at
     * least {@link #pagedValueMinLength()} bytes is stored as pages of this length, and a delta checkpoint stores only
     * the pages PATCHes changed since its parent (docs/checkpoint-format.md, "Paged values"). Files holding pages are
     * format 2, which engines before it refuse.
     */
    public int pageLength()
    {
        return pageLength;
    }

    /**
     * @param pageLength 0 (off) or 1 KiB..{@link #blockLength()}; 16 KiB suits values of about 1 MiB.
     */
    public StateContext pageLength(final int pageLength)
    {
        this.pageLength = pageLength;
        return this;
    }

    /**
     * @return values at least this long are paged when {@link #pageLength()} is on (default 64 KiB).
     */
    public int pagedValueMinLength()
    {
        return pagedValueMinLength;
    }

    public StateContext pagedValueMinLength(final int length)
    {
        this.pagedValueMinLength = length;
        return this;
    }

    public int keepOlderChains()
    {
        return keepOlderChains;
    }

    public StateContext keepOlderChains(final int chains)
    {
        this.keepOlderChains = chains;
        return this;
    }

    public double olderChainJournalRatio()
    {
        return olderChainJournalRatio;
    }

    public long olderChainJournalMinBytes()
    {
        return olderChainJournalMinBytes;
    }

    /**
     * The price of the fallback chains ({@link #keepOlderChains(int)}): each keeps the journal from its head on, and a
     * newest chain that grows by deltas leaves the older chain's head ever further behind (bench disk, a 1 GiB state at
     * 20,000 updates/s: the whole 2.9 GiB journal since the load was kept for a 19 MB chain written during it). An older
     * chain is therefore kept only while the journal between its head and the newest chain's head is at most
     * {@code max(ratio × the newest chain's full checkpoint, minBytes)} (estimated from the journal's mean frame length
     * since open); past that it is deleted with that journal, and the newest chain alone (checked by CRC32C and Merkle
     * roots at open) serves recovery until the next full checkpoint starts a new chain and the current one becomes the
     * fallback again. A history window or an open snapshot still keeps what it needs.
     *
     * @param ratio    0 keeps the older chains whatever their journal costs (as before).
     * @param minBytes the budget for small states (default 256 MiB).
     * @return this.
     */
    public StateContext olderChainJournalBudget(final double ratio, final long minBytes)
    {
        this.olderChainJournalRatio = ratio;
        this.olderChainJournalMinBytes = minBytes;
        return this;
    }

    public boolean warmUp()
    {
        return warmUp;
    }

    /** @param warmUp touch every page of the checkpoint chain in the background after ready. @return this. */
    public StateContext warmUp(final boolean warmUp)
    {
        this.warmUp = warmUp;
        return this;
    }

    public boolean verifyBlocksOnOpen()
    {
        return verifyBlocksOnOpen;
    }

    /**
     * @param verify check every block's CRC32C of the chosen chain during recovery (reads every byte; without
     *               it blocks are checked on first access and a bad one is refused, never served). @return this.
     */
    public StateContext verifyBlocksOnOpen(final boolean verify)
    {
        this.verifyBlocksOnOpen = verify;
        return this;
    }

    public boolean fastRecovery()
    {
        return fastRecovery;
    }

    /**
     * @param fastRecovery try recovery's fast path (scan the journal from the newest checkpoint's hint while the
     *                     journal opens; see docs/recovery.md) before the full path; default true. False runs only
     *                     the full path (a switch for operators, and how tests compare the two). @return this.
     */
    public StateContext fastRecovery(final boolean fastRecovery)
    {
        this.fastRecovery = fastRecovery;
        return this;
    }

    public boolean acceptJournalLoss()
    {
        return acceptJournalLoss;
    }

    /**
     * @param accept open even if versions the journal had written are gone: a cycle file its manifest lists is
     *               missing, emptied or swapped for another, or the journal ends before the last version written at
     *               the clean close. The loss is then listed in {@link RecoveryReport#journalLosses()} (and
     *               {@code describe()}), lost files still there are moved aside as {@code *.lost}, and new appends reuse
     *               the lost version numbers. Default false: {@link StateStore#open} throws a
     *               {@link JournalLossRefusedException} naming the files, the versions and the next step, and changes
     *               nothing. A loss inside the versions the replay needs (after the newest usable checkpoint) is refused
     *               either way. It decides for the store's journal (over
     *               {@code JournalContext.acceptLoss}). @return this.
     */
    public StateContext acceptJournalLoss(final boolean accept)
    {
        this.acceptJournalLoss = accept;
        return this;
    }

    public int keyIndexMinChainLength()
    {
        return keyIndexMinChainLength;
    }

    /** @param length chains at least this long use the key index for reads; default {@value #KEY_INDEX_MIN_CHAIN_LENGTH_DEFAULT}. @return this. */
    public StateContext keyIndexMinChainLength(final int length)
    {
        this.keyIndexMinChainLength = length;
        return this;
    }

    public boolean snapshotIndex()
    {
        return snapshotIndex;
    }

    /**
     * @param maintain keep the Chronicle Map catalog and key index (default true; false skips their ~1.5 s
     *                 first-open cost in short-lived tools and tests). @return this.
     */
    public StateContext snapshotIndex(final boolean maintain)
    {
        this.snapshotIndex = maintain;
        return this;
    }

    public boolean background()
    {
        return background;
    }

    /** @param background run the checkpointer on its own (false: only {@link StateStore#checkpoint()}). @return this. */
    public StateContext background(final boolean background)
    {
        this.background = background;
        return this;
    }

    public java.util.function.Supplier<org.agrona.concurrent.IdleStrategy> applierIdleStrategySupplier()
    {
        return applierIdleStrategySupplier;
    }

    /**
     * @param supplier idle strategy of the applier thread (it indexes written deltas for readers) when it has
     *                 caught up; default {@link JournalContext#backgroundIdleStrategy()}.
     * @return this.
     */
    public StateContext applierIdleStrategySupplier(
        final java.util.function.Supplier<org.agrona.concurrent.IdleStrategy> supplier)
    {
        this.applierIdleStrategySupplier = supplier;
        return this;
    }

    public long historyVersions()
    {
        return historyVersions;
    }

    /**
     * @param versions keep at least the last this many versions reachable by {@code StateStore.stateAt} (and their
     *                 journal, for {@code history} and {@code diff}); 0 (default) = no window by count. With a
     *                 duration too, whichever reaches further back wins. See docs/history.md for the disk cost.
     * @return this.
     */
    public StateContext historyVersions(final long versions)
    {
        this.historyVersions = versions;
        return this;
    }

    public long historyDurationMs()
    {
        return historyDurationMs;
    }

    /**
     * @param durationMs keep at least the versions of the last this many ms reachable (by frame timestamp);
     *                   0 (default) = no window by time. With both windows 0 only what recovery keeps remains:
     *                   the newest chain, {@link #keepOlderChains()} older ones and the journal after the oldest.
     * @return this.
     */
    public StateContext historyDurationMs(final long durationMs)
    {
        this.historyDurationMs = durationMs;
        return this;
    }

    public boolean historyIndex()
    {
        return historyIndex;
    }

    /**
     * @param maintain keep the per-key history index ({@code <dir>/history-index}) and the history anchors
     *                 ({@code <dir>/history-anchors}) up to date on a background thread ({@code engram-history})
     *                 that follows the journal (default true). Off: {@code history(key)} scans the journal and
     *                 {@code stateAt} replays from the nearest checkpoint, as before (docs/history.md).
     * @return this.
     */
    public StateContext historyIndex(final boolean maintain)
    {
        this.historyIndex = maintain;
        return this;
    }

    public int historyIndexSegmentVersions()
    {
        return historyIndexSegmentVersions;
    }

    /**
     * @param versions versions per key-index segment file (default 32,768): the follower holds this many
     *                 versions' ops in memory before writing them out.
     * @return this.
     */
    public StateContext historyIndexSegmentVersions(final int versions)
    {
        this.historyIndexSegmentVersions = versions;
        return this;
    }

    public long historyAnchorEveryFrames()
    {
        return historyAnchorEveryFrames;
    }

    /**
     * @param frames write a history anchor (a delta checkpoint file kept for history only) every this many
     *               versions after each checkpoint (default 50,000; 0 = none), so {@code stateAt} replays at most
     *               about this many frames (plus what the follower has not reached yet) instead of up to a whole
     *               checkpoint interval. Needs {@link #historyIndex(boolean)}.
     * @return this.
     */
    public StateContext historyAnchorEveryFrames(final long frames)
    {
        this.historyAnchorEveryFrames = frames;
        return this;
    }

    /**
     * Test hook (package-private): run at each step of a background checkpoint build (every few thousand frames or
     * entries), on the checkpointer thread.
     */
    Runnable backgroundBuildStep()
    {
        return backgroundBuildStep;
    }

    StateContext backgroundBuildStep(final Runnable hook)
    {
        this.backgroundBuildStep = hook;
        return this;
    }

    /**
     * Test hook (package-private): run before each read of the history follower, on its thread (a test holds the
     * follower back with it).
     */
    Runnable historyFollowerStep()
    {
        return historyFollowerStep;
    }

    StateContext historyFollowerStep(final Runnable hook)
    {
        this.historyFollowerStep = hook;
        return this;
    }

    public BackgroundPriority backgroundPriority()
    {
        return backgroundPriority;
    }

    /**
     * @param priority the operating system priority of the checkpointer, the history follower and the checks after an
     *                 open (default {@link BackgroundPriority#LOW}): on a machine with few cores they then take the
     *                 application's CPU as little as the kernel allows (docs/engine.md "Background threads").
     * @return this.
     */
    public StateContext backgroundPriority(final BackgroundPriority priority)
    {
        this.backgroundPriority = Objects.requireNonNull(priority, "backgroundPriority");
        return this;
    }

    public LongSupplier historyEpochNsClock()
    {
        return historyEpochNsClock;
    }

    /**
     * @param clock "now" in epoch ns for the history window by time (tests move it); default the system clock.
     * @return this.
     */
    public StateContext historyEpochNsClock(final LongSupplier clock)
    {
        this.historyEpochNsClock = clock;
        return this;
    }

    /**
     * @return off-heap bytes the live overlay may reach before a checkpoint is started early: the next generation
     * starts empty and the replaced one is freed once its readers left. A target, not a refusal: the applier never
     * refuses a written delta. Resolved if set to 0 (the default): a quarter of {@link #maxDirectMemory()}, at
     * least 64 MiB.
     */
    public long overlayMemoryLimit()
    {
        return overlayMemoryLimit != 0 ? overlayMemoryLimit : Math.max(64L << 20, maxDirectMemory() / 4);
    }

    /** @param bytes see {@link #overlayMemoryLimit()}; 0 = derive it. @return this. */
    public StateContext overlayMemoryLimit(final long bytes)
    {
        this.overlayMemoryLimit = bytes;
        return this;
    }

    /**
     * @return off-heap bytes one checkpoint build may hold (its overlay of the changes with their patched values,
     * its tail records). A build that would pass it stops with an {@link OffHeapLimitException} naming this
     * setting, frees what it took and is retried later (background) or thrown (an explicit checkpoint); reads and
     * appends go on. Resolved if set to 0 (the default): half of {@link #maxDirectMemory()}, at least 128 MiB.
     */
    public long checkpointBuildMemoryLimit()
    {
        return checkpointBuildMemoryLimit != 0 ? checkpointBuildMemoryLimit : Math.max(128L << 20, maxDirectMemory() / 2);
    }

    /** @param bytes see {@link #checkpointBuildMemoryLimit()}; 0 = derive it. @return this. */
    public StateContext checkpointBuildMemoryLimit(final long bytes)
    {
        this.checkpointBuildMemoryLimit = bytes;
        return this;
    }

    /**
     * @return the JVM's {@code -XX:MaxDirectMemorySize}, or its default (the max heap) when not set: the knob an
     * operator already uses for off-heap memory, so the overlay and build limits follow it.
     */
    public static long maxDirectMemory()
    {
        long bytes = maxDirectMemory;
        if (bytes == 0)
        {
            maxDirectMemory = bytes = readMaxDirectMemory();
        }
        return bytes;
    }

    private static volatile long maxDirectMemory;

    private static long readMaxDirectMemory()
    {
        try
        {
            // what the JDK itself enforces (exported by the flags Engram runs with); cheap, unlike the MXBean below
            final Object bytes = Class.forName("jdk.internal.misc.VM").getMethod("maxDirectMemory").invoke(null);
            if (bytes instanceof Long value && value > 0)
            {
                return value;
            }
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
        {
            // not exported to us: ask the VM option
        }
        try
        {
            final String value = java.lang.management.ManagementFactory
                .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).getVMOption("MaxDirectMemorySize").getValue();
            final long bytes = Long.parseLong(value);
            if (bytes > 0)
            {
                return bytes;
            }
        }
        catch (final RuntimeException | LinkageError ex)
        {
            // not HotSpot: the JDK's own default below
        }
        return Runtime.getRuntime().maxMemory();
    }

    private static long systemEpochNs()
    {
        final java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
