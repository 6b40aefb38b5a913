package dev.engram.journal;

import org.agrona.concurrent.UnsafeBuffer;

import java.util.NavigableSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static dev.engram.journal.DeltaFrameDescriptor.*;

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

    private final JournalContext ctx;
    private final DirectoryLock lock;
    private final ManyToOneDeltaRing ring;
    private final UnsafeBuffer ringBuffer;
    private final long baseVersion;
    private final int maxFrameLength;
    private final JournalProgress progress;
    private final Thread writerThread;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong backPressureEvents = new AtomicLong();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Journal.class);
    /** WARNs about the same condition at most this often. */
    private static final long WARN_INTERVAL_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private volatile long lastBackPressureWarnNs;
    private final AtomicLong heapFrames = new AtomicLong();
    private final CountDownLatch backendReady = new CountDownLatch(1);
    private final AtomicLong pendingSyncRequest = new AtomicLong();
    private volatile JournalBackend backend;
    private volatile boolean stopRequested;

    /**
     * @param opened the queue, already open ({@link #open}), or null: then the writer thread opens it first and
     *               expects it to end at {@code baseVersion} ({@link #openInBackground}).
     */
    /** The journal's bookkeeping files as {@link #open} found them (null for a background open). */
    private BookkeepingFiles bookkeepingBeforeOpen;

    private Journal(final JournalContext ctx, final DirectoryLock lock, final JournalBackend.OpenedStore opened,
        final long baseVersion, final long startNs, final Runnable beforeOpen)
    {
        this.ctx = ctx;
        this.lock = lock;
        this.baseVersion = baseVersion;
        this.maxFrameLength = ctx.maxDeltaLength();
        this.ring = new ManyToOneDeltaRing(ctx.ringSlotCount(), ctx.ringSlotLength(), ctx.ringArenaLength());
        this.ringBuffer = ring.buffer();
        this.progress = new JournalProgress(baseVersion, ring::close, ctx.writerSpinAfterWaitNs());
        this.progress.synced(baseVersion);
        final Runnable writerBody;
        if (opened != null)
        {
            // opened on the caller's thread, which paid the queue's open already: the arena too, so no large
            // delta appended right after open takes the heap path (a background open leaves it to the writer)
            ring.allocateArena();
            final JournalBackend started = JournalBackend.start(ctx, opened, ring, baseVersion, progress);
            backend = started;
            backendReady.countDown();
            writerBody = started.writer;
        }
        else
        {
            writerBody = () -> openThenWrite(startNs, beforeOpen);
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
        final DirectoryLock lock = DirectoryLock.acquire(ctx.directory(), LOCK_FILE);
        final BookkeepingFiles before = new BookkeepingFiles(ctx.directory());
        JournalBackend.OpenedStore opened = null;
        try
        {
            opened = JournalBackend.openStore(ctx, startNs);
            if (opened.tail.tornFrames > 0)
            {
                JournalBackend.writeTrimFrame(opened);
            }
            final Journal journal = new Journal(ctx, lock, opened, opened.tail.lastVersion, startNs, null);
            journal.bookkeepingBeforeOpen = before;
            return journal;
        }
        catch (final RuntimeException ex)
        {
            if (opened != null)
            {
                opened.store.close();
            }
            lock.close();
            throw ex;
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
        return openInBackground(ctx, lastVersion, () -> { });
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
        final DirectoryLock lock = DirectoryLock.acquire(ctx.directory(), LOCK_FILE);
        try
        {
            return new Journal(ctx, lock, null, lastVersion, startNs, beforeOpen);
        }
        catch (final RuntimeException ex)
        {
            lock.close();
            throw ex;
        }
    }

    private void openThenWrite(final long startNs, final Runnable beforeOpen)
    {
        final JournalBackend started;
        try
        {
            beforeOpen.run();
            final JournalBackend.OpenedStore opened = JournalBackend.openStore(ctx, startNs);
            try
            {
                final JournalReader.TailScan tail = opened.tail;
                if (tail.lastVersion != baseVersion || tail.tornFrames > 0)
                {
                    throw new JournalException("journal opened in the background ends at version=" + tail.lastVersion +
                        " with " + tail.tornFrames + " torn frame(s), but it was opened to continue after version=" +
                        baseVersion + " (the caller's scan of " + ctx.directory() + " disagrees with the queue); " +
                        "nothing was written");
                }
                started = JournalBackend.start(ctx, opened, ring, baseVersion, progress);
            }
            catch (final RuntimeException | Error ex)
            {
                opened.store.close();
                throw ex;
            }
        }
        catch (final Throwable ex)
        {
            progress.fail(ex instanceof JournalException journalException ? journalException :
                new JournalException("journal queue in " + ctx.directory() + " failed to open in the background (its " +
                    "metadata.cq4t or a cycle file's header may be damaged): " + ex, ex));
            progress.writerStopped();
            backendReady.countDown();
            return;
        }
        backend = started;
        backendReady.countDown();
        final long pending = pendingSyncRequest.get();
        if (pending > 0)
        {
            started.syncer.request(pending);
        }
        if (stopRequested)
        {
            started.writer.stop();
        }
        started.writer.run();
    }

    /**
     * @return the backend, once the queue is open (waits for a background open).
     * @throws JournalException if the queue failed to open.
     */
    private JournalBackend backend()
    {
        JournalBackend current = backend;
        if (current != null)
        {
            return current;
        }
        boolean interrupted = false;
        while (true)
        {
            try
            {
                backendReady.await();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        current = backend;
        if (current == null)
        {
            final JournalException failure = progress.failure();
            throw new JournalException("journal queue did not open in " + ctx.directory() + " (its metadata file " +
                ctx.directory().resolve("metadata.cq4t") + " or a cycle file may be damaged): " + failure.getMessage() +
                "; nothing appended since open() was written: close the store, move the damaged file aside " +
                "(Chronicle rebuilds metadata.cq4t from the cycle files) and reopen", failure);
        }
        return current;
    }

    /**
     * @return true once the Chronicle queue is open (at once for {@link #open}); false while a background open
     *         runs, or if it failed.
     */
    public boolean isQueueOpen()
    {
        return backend != null;
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
        final int frameLength = checkDelta(delta);
        final FrameArena arena = arenaFor(frameLength);
        if (arena != null)
        {
            // the arena record first, then the slot: a producer holding a slot never waits for the arena, so
            // the journal thread, which frees the arena as it drains slots, is never waiting on a waiter
            long position = arena.tryClaim(frameLength);
            if (position == FrameArena.FULL)
            {
                position = claimArenaSlowPath(arena, frameLength);
            }
            final long sequence;
            try
            {
                sequence = claimSlot();
            }
            catch (final RuntimeException ex)
            {
                arena.abandon(position, frameLength);
                throw ex;
            }
            return publishToArena(arena, sequence, delta, frameLength, position);
        }
        return publish(claimSlot(), delta, frameLength);
    }

    /**
     * Append a delta unless the ring (or, for a delta longer than a slot, its arena) is full.
     *
     * @param delta the ops.
     * @return the delta's version, or {@link #BACK_PRESSURED}.
     */
    public long tryAppend(final Delta delta)
    {
        final int frameLength = checkDelta(delta);
        final FrameArena arena = arenaFor(frameLength);
        final long position = arena == null ? FrameArena.FULL : arena.tryClaim(frameLength);
        if (arena != null && position == FrameArena.FULL)
        {
            if (ring.isClosed())
            {
                throw closedException();
            }
            backPressureEvents.incrementAndGet();
            return BACK_PRESSURED;
        }
        final long sequence = ring.tryClaim();
        if (sequence < 0 && arena != null)
        {
            arena.abandon(position, frameLength);
        }
        if (sequence == ManyToOneDeltaRing.INSUFFICIENT_CAPACITY)
        {
            backPressureEvents.incrementAndGet();
            return BACK_PRESSURED;
        }
        if (sequence == ManyToOneDeltaRing.CLOSED)
        {
            throw closedException();
        }
        return arena != null ? publishToArena(arena, sequence, delta, frameLength, position) : publish(sequence, delta, frameLength);
    }

    /**
     * @return the ring's arena if a frame of this length travels through it, else null (it fits a slot; it is
     *         longer than the arena takes; or the journal thread has not allocated the arena yet).
     */
    private FrameArena arenaFor(final int frameLength)
    {
        if (frameLength <= ring.maxInlineFrameLength())
        {
            return null;
        }
        final FrameArena arena = ring.arena();
        return arena != null && frameLength <= arena.maxFrameLength() ? arena : null;
    }

    private int checkDelta(final Delta delta)
    {
        if (delta == null)
        {
            throw new IllegalArgumentException("delta must not be null");
        }
        if (delta.opCount() == 0)
        {
            throw new IllegalArgumentException("delta has no ops");
        }
        final int frameLength = delta.frameLength();
        if (frameLength > maxFrameLength)
        {
            throw new IllegalArgumentException("delta too large: frameLength=" + frameLength + " maxDeltaLength=" + maxFrameLength);
        }
        return frameLength;
    }

    private long claimSlot()
    {
        final long sequence = ring.tryClaim();
        if (sequence >= 0)
        {
            return sequence;
        }
        if (sequence == ManyToOneDeltaRing.CLOSED)
        {
            throw closedException();
        }
        final long deadline = startBackPressure();
        for (int attempts = 0; ; attempts++)
        {
            final long next = ring.tryClaim();
            if (next >= 0)
            {
                return next;
            }
            if (next == ManyToOneDeltaRing.CLOSED)
            {
                throw closedException();
            }
            backOff(attempts, deadline);
        }
    }

    private long claimArenaSlowPath(final FrameArena arena, final int frameLength)
    {
        if (ring.isClosed())
        {
            throw closedException();
        }
        final long deadline = startBackPressure();
        for (int attempts = 0; ; attempts++)
        {
            final long position = arena.tryClaim(frameLength);
            if (position != FrameArena.FULL)
            {
                return position;
            }
            if (ring.isClosed())
            {
                throw closedException();
            }
            backOff(attempts, deadline);
        }
    }

    /**
     * Count a back-pressure event and apply the policy: FAIL_FAST throws, WAIT returns its deadline.
     */
    private long startBackPressure()
    {
        final long events = backPressureEvents.incrementAndGet();
        final long now = System.nanoTime();
        final long last = lastBackPressureWarnNs;
        if (last == 0 || now - last >= WARN_INTERVAL_NS)
        {
            lastBackPressureWarnNs = now;   // a race may log twice: harmless
            LOG.warn("journal ring full in {}: producers {} ({} back-pressure events so far); the journal thread is " +
                "behind{}: lower the rate, enlarge ringSlotCount or check the disk", ctx.directory(),
                ctx.backPressurePolicy() == BackPressurePolicy.FAIL_FAST ? "are refused (FAIL_FAST)" : "wait up to " +
                java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(ctx.backPressureTimeoutNs()) + " ms", events,
                backend == null ? " (its Chronicle queue is still opening)" : "");
        }
        if (ctx.backPressurePolicy() == BackPressurePolicy.FAIL_FAST)
        {
            throw backPressureException();
        }
        return System.nanoTime() + ctx.backPressureTimeoutNs();
    }

    private void backOff(final int attempts, final long deadline)
    {
        if (System.nanoTime() - deadline >= 0)
        {
            throw backPressureException();
        }
        if (attempts < 64)
        {
            Thread.onSpinWait();
        }
        else if (attempts < 80)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(1_000);
        }
    }

    private long publish(final long sequence, final Delta delta, final int frameLength)
    {
        final long version = baseVersion + sequence + 1;
        if (frameLength > ring.maxInlineFrameLength())
        {
            heapFrames.incrementAndGet();
            publishOversize(sequence, version, delta, frameLength);
            return version;
        }
        final int offset = ring.frameOffset(sequence);
        int published = MIN_FRAME_LENGTH;
        try
        {
            published = encode(ringBuffer, offset, delta, frameLength, version);
        }
        finally
        {
            ring.publish(sequence, published);   // even after a failed copy (an aborted frame): the ring never wedges
        }
        return version;
    }

    private long publishToArena(final FrameArena arena, final long sequence, final Delta delta, final int frameLength,
        final long position)
    {
        final long version = baseVersion + sequence + 1;
        int published = MIN_FRAME_LENGTH;
        try
        {
            published = encode(arena.buffer(), arena.frameOffset(position, frameLength), delta, frameLength, version);
        }
        finally
        {
            ring.publishArena(sequence, published, position, frameLength);
        }
        return version;
    }

    /**
     * Encode a delta's frame at {@code offset}; if that fails, leave an aborted (empty) frame of
     * {@code MIN_FRAME_LENGTH} there for the caller to publish, and rethrow.
     *
     * @return {@code frameLength}.
     */
    private static int encode(final UnsafeBuffer buffer, final int offset, final Delta delta, final int frameLength,
        final long version)
    {
        try
        {
            delta.copyOpsTo(buffer, offset + HEADER_LENGTH);
            writeHeader(buffer, offset, frameLength, delta.opCount(), version, (byte)0);
            return frameLength;
        }
        catch (final RuntimeException | Error ex)
        {
            writeHeader(buffer, offset, MIN_FRAME_LENGTH, 0, version, FLAG_ABORTED);
            throw ex;
        }
    }

    private void publishOversize(final long sequence, final long version, final Delta delta, final int frameLength)
    {
        byte[] frame = null;
        try
        {
            frame = new byte[frameLength];
            final UnsafeBuffer buffer = new UnsafeBuffer(frame);
            delta.copyOpsTo(buffer, HEADER_LENGTH);
            writeHeader(buffer, 0, frameLength, delta.opCount(), version, (byte)0);
        }
        finally
        {
            if (frame == null || frame.length != frameLength || new UnsafeBuffer(frame).getLong(VERSION_OFFSET) != version)
            {
                frame = new byte[MIN_FRAME_LENGTH];
                writeHeader(new UnsafeBuffer(frame), 0, MIN_FRAME_LENGTH, 0, version, FLAG_ABORTED);
            }
            ring.publishOversize(sequence, frame);
        }
    }

    private static void writeHeader(
        final UnsafeBuffer buffer, final int offset, final int frameLength, final int opCount, final long version, final byte flags)
    {
        buffer.putInt(offset + FRAME_LENGTH_OFFSET, frameLength);
        buffer.putByte(offset + FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        buffer.putByte(offset + FLAGS_OFFSET, flags);
        buffer.putShort(offset + OP_COUNT_OFFSET, (short)opCount);
        buffer.putLong(offset + VERSION_OFFSET, version);
        buffer.putLong(offset + TIMESTAMP_OFFSET, 0);
    }

    private RuntimeException closedException()
    {
        final JournalException failure = progress.failure();
        if (failure != null)
        {
            return new JournalException("journal failed: " + failure.getMessage(), failure);
        }
        return new IllegalStateException("journal is closed: directory=" + ctx.directory());
    }

    private JournalBackPressureException backPressureException()
    {
        return new JournalBackPressureException("journal ring full: slots=" + ring.slotCount() + " policy=" +
            ctx.backPressurePolicy() + " timeoutNs=" + ctx.backPressureTimeoutNs() +
            " (the journal thread is behind: lower the rate, enlarge ringSlotCount or check the disk)");
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
        return progress.syncedVersion();
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
        if (progress.syncedVersion() >= version)
        {
            return true;
        }
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        JournalBackend current = backend;
        if (current == null)
        {
            try
            {
                if (!backendReady.await(timeout, unit))
                {
                    return false;
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
            current = backend();
        }
        // a sync forces only what is written: wait for the writer, then lead the force if none is running
        if (!progress.await(false, version, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS))
        {
            return false;
        }
        if (current.syncer.forceIfIdle(version))
        {
            progress.wakeWriter();   // a caller syncing each put appends again at once: have the writer looking
            return true;
        }
        current.syncer.request(version);
        return progress.await(true, version, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /**
     * Ask the sync thread to force everything appended so far; returns at once.
     */
    public void requestSync()
    {
        final long version = lastAppendedVersion();
        final JournalBackend current = backend;
        if (current != null)
        {
            current.syncer.request(version);
            return;
        }
        pendingSyncRequest.accumulateAndGet(version, Math::max);
        final JournalBackend opened = backend;   // opened meanwhile: it may have read the request before it was set
        if (opened != null)
        {
            opened.syncer.request(version);
        }
    }

    /**
     * @return a new reader (one per thread; close it when done).
     */
    public JournalReader newReader()
    {
        ensureOpen();
        return new JournalReader(backend().store);
    }

    /**
     * @return read-only mappings of this journal's cycle files (close when done; views die with it).
     */
    public JournalMappedFiles newMappedFiles()
    {
        ensureOpen();
        return new JournalMappedFiles(backend().store.cycleFiles());
    }

    /**
     * @return what open found at the end of the journal.
     */
    public JournalOpenReport openReport()
    {
        return backend().openReport;
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
        final JournalBackend current = backend;
        final boolean untouched = bookkeepingBeforeOpen != null && current != null &&
            current.openReport.tornFrames() == 0 && current.openReport.discardedCycleFiles().isEmpty() &&
            current.openReport.losses().isEmpty() && current.openReport.metadataRebuilt() == null &&
            current.openReport.tailCleared() == null &&
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
        return backPressureEvents.get();
    }

    /**
     * @return deltas that fit neither a ring slot nor the ring's arena (longer than {@code ringArenaLength / 4},
     *         no arena, or appended during a background open before the journal thread allocated it) and were
     *         copied to a heap array
     *         instead: the only appends that allocate.
     */
    public long heapFrameCount()
    {
        return heapFrames.get();
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
        final JournalBackend current = backend;
        return current == null ? 0 : current.syncer.forceCount();
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
        final ChronicleJournalStore store = backend().store;
        final NavigableSet<Long> cycles = store.cycles();
        if (cycles.size() < 2)
        {
            return 0;
        }
        int removed = 0;
        try (JournalReader reader = new JournalReader(store))
        {
            final net.openhft.chronicle.queue.ExcerptTailer tailer = store.queue().createTailer();
            try
            {
                final Long[] ordered = cycles.toArray(new Long[0]);
                // the first version of each cycle (-1: no frame, e.g. a cycle file a kill -9 left empty)
                final long[] firstVersions = new long[ordered.length];
                for (int i = 0; i < ordered.length; i++)
                {
                    firstVersions[i] = reader.firstVersionOf(tailer, ordered[i].intValue());
                }
                final java.util.List<Integer> removable = new java.util.ArrayList<>();
                for (int i = 0; i < ordered.length - 1; i++)
                {
                    // a cycle can go once the next cycle that holds frames starts at or before the version:
                    // frameless cycles in between hold nothing and do not stop retention
                    long nextFirst = -1;
                    for (int j = i + 1; j < ordered.length && nextFirst < 0; j++)
                    {
                        nextFirst = firstVersions[j];
                    }
                    if (nextFirst < 0 || nextFirst > version)
                    {
                        break;
                    }
                    removable.add(ordered[i].intValue());
                }
                if (!removable.isEmpty())
                {
                    // unlisted first: a crash before the deletes leaves files the next open lists again, not a loss
                    backend().manifest.removeCycles(removable);
                }
                for (final int cycle : removable)
                {
                    final java.io.File file = store.fileForCycle(cycle);
                    if (file != null && file.exists())
                    {
                        tailer.toEnd();
                        store.deleteCycleFile(file);
                        removed++;
                    }
                }
                removed += store.deleteDiscardedCycleFiles();
            }
            finally
            {
                tailer.close();
            }
        }
        store.queue().refreshDirectoryListing();
        return removed;
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
        ring.close();
        stopRequested = true;
        final JournalBackend opening = backend;
        if (opening != null)
        {
            opening.writer.stop();
        }
        progress.wakeWriter();   // it may be parked for want of frames
        Threads.joinUninterruptibly(writerThread);   // a background open finishes first, then the writer drains what was appended
        final JournalBackend current = backend;
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
