package dev.engram.journal;

import dev.engram.journal.internal.DirectoryLock;
import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.journal.internal.Threads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The journal: deltas in, dense versions out, frames on disk in a Chronicle Queue.
 * <pre>{@code
 * try (Journal journal = Journal.open(new JournalContext().directory(dir))) {
 *     Delta delta = journal.newDelta();                  // one per producer thread, reused
 *     long v = journal.append(delta.clear().put("user/42", bytes));
 *     journal.awaitSynced(v, 1, TimeUnit.SECONDS);       // only if you need it on disk now
 * }
 * }</pre>
 * {@link #append(Delta)} is safe from any number of threads, lock-free and allocation-free for deltas
 * that fit a ring slot: it copies the delta into preallocated off-heap memory and publishes it. The
 * journal thread writes frames to the queue; the sync thread forces them to disk per {@link SyncPolicy}.
 * Versions are dense and equal journal order across all producers.
 * <p>
 * Durability: {@link #writtenVersion()} = complete in the mapped journal, survives the process dying;
 * {@link #syncedVersion()} = forced to disk, survives the machine dying.
 */
public final class Journal implements AutoCloseable
{
    /** Returned by {@link #tryAppend(Delta)} when the ring is full. */
    public static final long BACK_PRESSURED = -1;

    private static final String LOCK_FILE = "engram-journal.lock";

    // a facade over one part per role: producers (DeltaPublisher, JournalBackPressure), the queue open or opening
    // (JournalOpening -> JournalBackend: writer agent, syncer, store), progress and waits (JournalProgress),
    // retention (JournalRetention); frames are written by DeltaFrameEncoder only
    private final JournalContext ctx;
    private final DirectoryLock lock;
    private final ManyToOneDeltaRing ring;
    private final long baseVersion;
    private final JournalProgress progress;
    private final JournalOpening opening;
    private final JournalBackPressure backPressure;
    private final DeltaPublisher publisher;
    private final Thread writerThread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    /** The journal's bookkeeping files as {@link #open} found them (null for a background open). */
    private BookkeepingFiles bookkeepingBeforeOpen;

    /**
     * @param opened the queue, already open ({@link #open}), or null: then the writer thread opens it first and
     *               expects it to end at {@code baseVersion} ({@link #openInBackground}).
     */
    private Journal(final JournalContext ctx, final DirectoryLock lock, final JournalBackend.OpenedStore opened,
        final long baseVersion, final long startNs, final Runnable beforeOpen, final JournalBridgeContents bridge)
    {
        this.ctx = ctx;
        this.lock = lock;
        this.baseVersion = baseVersion;
        this.ring = new ManyToOneDeltaRing(ctx.ringSlotCount(), ctx.ringSlotLength(), ctx.ringArenaLength());
        this.progress = new JournalProgress(baseVersion, ring::close, ctx.writerSpinAfterWaitNs());
        this.progress.synced(baseVersion);
        this.opening = new JournalOpening(ctx, ring, baseVersion, progress);
        this.backPressure = new JournalBackPressure(ctx, ring, opening);
        this.publisher = new DeltaPublisher(ctx, ring, baseVersion, progress, backPressure);
        final Runnable writerBody;
        if (opened != null)
        {
            // opened on the caller's thread, which paid the queue's open already: the arena too, so no large
            // delta appended right after open takes the heap path (a background open leaves it to the writer)
            ring.allocateArena();
            writerBody = opening.opened(JournalBackend.start(ctx, opened, ring, baseVersion, progress, bridge, null)).writer;
        }
        else
        {
            writerBody = () -> opening.openThenWrite(startNs, beforeOpen);
        }
        this.writerThread = new Thread(() ->
        {
            ring.allocateArena();
            writerBody.run();
        }, "engram-journal-writer");
        writerThread.setDaemon(true);
        progress.writerThread(writerThread);
        writerThread.start();
    }

    /**
     * Open (creating if absent) the journal in {@code ctx.directory()}, continuing after its last
     * complete frame. A torn tail left by a crash is retired (see {@link JournalOpenReport}).
     *
     * @param ctx configuration; concluded here.
     * @return the open journal.
     * @throws JournalException if the directory is held by another process or cannot be opened.
     */
    public static Journal open(final JournalContext ctx)
    {
        EngramSystemProperties.apply();
        JvmFlagsCheck.verify();
        final long startNs = System.nanoTime();
        ctx.conclude();
        JournalClosings.awaitClosed(ctx.directory());
        final DirectoryLock lock = DirectoryLock.acquire(ctx.directory(), LOCK_FILE);
        final BookkeepingFiles before = new BookkeepingFiles(ctx.directory());
        JournalBackend.OpenedStore opened = null;
        JournalBridgeContents bridge = null;
        boolean bridgeRefused = false;
        try
        {
            // a bridge a background open left (the process died before its frames were in the queue): a damaged header
            // is refused before the queue's open changes anything; its frames are copied into the queue first
            bridge = JournalBridgeContents.readIfPresent(ctx.directory());
            opened = JournalBackend.openStore(ctx, startNs);
            if (bridge != null)
            {
                bridgeRefused = true;
                JournalBridgeCopy.check(opened.store, bridge, opened.tail.lastVersion);
                bridgeRefused = false;
            }
            if (opened.tail.tornFrames > 0)
            {
                JournalBackend.writeTrimFrame(opened);
            }
            final long lastVersion = bridge == null ? opened.tail.lastVersion :
                Math.max(opened.tail.lastVersion, bridge.lastVersion());
            final Journal journal = new Journal(ctx, lock, opened, lastVersion, startNs, null, bridge);
            journal.bookkeepingBeforeOpen = before;
            if (bridge != null)
            {
                org.slf4j.LoggerFactory.getLogger(Journal.class).warn("journal in {}: {}", ctx.directory(),
                    journal.openReport().bridgeCopied());
            }
            return journal;
        }
        catch (final RuntimeException ex)
        {
            if (opened != null)
            {
                opened.store.close();
                if (bridgeRefused && opened.tailCleared == null && opened.indexRepaired == null && opened.losses.isEmpty() &&
                    opened.store.discardedCycleFiles().isEmpty() && opened.store.metadataRebuilt() == null)
                {
                    // nothing written: the refusal leaves the bookkeeping files as the open found them
                    before.restore(ex);
                    opened.store.undoOpen(ex);
                }
            }
            lock.close();
            throw ex;
        }
        finally
        {
            if (bridge != null)
            {
                bridge.close();
            }
        }
    }

    /**
     * Open a journal whose frames the caller has already read and verified up to {@code lastVersion} (recovery's
     * own scan of the cycle files), taking appends at once: versions continue after {@code lastVersion} and
     * deltas wait in the ring while the Chronicle queue opens on the writer thread (in a fresh JVM that is
     * mostly class loading: ~0.4-0.8 s on 2 cores). Nothing is written until the opened queue is found to end
     * at exactly {@code lastVersion} with no torn frame; if it does not, the journal fails without writing
     * anything (appends and waits throw a {@link JournalException} that says so). Methods that need the queue
     * ({@link #newReader()}, {@link #newMappedFiles()}, {@link #openReport()}, {@link #truncateBefore}) wait
     * for the open; {@link #isQueueOpen()} says whether it has finished.
     *
     * @param ctx         configuration; concluded here.
     * @param lastVersion the version of the journal's last complete frame (0 if it is empty).
     * @return the journal, taking appends.
     * @throws JournalException if the directory is held by another process.
     */
    public static Journal openInBackground(final JournalContext ctx, final long lastVersion)
    {
        return openInBackground(ctx, lastVersion, ctx.beforeQueueOpen());
    }

    /**
     * As {@link #openInBackground(JournalContext, long)}, running {@code beforeOpen} on the writer thread before the
     * queue opens (tests hold the open back with it).
     */
    static Journal openInBackground(final JournalContext ctx, final long lastVersion, final Runnable beforeOpen)
    {
        if (lastVersion < 0)
        {
            throw new IllegalArgumentException("lastVersion=" + lastVersion + " must be >= 0");
        }
        EngramSystemProperties.apply();
        JvmFlagsCheck.verify();
        final long startNs = System.nanoTime();
        ctx.conclude();
        JournalClosings.awaitClosed(ctx.directory());
        final DirectoryLock lock = DirectoryLock.acquire(ctx.directory(), LOCK_FILE);
        try
        {
            if (java.nio.file.Files.exists(JournalBridgeContents.path(ctx.directory())) ||
                java.nio.file.Files.exists(JournalBridgeMark.path(ctx.directory())))
            {
                throw new JournalException("journal in " + ctx.directory() + " has a bridge file (" +
                    JournalBridgeDescriptor.FILE_NAME + ") or its mark a background open left when its process died: open it with " +
                    "Journal.open, which copies the bridge's frames into the queue before it returns");
            }
            return new Journal(ctx, lock, null, lastVersion, startNs, beforeOpen, null);
        }
        catch (final RuntimeException ex)
        {
            lock.close();
            throw ex;
        }
    }

    /**
     * @return true once the Chronicle queue is open (at once for {@link #open}); false while a background open
     *         runs, or if it failed.
     */
    public boolean isQueueOpen()
    {
        return opening.isOpen();
    }

    /**
     * @return true if this journal was closed while its background open was still in Chronicle's cold start (the open
     *         was cancelled, the queue never opened) and its bridge file holds the versions appended meanwhile, forced:
     *         the next {@link #open} copies them into the queue. A clean-shutdown record must not claim them, since
     *         the queue's files do not hold them yet.
     */
    public boolean closedWithFramesInBridge()
    {
        return opening.framesLeftInBridge();
    }

    /**
     * @return the queue's last version when this journal was opened: a journal opened in the background continues
     *         after it, and its queue's files end there until the queue is open (also after a close that cancelled the
     *         open: {@link #closedWithFramesInBridge()}).
     */
    public long openedAfterVersion()
    {
        return baseVersion;
    }

    /**
     * @return a delta builder with this journal's limits (keep one per producer thread).
     */
    public Delta newDelta()
    {
        return new Delta(ctx.maxKeyLength(), ctx.maxDeltaLength());
    }

    /**
     * Append a delta as the next version, applying the back-pressure policy when the ring is full (or, for a
     * delta longer than a ring slot, the ring's arena: see {@link JournalContext#ringArenaLength(int)}).
     *
     * @param delta the ops (copied; the builder may be cleared and reused at once).
     * @return the delta's version.
     * @throws IllegalArgumentException     if the delta is empty or larger than the journal allows.
     * @throws IllegalStateException        if the journal is closed.
     * @throws JournalBackPressureException if the ring or the arena stayed full within the policy.
     * @throws JournalException             if the journal thread failed.
     */
    public long append(final Delta delta)
    {
        return publisher.append(delta);
    }

    /**
     * Append a delta unless the ring (or, for a delta longer than a slot, its arena) is full.
     *
     * @param delta the ops.
     * @return the delta's version, or {@link #BACK_PRESSURED}.
     */
    public long tryAppend(final Delta delta)
    {
        return publisher.tryAppend(delta);
    }

    /**
     * @return the highest version handed out by append (may not be written yet).
     */
    public long lastAppendedVersion()
    {
        return baseVersion + ring.claimedSequence();
    }

    /**
     * @return the highest version complete in the mapped journal (survives the process dying).
     */
    public long writtenVersion()
    {
        return progress.writtenVersion();
    }

    /**
     * @return frame bytes the journal thread has written since this journal was opened.
     */
    public long writtenBytes()
    {
        return progress.writtenBytes();
    }

    /**
     * @return the highest version forced to disk (survives the machine dying).
     */
    public long syncedVersion()
    {
        return Math.max(progress.syncedVersion(), opening.bridgeSyncedVersion());
    }

    /**
     * Wait until {@code version} is written.
     *
     * @return true if it was, false on timeout.
     * @throws JournalException if the journal thread failed first.
     */
    public boolean awaitWritten(final long version, final long timeout, final TimeUnit unit)
    {
        return progress.await(false, version, timeout, unit);
    }

    /**
     * Wait until {@code version} is synced: once it is written, the calling thread forces the journal itself if
     * no force is running (covering every version written so far, for every waiter); otherwise the running or
     * the next force covers it (group commit with the other waiters and the sync thread).
     *
     * @return true if it was, false on timeout.
     * @throws JournalException if the journal failed first.
     */
    public boolean awaitSynced(final long version, final long timeout, final TimeUnit unit)
    {
        if (version > lastAppendedVersion())
        {
            throw new IllegalArgumentException("version=" + version + " was never appended: lastAppendedVersion=" +
                lastAppendedVersion());
        }
        if (syncedVersion() >= version)
        {
            return true;
        }
        return opening.awaitSynced(version, timeout, unit);
    }

    /**
     * Ask the sync thread to force everything appended so far; returns at once.
     */
    public void requestSync()
    {
        opening.requestSync(lastAppendedVersion());
    }

    /**
     * For an owner about to close the journal (a state store): a thread still waiting for a background open's queue
     * ({@link #newReader()}, {@link #newMappedFiles()}, {@link #openReport()}) stops waiting and gets a
     * {@link JournalClosingException}, so the owner's close need not wait for the queue to open. Nothing else changes:
     * appends are taken and written until {@link #close()}.
     */
    public void stopWaitingForQueue()
    {
        opening.abandonWaits();
    }

    /**
     * @return a new reader (one per thread; close it when done).
     * @throws JournalClosingException if the queue is still opening and {@link #stopWaitingForQueue()} was called.
     */
    public JournalReader newReader()
    {
        ensureOpen();
        return new JournalReader(opening.backend().store);
    }

    /**
     * Not API: for the recovery module's applier, which applies what the journal writes while a background open's queue
     * still opens, so a thread reads its own commit right after a reopen; the returned type is in
     * {@code dev.engram.journal.internal} and may change without notice.
     *
     * @param fromVersion the first version to deliver.
     * @return a follower of the bridge file (close it when done), or null if the queue is open already (follow it with
     *         {@link #newReader()}).
     */
    public dev.engram.journal.internal.JournalBridgeFollower newBridgeFollower(final long fromVersion)
    {
        ensureOpen();
        if (opening.isOpen())
        {
            return null;
        }
        return new dev.engram.journal.internal.JournalBridgeFollower(JournalBridgeContents.path(ctx.directory()),
            progress::writtenVersion, opening::isSettled, fromVersion);
    }

    /**
     * Not API: for the recovery module, which maps the journal's cycle files directly; the returned type is in
     * {@code dev.engram.journal.internal} and may change without notice.
     *
     * @return read-only mappings of this journal's cycle files (close when done; views die with it).
     */
    public JournalMappedFiles newMappedFiles()
    {
        ensureOpen();
        return new JournalMappedFiles(opening.backend().store.cycleFiles());
    }

    /**
     * @return what open found at the end of the journal.
     */
    public JournalOpenReport openReport()
    {
        return opening.backend().openReport;
    }

    /**
     * Close a journal its caller refuses right after {@link #open} (recovery found the state it continues unusable:
     * a damaged frame in the tail it replays, a checkpoint the journal cannot follow), putting the directory back as
     * the open found it where it can: when the open wrote no frame (no torn tail retired), moved no file aside,
     * accepted no loss and nothing was appended since, the files only its bookkeeping rewrote (the manifest, its
     * reserve and Chronicle's {@code metadata.cq4t}) get their bytes back. Otherwise it is a plain {@link #close()}.
     *
     * @param refusal why the caller refuses; failures to close or put back are added to it as suppressed.
     */
    public void closeRefusedOpen(final Throwable refusal)
    {
        final JournalBackend current = opening.current();
        final boolean untouched = bookkeepingBeforeOpen != null && current != null &&
            current.openReport.tornFrames() == 0 && current.openReport.discardedCycleFiles().isEmpty() &&
            current.openReport.losses().isEmpty() && current.openReport.metadataRebuilt() == null &&
            current.openReport.tailCleared() == null && current.openReport.indexRepaired() == null &&
            current.openReport.bridgeCopied() == null &&
            lastAppendedVersion() == current.openReport.lastVersion();
        try
        {
            close();
        }
        catch (final RuntimeException ex)
        {
            refusal.addSuppressed(ex);
            return;
        }
        if (untouched)
        {
            bookkeepingBeforeOpen.restore(refusal);
            current.store.undoOpen(refusal);   // metadata.cq4t, from the copy the store kept as it opened
        }
    }

    /**
     * @return the journal's directory.
     */
    public java.nio.file.Path directory()
    {
        return ctx.directory();
    }

    /**
     * @return times a producer found the ring full.
     */
    public long backPressureEvents()
    {
        return backPressure.events();
    }

    /**
     * @return deltas that fit neither a ring slot nor the ring's arena (longer than {@code ringArenaLength / 4},
     *         no arena, or appended during a background open before the journal thread allocated it) and were
     *         copied to a heap array
     *         instead: the only appends that allocate.
     */
    public long heapFrameCount()
    {
        return publisher.heapFrameCount();
    }

    /**
     * @return ring slots holding deltas not yet written.
     */
    public long ringOccupancy()
    {
        return ring.occupancy();
    }

    /**
     * @return forces the sync thread has done.
     */
    public long syncCount()
    {
        final JournalBackend current = opening.current();
        return current == null ? 0 : current.syncer.forceCount();
    }

    /**
     * @return cycle files ended by size since open ({@link JournalContext#rollBytes()}), besides those the roll cycle
     *         ended by time.
     */
    public long sizeRolls()
    {
        final JournalBackend current = opening.current();
        return current == null ? 0 : current.store.sizeRolls();
    }

    /**
     * @return bytes of disk reserved ({@code fallocate}) past the data of the cycle file being written, so that a full
     *         disk stops the writer with an exception rather than a SIGBUS: about 1-2 × ({@code maxDeltaLength} + 1 MiB).
     *         Allocated, but holding no data yet (so {@code FileSpace}-style counts of data bytes leave it out).
     */
    public long reservedAheadBytes()
    {
        final JournalBackend current = opening.current();
        return current == null ? 0 : current.writer.reservedAheadBytes();
    }

    /**
     * Remove whole cycle files that hold only versions before {@code version}. The newest cycle is never
     * removed. Safe while producers append: the writer only touches the newest cycle.
     *
     * @param version versions before it may go.
     * @return the number of cycle files removed.
     */
    public synchronized int truncateBefore(final long version)
    {
        ensureOpen();
        final JournalBackend current = opening.backend();
        return JournalRetention.truncateBefore(current.store, current.manifest, version);
    }

    private void ensureOpen()
    {
        if (closed.get())
        {
            throw new IllegalStateException("journal is closed: directory=" + ctx.directory());
        }
    }

    /**
     * @return true once close began.
     */
    public boolean isClosed()
    {
        return closed.get();
    }

    /**
     * Refuse new appends, write everything already appended, force it to disk, release the directory.
     *
     * @throws JournalException if the journal thread had failed (what was not written is named).
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        stopAppends();
        finishClose();
    }

    /**
     * Close without waiting for a background open's queue. While the open is still in Chronicle's cold start, before
     * it has touched the directory ({@link ChronicleWarmUp}), it is cancelled (by {@link #close()} too): the journal
     * ends at once, what was appended stays forced in the bridge file with its mark, and the next {@link #open} copies
     * it ({@link #closedWithFramesInBridge()}). Once the open has started on the directory: when the queue is still
     * opening, this returns once
     * everything appended is written to the bridge file and forced there (milliseconds), and the journal thread
     * finishes alone — the queue opens, the bridge's frames are copied into it and forced, the journal closes and lets
     * go of the directory; the future completes then. A process that ends meanwhile leaves the bridge and its mark,
     * which the next {@link #open} copies (as after a crash in the bridge phase: nothing is lost). Otherwise (the queue
     * open, or a bridge too full to hold everything) this closes as {@link #close()} does before returning. A second
     * call returns the first call's future.
     *
     * @return completes once the journal is closed and the directory released; exceptionally with the
     *         {@link JournalException} {@link #close()} would throw.
     */
    public CompletableFuture<Void> closeAsync()
    {
        if (!closed.compareAndSet(false, true))
        {
            return closedFuture;
        }
        stopAppends();
        if (opening.awaitSettledForClose())
        {
            JournalClosings.closingInBackground(ctx.directory(), closedFuture);
            final Thread closer = new Thread(() ->
            {
                try
                {
                    finishClose();
                }
                catch (final RuntimeException ex)
                {
                    org.slf4j.LoggerFactory.getLogger(Journal.class).error("journal in {} failed while closing in the " +
                        "background: {}", ctx.directory(), ex.getMessage(), ex);
                }
            }, "engram-journal-closer");
            closer.setDaemon(true);
            closer.start();
            return closedFuture;
        }
        try
        {
            finishClose();
        }
        catch (final RuntimeException ex)
        {
            // closedFuture carries it
        }
        return closedFuture;
    }

    private void stopAppends()
    {
        ring.close();
        opening.stopWriter();
        progress.wakeWriter();   // it may be parked for want of frames
    }

    private void finishClose()
    {
        try
        {
            finishCloseOrThrow();
            closedFuture.complete(null);
        }
        catch (final RuntimeException | Error ex)
        {
            closedFuture.completeExceptionally(ex);
            throw ex;
        }
    }

    private void finishCloseOrThrow()
    {
        Threads.joinUninterruptibly(writerThread);   // a background open finishes first, then the writer drains what was appended
        final JournalBackend current = opening.current();
        if (current != null)
        {
            current.syncer.stop();
            Threads.joinUninterruptibly(current.syncerThread);
        }
        if (progress.failure() == null)
        {
            ring.freeSlots();
            if (current != null)
            {
                // everything written is forced: the newest cycle holds at least up to here
                current.manifest.recordClose(progress.writtenVersion());
            }
        }
        if (current != null)
        {
            current.store.close();
        }
        lock.close();
        final JournalException failure = progress.failure();
        if (failure != null)
        {
            throw new JournalException("journal closed after a failure: writtenVersion=" + progress.writtenVersion() +
                " lastAppendedVersion=" + lastAppendedVersion() + ": " + failure.getMessage(), failure);
        }
    }
}
