package dev.engram.recovery;

import dev.engram.journal.internal.DirectoryLock;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.journal.Journal;
import dev.engram.journal.internal.ThreadScheduling;
import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.journal.JvmFlagsCheck;
import dev.engram.journal.internal.Threads;
import dev.engram.recovery.internal.chain.ChainFiles;
import dev.engram.recovery.internal.chain.CheckpointBuilder;
import dev.engram.recovery.internal.chain.SnapshotIndexMaintainer;
import dev.engram.recovery.internal.concurrent.CallGate;
import dev.engram.recovery.internal.concurrent.ReaderHazards;
import dev.engram.recovery.internal.concurrent.SharedRelease;
import dev.engram.recovery.internal.history.VersionHistory;
import dev.engram.recovery.internal.overlay.Applier;
import dev.engram.recovery.internal.overlay.KeyQuarantine;
import dev.engram.recovery.internal.overlay.OffHeapAccount;
import dev.engram.recovery.internal.overlay.StateView;
import dev.engram.recovery.internal.procedure.AfterOpenChecks;
import dev.engram.recovery.internal.procedure.RecoveryProcedure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A recoverable keyed state: the journal, the checkpoint chain and the overlay between them, kept current
 * by an applier thread and checkpointed in the background.
 * <pre>{@code
 * try (StateStore store = StateStore.open(new StateContext().directory(dir))) {
 *     System.out.println(store.recoveryReport().describe());
 *     Journal journal = store.journal();
 *     long v = journal.append(journal.newDelta().put("user/1", bytes));
 *     store.awaitApplied(v, 1, TimeUnit.SECONDS);
 *     try (StateReader reader = store.newReader()) { byte[] value = reader.get("user/1"); }
 * }
 * }</pre>
 * {@link #open(StateContext)} recovers automatically and returns when the state is ready: reads then see
 * every version the journal held (see {@link RecoveryReport}). Reads see versions up to
 * {@link #appliedVersion()}, which follows the journal's written version closely.
 */
public final class StateStore implements AutoCloseable
{
    private final StateContext ctx;
    /** The directory lock, held by the store and by an after-open check that may still write index files. */
    private final SharedRelease lock;
    private final Journal journal;
    private final JournalMappedFiles journalFiles;
    private final RecoveryReport report;
    private final Applier applier;
    private final Thread applierThread;
    private final Checkpointer checkpointer;
    private final Thread checkpointerThread;
    /** Which generation each reader is inside (a generation is freed only after its readers left). */
    private final ReaderHazards<StateView> hazards;
    /** Calls in progress on their callers' threads that use the journal and the chain (close waits for them). */
    private final CallGate calls = new CallGate();
    /** Generations replaced (or the last one, at close) and not freed yet: a reader may still be inside. */
    private final List<StateView> retired = new ArrayList<>();
    /** Set while {@link #retired} is not empty, so a reader leaving a generation frees what it held last. */
    private volatile boolean reclaimPending;
    /** At close: free the journal views once the last generation is freed. */
    private boolean journalFilesPending;
    private final CopyOnWriteArrayList<String> damagedFiles = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<String> repairs = new CopyOnWriteArrayList<>();
    /** The Merkle and snapshot-index checks after open: close stops them and does not wait. */
    private final AfterOpenChecks afterOpenChecks;
    private final VersionHistory history;   // version history (docs/history.md); also the Checkpointer's retention hook
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    private final KeyQuarantine quarantine;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StateStore.class);
    /** Off-heap memory of the live overlay and of every generation not yet freed (docs/memory-safety.md). */
    private final OffHeapAccount overlayMemory;

    private StateStore(final StateContext ctx, final RecoveryProcedure.Recovered recovered)
    {
        this.ctx = ctx;
        final DirectoryLock directoryLock = recovered.lock();
        this.lock = new SharedRelease(directoryLock::close);
        this.journal = recovered.journal();
        this.journalFiles = recovered.journalFiles();
        this.report = recovered.report();
        final ChainFiles chain = recovered.chain();
        this.overlayMemory = new OffHeapAccount("overlayMemoryLimit", ctx.overlayMemoryLimit(), false);
        recovered.overlay().moveTo(overlayMemory);   // this and every later generation (Overlay.successor)
        final StateView view = new StateView(chain == null ? StateView.EMPTY : chain,
            chain == null ? 0 : chain.stateVersion(), recovered.overlay());
        this.applier = new Applier(journal, journalFiles, view, recovered.recoveredVersion(),
            ctx.applierIdleStrategySupplier().get(), this::onDamagedBase);
        this.quarantine = recovered.quarantine();
        applier.onQuarantine(quarantine);
        this.hazards = new ReaderHazards<>(applier::view, "state store is closed: directory=" + ctx.directory());
        this.applierThread = new Thread(applier, "engram-applier");
        applierThread.setDaemon(true);
        final SnapshotIndexMaintainer index = ctx.snapshotIndex() ? new SnapshotIndexMaintainer(ctx) : null;
        // after ready, one at a time on their own threads: the Merkle roots the fast path left out, then the
        // snapshot index (an accelerator: checked and rebuilt if needed, never before ready); close stops them
        this.afterOpenChecks = new AfterOpenChecks(ctx.directory(), ctx.backgroundPriority(), chain, index, lock,
            ex -> damagedFiles.add(ex.getMessage()));
        this.history = new VersionHistory(ctx, journal, this::noteRepair, ctx.historyFollowerStep());   // before the checkpointer: its retention asks it
        if (chain != null)
        {
            chain.sortedKeysCache(history.sortedKeysCache());
        }
        if (chain != null && chain.head().info().tagCount() > 0)
        {
            history.expectTags(chain.head().info().tagCount(), chain.head().info().path().toString());
        }
        this.checkpointer = new Checkpointer(ctx, journal, new CheckpointBuilder(ctx, journal, journalFiles,
            new OffHeapAccount("checkpointBuildMemoryLimit", ctx.checkpointBuildMemoryLimit(), true))
            .tagCount(history::tagCount), applier, this,
            index, chain, recovered.nextCheckpointId());
        this.checkpointerThread = ctx.background() ? new Thread(ThreadScheduling.loweredTo(ctx.backgroundPriority(), checkpointer),
            "engram-checkpointer") : null;
        // a Merkle root that does not match after open: replace the chain from what is intact
        afterOpenChecks.merkle().whenComplete((ignored, failure) ->
        {
            if (failure instanceof CheckpointCorruptionException ||
                failure != null && failure.getCause() instanceof CheckpointCorruptionException)
            {
                checkpointer.requestRepair();
            }
        });
        applierThread.start();
        if (checkpointerThread != null)
        {
            checkpointerThread.setDaemon(true);
            checkpointerThread.start();
        }
    }

    /**
     * Keys quarantined since the store opened, oldest first: a journal frame that changed each could not be applied
     * (see {@link QuarantinedKeyException}); reads of such a key are refused until a later PUT or DELETE replaces it.
     * Recovery's replay and the applier report here; the list keeps each key's latest entry (at most 10,000 keys).
     *
     * @return the keys, with the version and reason of each.
     */
    public java.util.List<QuarantinedKey> quarantinedKeys()
    {
        return quarantine.keys();
    }

    /**
     * @return keys quarantined since the store opened (a metric: each frame that could not be applied counts
     * each of its keys).
     */
    public long quarantineCount()
    {
        return quarantine.count();
    }

    /**
     * Open the state in {@code ctx.directory()}, recovering whatever a previous process left, and return it
     * ready to read and append.
     *
     * @throws RecoveryException if the files cannot be turned into a consistent state (names them).
     * @throws dev.engram.journal.EngramJvmFlagsException if the JVM lacks flags Engram needs (before the directory is touched).
     */
    public static StateStore open(final StateContext ctx)
    {
        EngramSystemProperties.apply();
        JvmFlagsCheck.verify();
        ctx.conclude();
        final StateStore store = new StateStore(ctx, RecoveryProcedure.run(ctx));
        store.report.log(LOG, ctx.directory());
        return store;
    }

    /**
     * @return the journal: append deltas here.
     */
    public Journal journal()
    {
        return journal;
    }

    /**
     * @return what open did to recover.
     */
    public RecoveryReport recoveryReport()
    {
        return report;
    }

    /**
     * @return completes when the snapshot index (catalog and key index) has been checked after open,
     * saying whether it had to be rebuilt from the checkpoint files.
     */
    public java.util.concurrent.CompletableFuture<SnapshotIndexReport> snapshotIndexCheck()
    {
        return afterOpenChecks.index();
    }

    /**
     * @return completes when the Merkle roots of the recovered chain have been recomputed after open (the fast
     * restart path leaves them out of the time to ready; each block and the block table are still verified by
     * their CRC32C before anything is served); completes exceptionally with a
     * {@link CheckpointCorruptionException} naming the file and offset if a root does not match, and the file
     * is then listed in {@link #damagedFiles()}; with a {@link java.util.concurrent.CancellationException} if the
     * store closed first (close stops the check at its next block).
     */
    public java.util.concurrent.CompletableFuture<Void> merkleRootCheck()
    {
        return afterOpenChecks.merkle();
    }

    /**
     * @return completes once the checks after open ended and let go of the recovered chain and the directory lock.
     */
    java.util.concurrent.CompletableFuture<Void> afterOpenChecksFinished()
    {
        return afterOpenChecks.finished();
    }

    /**
     * Wait for the checks that run after open (the index check attaches to the recovered chain and updates the
     * snapshot index: the first checkpoint waits for it), giving up when the store closes.
     *
     * @throws StoreClosingException once close has started.
     */
    void awaitAfterOpenChecks()
    {
        final java.util.concurrent.CompletableFuture<Void> finished = afterOpenChecks.finished();
        while (!finished.isDone())
        {
            if (closed.get())
            {
                throw new StoreClosingException("state store is closed: directory=" + ctx.directory() +
                    " (closed while a checkpoint waited for the checks after open)");
            }
            try
            {
                finished.get(10, TimeUnit.MILLISECONDS);
            }
            catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ex)
            {
                // still running (it never completes exceptionally)
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new StoreClosingException("interrupted while waiting for the checks after open: directory=" +
                    ctx.directory());
            }
        }
    }

    /**
     * @return the highest version readers see.
     */
    public long appliedVersion()
    {
        return applier.appliedVersion();
    }

    /**
     * Wait until {@code version} is visible to readers.
     *
     * @return false on timeout.
     */
    public boolean awaitApplied(final long version, final long timeout, final TimeUnit unit)
    {
        if (unit == null)
        {
            throw new IllegalArgumentException("awaitApplied: unit must not be null");
        }
        if (applier.appliedVersion() >= version)
        {
            return true;
        }
        // the applier follows the writer: wait (woken by the writer) until written, then wake the applier
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        journal.awaitWritten(version, timeout, unit);
        return applier.awaitApplied(version, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /**
     * @return a reader for the calling thread (close it when done).
     */
    public StateReader newReader()
    {
        ensureOpen();
        return new StateReader(this, hazards.register());
    }

    /**
     * Checkpoint everything appended before this call, on the calling thread, once it is written (producers do
     * not pause).
     *
     * @return the newest checkpoint, or null if nothing was ever written.
     */
    public CheckpointInfo checkpoint()
    {
        enterCall();
        try
        {
            return checkpointer.checkpointNow();
        }
        catch (final dev.engram.journal.JournalClosingException ex)
        {
            throw closingDuringCall(ex);
        }
        finally
        {
            calls.exit();
        }
    }

    /**
     * Enter a call that uses the journal or the chain on the caller's thread (close waits for it to leave).
     *
     * @throws IllegalStateException if the store is closed (or closing) or failed.
     */
    /**
     * A call in progress met close while the journal's queue was still opening (the wait for it was given up): like any
     * call in progress at close, it fails with the store's closed exception (an {@link IllegalStateException}).
     */
    private StoreClosingException closingDuringCall(final dev.engram.journal.JournalClosingException ex)
    {
        final StoreClosingException closing = new StoreClosingException("state store is closed: directory=" +
            ctx.directory() + " (closed while this call waited for the journal's queue to open)");
        closing.initCause(ex);
        return closing;
    }

    private void enterCall()
    {
        if (!calls.tryEnter())
        {
            throw closedException();
        }
        try
        {
            ensureOpen();
        }
        catch (final RuntimeException ex)
        {
            calls.exit();
            throw ex;
        }
    }

    /**
     * @return true once close has started: long calls give up at their next step.
     */
    boolean isClosing()
    {
        return closed.get();
    }

    private IllegalStateException closedException()
    {
        return new IllegalStateException("state store is closed: directory=" + ctx.directory());
    }

    /**
     * @return checkpoints written since open.
     */
    public long checkpointCount()
    {
        return checkpointer.checkpointCount();
    }

    /**
     * @return of those, delta (incremental) checkpoints.
     */
    public long deltaCheckpointCount()
    {
        return checkpointer.deltaCount();
    }

    /**
     * @return background checkpoint builds given up so an explicit {@link #checkpoint()} could build at once (a
     *         background build runs at a lower priority: {@link StateContext#backgroundPriority()}).
     */
    long checkpointBuildsSuperseded()
    {
        return checkpointer.buildsSuperseded();
    }

    /**
     * @return background builds run on the catch-up thread, at the application's priority, because the builds at the
     *         lowered priority had fallen behind the journal.
     */
    long checkpointCatchUpBuilds()
    {
        return checkpointer.catchUpBuilds();
    }

    /**
     * @return the state version of the checkpoint the current view stands on (0 if none).
     */
    public long checkpointVersion()
    {
        return view().baseVersion();
    }

    /**
     * @return off-heap bytes held by the current overlay.
     */
    public long overlayBytes()
    {
        return view().overlay().offHeapBytes();
    }

    /**
     * @return off-heap bytes reserved by the overlays: the current generation and replaced ones not yet freed (a
     * reader still inside them), with their tables, entries and value blocks in use or free for reuse; 0 after close.
     */
    public long overlayMemoryReserved()
    {
        return overlayMemory.reserved();
    }

    /**
     * @return of {@link #overlayMemoryReserved()}, the bytes holding entries, values and current tables.
     */
    public long overlayMemoryUsed()
    {
        return overlayMemory.used();
    }

    /**
     * @return the highest {@link #overlayMemoryReserved()} since open.
     */
    public long overlayMemoryPeak()
    {
        return overlayMemory.peak();
    }

    /**
     * @return off-heap bytes held by the checkpoint build in progress (its overlay of the changes and tail records);
     * 0 between builds. Limited by {@link StateContext#checkpointBuildMemoryLimit()}.
     */
    public long checkpointBuildMemoryReserved()
    {
        return checkpointer.builder().memory().reserved();
    }

    /**
     * @return the highest {@link #checkpointBuildMemoryReserved()} since open.
     */
    public long checkpointBuildMemoryPeak()
    {
        return checkpointer.builder().memory().peak();
    }

    /**
     * @return checkpoint files found damaged since open (never deleted automatically).
     */
    public List<String> damagedFiles()
    {
        return List.copyOf(damagedFiles);
    }

    /**
     * @return the directory.
     */
    public Path directory()
    {
        return ctx.directory();
    }

    /**
     * What the state directory takes on disk now, by part (journal, blocks reserved ahead of the journal writer,
     * checkpoints, index maps, key history index, history anchors, other), beside an estimate of the state's own size.
     * Walks the directory (a system call or three per file): for a report or a gauge polled now and then, not for a hot
     * loop.
     *
     * @return the parts.
     * @throws IllegalStateException if the store is closed.
     */
    public DiskUsage diskUsage()
    {
        ensureOpen();
        long live = 0;
        if (view().base() instanceof ChainFiles chain)
        {
            live = chain.baseRawBytes();
        }
        return DiskUsage.of(ctx.directory(), journal.reservedAheadBytes(), live);
    }

    StateView view()
    {
        return applier.view();
    }

    boolean isApplierRunning()
    {
        return applierThread.isAlive();
    }

    void noteDamagedFile(final Path file, final RuntimeException ex)
    {
        damagedFiles.addIfAbsent(file + ": " + ex.getMessage());
    }

    /**
     * A read met a damaged checkpoint block: note the file and have the checkpointer replace the chain from what
     * is intact (the read itself is refused with the exception).
     */
    void onDamagedRead(final CheckpointCorruptionException ex)
    {
        if (damagedFiles.addIfAbsent(ex.file() + ": " + ex.getMessage()))
        {
            LOG.warn("damaged checkpoint block found after open, reads of its keys are refused and the chain is " +
                "rebuilt in the background from what is intact: {}", ex.getMessage());
        }
        checkpointer.requestRepair();
    }

    /**
     * The applier met a frame that needs a damaged checkpoint block: it waits for the repaired chain.
     */
    private void onDamagedBase(final CheckpointCorruptionException ex)
    {
        onDamagedRead(ex);
    }

    /**
     * @return why reads stopped advancing (a frame needs a damaged checkpoint block being repaired), or null.
     */
    public String applierStalledReason()
    {
        return applier.stalledReason();
    }

    /**
     * @return the last background checkpoint failure not yet followed by a success (e.g. a full disk; it is
     * retried with back-off while reads and appends go on), or null.
     */
    public CheckpointException lastCheckpointFailure()
    {
        return checkpointer.lastFailure();
    }

    void noteRepair(final String what)
    {
        repairs.add(what);
        LOG.warn("repaired in {}: {}", ctx.directory(), what);
    }

    /**
     * @return what was repaired since open: each damaged checkpoint chain replaced by a full checkpoint rebuilt
     * from an intact older chain plus the journal (see {@link #damagedFiles()} for what was found damaged).
     */
    public List<String> repairs()
    {
        return List.copyOf(repairs);
    }

    void ensureOpen()
    {
        if (closed.get())
        {
            throw closedException();
        }
        final Throwable failure = applier.failure() != null ? applier.failure() : checkpointer.failure();
        if (failure != null)
        {
            throw new IllegalStateException("state store failed: " + failure, failure);
        }
    }

    /**
     * A generation replaced by a newer checkpoint: released once no reader is inside it.
     */
    void retire(final StateView view)
    {
        synchronized (retired)
        {
            retired.add(view);
            reclaimPending = true;
        }
        reclaim();
    }

    /**
     * @return true while a replaced generation waits for its last reader.
     */
    boolean reclaimPending()
    {
        return reclaimPending;
    }

    /**
     * Free the retired generations no reader is inside (any thread; readers call it as they leave while
     * {@link #reclaimPending()}).
     */
    void reclaim()
    {
        synchronized (retired)
        {
            retired.removeIf(view ->
            {
                if (hazards.isProtected(view))
                {
                    return false;
                }
                release(view);
                return true;
            });
            reclaimPending = !retired.isEmpty();
            if (!reclaimPending && journalFilesPending)
            {
                journalFilesPending = false;
                journalFiles.close();   // the overlays' journal references pointed into these views
            }
        }
    }

    private static void release(final StateView view)
    {
        view.overlay().close();
        if (view.base() instanceof ChainFiles chain)
        {
            chain.close();
        }
    }

    /**
     * Pin what a backup of this open store reads ({@link BackupSource}): the version is the journal's written
     * version once what was appended before this call is written (or {@code syncWaitMs} passed), then synced (a
     * group commit led here, never a pause of the writers; best effort within {@code syncWaitMs}); the chain at or
     * before it and the journal after that chain stay until the source is closed.
     *
     * @param syncWaitMs how long to wait for what was appended to be written, then for it to be synced.
     * @throws IllegalStateException if the store holds no written version yet, or is closed.
     */
    public BackupSource openBackupSource(final long syncWaitMs)
    {
        enterCall();
        try
        {
            final long appended = journal.lastAppendedVersion();
            if (appended > 0)
            {
                journal.awaitWritten(appended, syncWaitMs, TimeUnit.MILLISECONDS);
            }
            final long version = journal.writtenVersion();
            if (version < 1)
            {
                throw new IllegalStateException("nothing to back up: the store at " + ctx.directory() +
                    " holds no written version yet");
            }
            // best effort: the source has what the backup holds on its own disk too (the copy itself reads the
            // written frames, complete in the mapped files whether forced or not)
            journal.awaitSynced(version, syncWaitMs, TimeUnit.MILLISECONDS);
            final dev.engram.recovery.internal.history.HistoryRetention retention = history.retention();
            final dev.engram.recovery.internal.history.HistoryRetention.Pin pin = retention.pinForBackup(version);
            try
            {
                final long chainVersion = pin.head() == null ? 0 : pin.head().stateVersion();
                final long[] first = frameLocation(Math.min(Math.max(chainVersion + 1, 1), version));
                final long[] last = frameLocation(version);
                final java.util.List<BackupSource.JournalFile> files = new ArrayList<>();
                final dev.engram.journal.internal.CycleFiles cycles =
                    new dev.engram.journal.internal.CycleFiles(ctx.journalDirectory(), ctx.journal().rollCycle());
                for (final java.util.Map.Entry<Integer, java.io.File> cycle :
                    cycles.list().subMap((int)first[0], true, (int)last[0], true).entrySet())
                {
                    final long length = cycle.getValue().length();
                    files.add(new BackupSource.JournalFile(cycle.getValue().toPath(),
                        cycle.getKey() == (int)last[0] ? last[1] : length, length));
                }
                return new BackupSource(ctx.directory(), version, last[2], chainVersion, pin.files(), files,
                    () -> retention.release(pin));
            }
            catch (final RuntimeException ex)
            {
                retention.release(pin);
                throw ex;
            }
        }
        catch (final dev.engram.journal.JournalClosingException ex)
        {
            throw closingDuringCall(ex);
        }
        finally
        {
            calls.exit();
        }
    }

    /** The cycle of the frame at {@code version}, the end of its document in the cycle file, and its timestamp. */
    private long[] frameLocation(final long version)
    {
        final long[] location = {Integer.MIN_VALUE, -1, -1};
        try (dev.engram.journal.JournalReader reader = journal.newReader())
        {
            reader.replay(version, version, frame ->
            {
                location[0] = frame.cycle();
                location[1] = (frame.filePosition() + frame.frameLength() + 3) & ~3L;
                location[2] = frame.timestampEpochNs();
            });
        }
        if (location[1] < 0)
        {
            throw new RecoveryException("journal frame version=" + version + " was not found in " +
                ctx.journalDirectory() + " while pinning a backup");
        }
        return location;
    }

    /**
     * Stop the checkpointer (a build in progress gives up at its next step), let calls in progress on other
     * threads finish or fail with {@link IllegalStateException}, apply what is written, close the journal
     * (drain, sync), mark a clean shutdown and release the directory. Memory a reader is still inside when the
     * wait for readers ({@link StateContext#closeReaderWaitMs()}) ends is freed by that reader as it leaves;
     * nothing is freed under a reader. Idempotent; a second concurrent close returns at once.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        hazards.close();          // new reads are refused from here on
        checkpointer.stop();
        journal.stopWaitingForQueue();   // threads waiting for a background open's queue stop: nothing to read yet
        calls.closeAndAwait(Long.MAX_VALUE, TimeUnit.NANOSECONDS);   // they notice the close at their next step
        history.close();   // snapshots still open: their journal views go with the journal
        afterOpenChecks.stop();   // not awaited: each check frees the chain (and the lock) it shares when it ends
        Threads.joinUninterruptibly(checkpointerThread);
        applier.stop();
        Threads.joinUninterruptibly(applierThread);
        // while the journal's queue still opens, this returns once what was appended is forced in its bridge file; the
        // journal thread then copies it into the queue and closes the journal by itself (Journal.closeAsync)
        final java.util.concurrent.CompletableFuture<Void> journalClosed = journal.closeAsync();
        awaitReadersGone(ctx.closeReaderWaitMs());
        synchronized (retired)
        {
            retired.add(applier.view());
            reclaimPending = true;
            journalFilesPending = true;
        }
        reclaim();
        awaitAtMost(journalClosed, ctx.closeJournalWaitMs());
        if (!journalClosed.isDone() && lock.tryShare())
        {
            // the lock (and the clean-shutdown record) wait for the journal: a reopen in this JVM waits for both
            journalClosed.whenComplete((ignored, failure) ->
            {
                try
                {
                    if (failure == null)
                    {
                        markCleanShutdownIfNothingFailed();
                    }
                }
                finally
                {
                    lock.leave();
                }
            });
            releaseDirectory();
            return;
        }
        final RuntimeException journalFailure = failureOf(journalClosed);   // e.g. the disk filled up: said after release
        if (journalFailure == null)
        {
            markCleanShutdownIfNothingFailed();
        }
        releaseDirectory();
        if (journalFailure != null)
        {
            throw journalFailure;
        }
    }

    private void markCleanShutdownIfNothingFailed()
    {
        // a journal closed before its queue opened keeps its last versions in the bridge file only (the next open copies
        // them into the queue): the record names what the queue's files hold, the version the journal was opened after,
        // so the reopen is a clean one and still finds any loss of the queue's own versions
        if (applier.failure() == null && checkpointer.failure() == null)
        {
            RecoveryProcedure.markCleanShutdown(ctx.directory(),
                journal.closedWithFramesInBridge() ? journal.openedAfterVersion() : journal.writtenVersion());
        }
    }

    private static void awaitAtMost(final java.util.concurrent.CompletableFuture<Void> future, final long ms)
    {
        if (ms == Long.MAX_VALUE)
        {
            future.handle((ignored, failure) -> null).join();
            return;
        }
        try
        {
            future.get(ms, TimeUnit.MILLISECONDS);
        }
        catch (final java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException ex)
        {
            // not done in time (the journal finishes by itself), or failed (said below)
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return completes once this store is closed and its directory released: with {@code close()} unless the
     *         store was closed while its journal's queue was still opening with a bound on
     *         {@link StateContext#closeJournalWaitMs(long)}.
     */
    public java.util.concurrent.CompletableFuture<Void> closed()
    {
        return lock.released();
    }

    private static RuntimeException failureOf(final java.util.concurrent.CompletableFuture<Void> closed)
    {
        try
        {
            closed.join();
            return null;
        }
        catch (final java.util.concurrent.CompletionException ex)
        {
            return ex.getCause() instanceof RuntimeException runtime ? runtime : ex;
        }
    }

    /**
     * The store lets go of the directory lock: released now, or by an after-open check still inside an uninterruptible
     * step as it ends; an open of the directory in this JVM waits for that.
     */
    private void releaseDirectory()
    {
        if (!lock.leave())
        {
            AfterOpenChecks.noteDirectoryPending(ctx.directory(), lock.released());
        }
    }

    private void awaitReadersGone(final long waitMs)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
        long pauseNs = 10_000;
        while (hazards.anyProtected() && System.nanoTime() - deadline < 0)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(pauseNs);
            pauseNs = Math.min(pauseNs * 2, TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    // ---- version history: delegates to VersionHistory (docs/history.md) ----

    dev.engram.recovery.internal.ordered.SortedKeysCache sortedKeysCache()
    {
        return history.sortedKeysCache();
    }

    /**
     * The whole state as it was at {@code version} (deltas 1..version applied), read-only, built from the nearest
     * checkpoint at or before it plus the journal after it; the live store keeps running meanwhile.
     *
     * @param version any version in {@link #historyRange()}.
     * @return the snapshot: close it.
     * @throws VersionUnavailableException if the version is older than retention keeps or newer than the
     *                                     journal's written version (names both ends of the range).
     */
    public StateSnapshot stateAt(final long version)
    {
        enterCall();
        try
        {
            awaitWrittenIfApplied(version);
            return history.stateAt(version);
        }
        catch (final dev.engram.journal.JournalClosingException ex)
        {
            throw closingDuringCall(ex);
        }
        finally
        {
            calls.exit();
        }
    }

    /**
     * The state at the last version whose delta the journal stamped at or before {@code instant} (the empty
     * state, version 0, if the journal still starts at version 1 and its first delta is later).
     *
     * @throws VersionUnavailableException if that version is no longer available, or the instant precedes the
     *                                     oldest delta the journal holds.
     */
    public StateSnapshot stateAt(final java.time.Instant instant)
    {
        if (instant == null)
        {
            throw new IllegalArgumentException("stateAt: instant must not be null (use stateAt(version) for a version)");
        }
        enterCall();
        try
        {
            return history.stateAt(instant);
        }
        catch (final dev.engram.journal.JournalClosingException ex)
        {
            throw closingDuringCall(ex);
        }
        finally
        {
            calls.exit();
        }
    }

    /**
     * @return the versions {@link #stateAt(long)} can rebuild now, and where the journal starts.
     */
    public HistoryRange historyRange()
    {
        enterCall();
        try
        {
            return history.range();
        }
        catch (final dev.engram.journal.JournalClosingException ex)
        {
            throw closingDuringCall(ex);
        }
        finally
        {
            calls.exit();
        }
    }

    /**
     * Wait until the history's background follower (docs/history.md, "Key history index" and "History anchors")
     * has indexed {@code version} and built the anchors due up to it: from then on {@code history(key)} reads no
     * journal frame up to it and {@code stateAt} replays at most an anchor interval. Answers are right either way.
     *
     * @return false if that did not happen within the timeout (or the index is off: then true at once).
     */
    public boolean awaitHistoryIndexed(final long version, final long timeout, final TimeUnit unit)
    {
        try
        {
            return history.awaitIndexed(version, unit.toMillis(timeout));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * @return every op on {@code key} in the journal, oldest first; {@link KeyHistory#fromVersion()} says where
     * the journal (as far back as retention keeps it) starts.
     */
    public KeyHistory history(final String key)
    {
        return history(key, 0, Long.MAX_VALUE);
    }

    /**
     * @return every op on {@code key} with a version in {@code [fromVersion, toVersion]}, clamped to the journal.
     */
    public KeyHistory history(final String key, final long fromVersion, final long toVersion)
    {
        enterCall();
        try
        {
            return history.history(key, fromVersion, toVersion);
        }
        catch (final dev.engram.journal.JournalClosingException ex)
        {
            throw closingDuringCall(ex);
        }
        finally
        {
            calls.exit();
        }
    }

    /**
     * @return keys added, changed (by value) and removed from the state at {@code fromVersion} to the state at
     * {@code toVersion}.
     * @throws VersionUnavailableException if either version is outside {@link #historyRange()}.
     */
    public StateDiff diff(final long fromVersion, final long toVersion)
    {
        enterCall();
        try
        {
            awaitWrittenIfApplied(Math.max(fromVersion, toVersion));
            return history.diff(fromVersion, toVersion);
        }
        catch (final dev.engram.journal.JournalClosingException ex)
        {
            throw closingDuringCall(ex);
        }
        finally
        {
            calls.exit();
        }
    }

    /**
     * Name a version (0..written), durably (kept in {@code <directory>/version-tags}, survives restarts). A tag
     * does not hold back retention.
     *
     * @throws IllegalStateException if the name already tags another version.
     */
    public void tag(final String name, final long version)
    {
        enterCall();
        try
        {
            history.tag(name, version);
        }
        catch (final dev.engram.journal.JournalClosingException ex)
        {
            throw closingDuringCall(ex);
        }
        finally
        {
            calls.exit();
        }
    }

    /**
     * @return true if the tag existed and was removed.
     */
    public boolean untag(final String name)
    {
        requireTagName(name);
        enterCall();
        try
        {
            return history.untag(name);
        }
        catch (final dev.engram.journal.JournalClosingException ex)
        {
            throw closingDuringCall(ex);
        }
        finally
        {
            calls.exit();
        }
    }

    /**
     * @return tag name → version, sorted by name.
     */
    public java.util.SortedMap<String, Long> tags()
    {
        enterCall();
        try
        {
            return history.tags();
        }
        catch (final dev.engram.journal.JournalClosingException ex)
        {
            throw closingDuringCall(ex);
        }
        finally
        {
            calls.exit();
        }
    }

    /**
     * @throws IllegalArgumentException if there is no such tag.
     */
    public long versionOfTag(final String name)
    {
        requireTagName(name);
        enterCall();
        try
        {
            return history.versionOfTag(name);
        }
        catch (final dev.engram.journal.JournalClosingException ex)
        {
            throw closingDuringCall(ex);
        }
        finally
        {
            calls.exit();
        }
    }

    private static void requireTagName(final String name)
    {
        if (name == null)
        {
            throw new IllegalArgumentException("tag name must not be null");
        }
    }

    /**
     * The applier reads a frame as soon as it is complete in the queue, a moment before the journal publishes it
     * as written: a version a reader already sees is available to history once the journal catches up.
     */
    private void awaitWrittenIfApplied(final long version)
    {
        if (version > journal.writtenVersion() && version <= applier.appliedVersion())
        {
            journal.awaitWritten(version, 60, TimeUnit.SECONDS);
        }
    }

    VersionHistory versionHistory()
    {
        return history;
    }

    /**
     * @return the first journal version retention keeps now (every rule: kept chains, history window, pins, live
     * generations, history follower); the cycle files wholly before it are removed at the next retention.
     */
    long journalKeptFrom()
    {
        return history.retention().journalKeepFrom(oldestLiveBaseVersion());
    }

    /**
     * @return the oldest checkpoint version a state generation still in use stands on (the current one, or a
     * retired one a reader still holds): the journal after it must stay (its overlay points into it).
     */
    long oldestLiveBaseVersion()
    {
        synchronized (retired)
        {
            long oldest = view().baseVersion();
            for (final StateView view : retired)
            {
                oldest = Math.min(oldest, view.baseVersion());
            }
            return oldest;
        }
    }
}
