package dev.engram.recovery.internal.chain;

import dev.engram.journal.Journal;
import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.journal.JournalReader;
import dev.engram.journal.ReplayResult;
import dev.engram.recovery.CheckpointCompression;
import dev.engram.recovery.CheckpointException;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.OffHeapLimitException;
import dev.engram.recovery.StateContext;
import dev.engram.recovery.internal.checkpoint.CheckpointWriter;
import dev.engram.recovery.internal.checkpoint.CheckpointWriterContext;
import dev.engram.recovery.internal.checkpoint.KeyHash;
import dev.engram.recovery.internal.overlay.OffHeapAccount;
import dev.engram.recovery.internal.overlay.Overlay;
import dev.engram.recovery.internal.overlay.OverlayEntryDescriptor;
import dev.engram.recovery.internal.overlay.OverlayReader;
import dev.engram.recovery.internal.overlay.PartitionedTailIndexer;
import dev.engram.recovery.internal.overlay.StateView;

import static dev.engram.recovery.internal.overlay.OverlayEntryDescriptor.KIND_QUARANTINED;
import static dev.engram.recovery.internal.overlay.OverlayEntryDescriptor.KIND_TOMBSTONE;

/**
 * Builds the next checkpoint from immutable inputs only — the current chain and the journal range
 * {@code (chain version, target version]} — so producers never pause. The range is indexed into a
 * private overlay (references into the journal, patched values materialised), then written as a delta
 * (just those keys, deletions as tombstones) or, when the chain is long, large or most keys changed, as a
 * new full checkpoint that merges the chain with the changes.
 * <p>
 * Its off-heap memory (the overlay of the changes, with every patched value materialised once, and the tail
 * records) is counted in {@link #memory()} and limited by {@link StateContext#checkpointBuildMemoryLimit()}: past
 * it the build stops with an {@link OffHeapLimitException} and frees everything it took.
 */
public final class CheckpointBuilder
{
    /** What was built. */
    public record Built(CheckpointInfo info, boolean delta, long framesIndexed, long buildNs, long cpuNs, long pageBlocks,
        long pageBytes)
    {
        public Built(final CheckpointInfo info, final boolean delta, final long framesIndexed, final long buildNs)
        {
            this(info, delta, framesIndexed, buildNs, -1, 0, 0);
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private final StateContext ctx;
    private final Journal journal;
    private final JournalMappedFiles journalFiles;
    private final OffHeapAccount memory;
    /** Version tags held now, recorded in each checkpoint's header (0 where unknown). */
    private java.util.function.IntSupplier tagCount = () -> 0;

    public CheckpointBuilder(final StateContext ctx, final Journal journal, final JournalMappedFiles journalFiles)
    {
        this(ctx, journal, journalFiles, new OffHeapAccount("checkpointBuildMemoryLimit", ctx.checkpointBuildMemoryLimit(), true));
    }

    /**
     * @param memory where the builds' off-heap memory is counted; it enforces {@link StateContext#checkpointBuildMemoryLimit()}.
     */
    public CheckpointBuilder(final StateContext ctx, final Journal journal, final JournalMappedFiles journalFiles,
        final OffHeapAccount memory)
    {
        this.ctx = ctx;
        this.journal = journal;
        this.journalFiles = journalFiles;
        this.memory = memory;
    }

    /**
     * @param tagCount how many version tags the store holds, asked as each checkpoint is written.
     * @return this.
     */
    public CheckpointBuilder tagCount(final java.util.function.IntSupplier tagCount)
    {
        this.tagCount = tagCount;
        return this;
    }

    /**
     * @return the builds' off-heap account (reserved now, peak).
     */
    public OffHeapAccount memory()
    {
        return memory;
    }

    /** A private overlay of this build: counted in the builds' account, large blocks freed as soon as given up. */
    private Overlay buildOverlay()
    {
        final Overlay overlay = new Overlay(1024, journalFiles, memory);
        overlay.freeOnRelease();
        return overlay;
    }

    /**
     * @param chain         the newest chain, or null if there is no checkpoint yet.
     * @param targetVersion the state version to write (must be written in the journal).
     * @param checkpointId  the new file's id.
     */
    public Built build(final ChainFiles chain, final long targetVersion, final long checkpointId)
    {
        return build(chain, targetVersion, checkpointId, () ->
        {
        }, false);
    }

    /**
     * @param cancelCheck run every few thousand frames and entries: it throws to abandon the build (e.g. the
     *                    store is closing); nothing is published then.
     * @param forceFull   write a full checkpoint even if a delta would do (a repair: the result must not depend
     *                    on the chain it was built from).
     */
    public Built build(final ChainFiles chain, final long targetVersion, final long checkpointId, final Runnable cancelCheck,
        final boolean forceFull)
    {
        final long startNs = System.nanoTime();
        final long startCpuNs = THREADS.getCurrentThreadCpuTime();
        final PageChanges pageChanges = ctx.pageLength() > 0 ? new PageChanges(ctx.pageLength()) : null;
        final long fromVersion = chain == null ? 1 : chain.stateVersion() + 1;
        try (Overlay changes = buildOverlay();
             PartitionedTailIndexer indexer = new PartitionedTailIndexer(changes, chain == null ? StateView.EMPTY : chain))
        {
            if (targetVersion >= fromVersion)
            {
                try (JournalReader reader = journal.newReader())
                {
                    final long[] frames = {0};
                    final dev.engram.journal.internal.BackgroundPacing pacing = dev.engram.journal.internal.BackgroundPacing.forThread();
                    final ReplayResult result = reader.replay(fromVersion, targetVersion, frame ->
                    {
                        if ((++frames[0] & 4095) == 0)
                        {
                            cancelCheck.run();
                        }
                        pacing.tick();
                        if (pageChanges != null)
                        {
                            pageChanges.onFrame(frame);
                        }
                        indexer.onFrame(frame);
                    });
                    if (result.lastVersion() != targetVersion)
                    {
                        throw new CheckpointException("journal range (" + (fromVersion - 1) + ", " + targetVersion +
                            "] incomplete: replay ended at version=" + result.lastVersion());
                    }
                }
                indexer.finish();
            }
            cancelCheck.run();
            final boolean delta = !forceFull && chooseDelta(chain, changes);
            final CheckpointWriterContext writerCtx = new CheckpointWriterContext()
                .directory(ctx.checkpointDirectory())
                .checkpointId(checkpointId)
                .stateVersion(targetVersion)
                .compression(ctx.compress() ? CheckpointCompression.ZSTD : CheckpointCompression.NONE)
                .zstdLevel(ctx.zstdLevel())
                .targetBlockLength(ctx.blockLength())
                .tagCount(Math.max(0, tagCount.getAsInt()));
            if (delta)
            {
                writerCtx.deltaOf(chain.head().info());
            }
            if (indexer.frames() > 0)
            {
                writerCtx.journalHint(indexer.lastCycle(), indexer.lastPosition());
            }
            else if (chain != null && chain.stateVersion() == targetVersion)
            {
                writerCtx.journalHint(chain.head().info().journalHintCycle(), chain.head().info().journalHintPosition());
            }
            try (CheckpointWriter writer = CheckpointWriter.create(writerCtx))
            {
                final PagedValues paging = pageChanges == null ? null :
                    new PagedValues(ctx.pageLength(), ctx.pagedValueMinLength(), delta ? chain : null, pageChanges);
                if (delta)
                {
                    writeChanges(changes, writer, true, paging, dev.engram.journal.internal.BackgroundPacing.forThread()::tick);
                }
                else
                {
                    writeChanges(changes, writer, false, paging, dev.engram.journal.internal.BackgroundPacing.forThread()::tick);
                    cancelCheck.run();
                    if (chain != null)
                    {
                        writeUnchanged(chain, changes, writer, cancelCheck, paging);
                    }
                }
                cancelCheck.run();
                final long[] pages = writer.pageStats();
                final CheckpointInfo info = writer.publish();
                return new Built(info, delta, indexer.frames(), System.nanoTime() - startNs,
                    THREADS.getCurrentThreadCpuTime() - startCpuNs, pages[0], pages[1]);
            }
        }
    }

    private boolean chooseDelta(final ChainFiles chain, final Overlay changes)
    {
        if (chain == null || chain.length() >= ctx.maxChainLength())
        {
            return false;
        }
        if (changes.size() > ctx.deltaChangedKeysRatio() * Math.max(1, chain.estimatedKeyCount()))
        {
            return false;
        }
        return chain.deltaBytes() <= ctx.maxChainSizeRatio() * chain.baseBytes();
    }

    /**
     * Write an overlay's entries (values, quarantined keys, and tombstones if {@code withTombstones}): a delta's
     * whole content. Also used by the history anchors.
     */
    public static void writeChanges(final Overlay changes, final CheckpointWriter writer, final boolean withTombstones)
    {
        writeChanges(changes, writer, withTombstones, null, null);
    }

    /**
     * As {@link #writeChanges(Overlay, CheckpointWriter, boolean)}, running {@code betweenEntries} after each entry
     * (pacing of a background build, {@code dev.engram.journal.internal.BackgroundPacing}).
     */
    public static void writeChanges(final Overlay changes, final CheckpointWriter writer, final boolean withTombstones,
        final Runnable betweenEntries)
    {
        writeChanges(changes, writer, withTombstones, null, betweenEntries);
    }

    private static void writeChanges(final Overlay changes, final CheckpointWriter writer, final boolean withTombstones,
        final PagedValues paging, final Runnable betweenEntries)
    {
        changes.forEach((key, keyOffset, keyLength, kind, version, value, valueLength) ->
        {
            if (betweenEntries != null)
            {
                betweenEntries.run();
            }
            if (kind == KIND_TOMBSTONE)
            {
                if (withTombstones)
                {
                    writer.tombstone(key, keyOffset, keyLength);
                }
            }
            else if (kind == KIND_QUARANTINED)
            {
                writer.quarantined(key, keyOffset, keyLength, value, 0, valueLength);   // the value is the reason
            }
            else if (paging != null && paging.pages(valueLength))
            {
                paging.write(writer, key, keyOffset, keyLength, value, valueLength);
            }
            else
            {
                writer.put(key, keyOffset, keyLength, value, 0, valueLength);
            }
        });
    }

    /**
     * Every live key of the chain that the changes do not override, newest file first; a key already
     * handled (seen in a newer file) is skipped.
     */
    private void writeUnchanged(final ChainFiles chain, final Overlay changes, final CheckpointWriter writer,
        final Runnable cancelCheck, final PagedValues paging)
    {
        final long[] entries = {0};
        final boolean single = chain.length() == 1;
        final dev.engram.journal.internal.BackgroundPacing pacing = dev.engram.journal.internal.BackgroundPacing.forThread();
        try (Overlay seen = single ? null : buildOverlay())
        {
            final OverlayReader changed = new OverlayReader(changes);
            for (int i = chain.length() - 1; i >= 0; i--)
            {
                chain.files().get(i).forEachEntry(entry ->
                {
                    if ((++entries[0] & 4095) == 0)
                    {
                        cancelCheck.run();
                    }
                    pacing.tick();
                    final int keyLength = entry.keyLength();
                    if (!single)
                    {
                        if (seen.find(entry.key(), 0, keyLength, KeyHash.hash(entry.key(), 0, keyLength)) != 0)
                        {
                            return;
                        }
                        seen.putTombstone(entry.key(), 0, keyLength, 0);
                    }
                    if (entry.isTombstone() || changed.lookup(entry.key(), 0, keyLength) != OverlayReader.Result.ABSENT)
                    {
                        return;
                    }
                    if (entry.isQuarantined())
                    {
                        writer.quarantined(entry.key(), 0, keyLength, entry.value(), 0, entry.valueLength());   // carried on
                        return;
                    }
                    if (paging != null && paging.pages(entry.valueLength()))
                    {
                        paging.write(writer, entry.key(), 0, keyLength, entry.value(), entry.valueLength());   // all pages new
                        return;
                    }
                    writer.put(entry.key(), 0, keyLength, entry.value(), 0, entry.valueLength());
                });
            }
        }
    }
}
