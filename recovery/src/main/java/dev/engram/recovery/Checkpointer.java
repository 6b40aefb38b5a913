package dev.engram.recovery;

import dev.engram.journal.BackgroundPriority;
import dev.engram.journal.Journal;
import dev.engram.recovery.internal.chain.ChainFiles;
import dev.engram.recovery.internal.chain.CheckpointBuilder;
import dev.engram.recovery.internal.chain.KeyLocationIndex;
import dev.engram.recovery.internal.chain.MapSeal;
import dev.engram.recovery.internal.chain.SnapshotIndexMaintainer;
import dev.engram.recovery.internal.checkpoint.CheckpointFileChecks;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import dev.engram.recovery.internal.checkpoint.MappedCheckpoint;
import dev.engram.recovery.internal.overlay.Applier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Decides when to checkpoint (frames or bytes journaled since the last one, a timer, a request, or the live
 * overlay past {@link StateContext#overlayMemoryLimit()}),
 * builds the checkpoint in the background with {@link CheckpointBuilder}, hands the new chain to the
 * applier, and removes chains beyond the retention. One build at a time.
 */
final class Checkpointer implements Runnable
{
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Checkpointer.class);

    private static final long POLL_NS = TimeUnit.MILLISECONDS.toNanos(5);

    private final StateContext ctx;
    private final Journal journal;
    private final CheckpointBuilder builder;
    private final Applier applier;
    private final StateStore store;
    private final SnapshotIndexMaintainer index;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private ChainFiles chain;
    private long nextId;
    private long lastBytes;
    private long lastTimeMs = System.currentTimeMillis();
    private volatile long checkpointCount;
    private volatile long deltaCount;
    private volatile CheckpointBuilder.Built lastBuilt;
    /** A read found a damaged block in the current chain: check it and rebuild from what is intact. */
    private String repairNote;   // a repair built, to be noted once its chain is swapped in (build lock held)
    private final java.util.concurrent.atomic.AtomicBoolean repairRequested = new java.util.concurrent.atomic.AtomicBoolean();
    private static final long MIN_RETRY_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_RETRY_NS = TimeUnit.SECONDS.toNanos(30);
    /** The last background checkpoint that failed (cleared by the next that succeeds). */
    private volatile CheckpointException lastFailure;
    private long retryAtNs = System.nanoTime();
    private long retryBackoffNs;
    private final long overlayMemoryLimit;
    /**
     * Callers of {@link #checkpointNow()} waiting for, or holding, the build lock: a background build in progress gives
     * way to them ({@link BuildSuperseded}) instead of making them wait for it. The background thread runs at a lower
     * operating system priority ({@link StateContext#backgroundPriority()}), which cannot be raised back without
     * privileges, so under a busy CPU its build could hold an explicit {@code checkpoint()} for many times its own
     * length; the caller builds instead, at its own priority.
     */
    private final java.util.concurrent.atomic.AtomicInteger explicitCallers = new java.util.concurrent.atomic.AtomicInteger();
    /** Builds given up for an explicit checkpoint (their partial files removed, nothing published). */
    private volatile long buildsSuperseded;

    /** A background build gave way to an explicit checkpoint: not a failure, nothing was published. */
    private static final class BuildSuperseded extends RuntimeException
    {
        BuildSuperseded()
        {
            super("background checkpoint build gave way to an explicit checkpoint", null, false, false);
        }
    }

    private final java.util.concurrent.ThreadPoolExecutor catchUp;
    private volatile long catchUpBuilds;   // written by the checkpointer thread only

    Checkpointer(final StateContext ctx, final Journal journal, final CheckpointBuilder builder, final Applier applier,
        final StateStore store, final SnapshotIndexMaintainer index, final ChainFiles recoveredChain, final long nextId)
    {
        this.index = index;
        this.ctx = ctx;
        this.journal = journal;
        this.builder = builder;
        this.applier = applier;
        this.store = store;
        this.chain = recoveredChain;
        this.nextId = nextId;
        this.overlayMemoryLimit = ctx.overlayMemoryLimit();
        // started here, on the opener's thread, so it keeps the application's priority (a thread inherits its
        // creator's; the checkpointer thread lowers its own and can never raise it again)
        this.catchUp = ctx.background() && ctx.backgroundPriority() != BackgroundPriority.NORMAL ? startCatchUpThread() : null;
    }

    /**
     * The thread that runs a build once the background builds have fallen {@link #CATCH_UP_INTERVALS} trigger intervals
     * behind ({@link #overdue()}): at a lowered priority the checkpointer got a tenth of a core or less from a producer
     * that keeps every core busy, and under a flat-out producer it never finished a second build (bench disk: one
     * checkpoint in 10 M updates, 4.5 GB of journal for a 20 MiB state, a recovery replaying all of it). Its builds
     * compete with the application as any thread of it does; builds that keep up stay on the checkpointer's thread.
     */
    private static java.util.concurrent.ThreadPoolExecutor startCatchUpThread()
    {
        final java.util.concurrent.ThreadPoolExecutor executor = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
            TimeUnit.MILLISECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), task ->
            {
                final Thread thread = new Thread(task, CATCH_UP_THREAD_NAME);
                thread.setDaemon(true);
                return thread;
            });
        executor.prestartCoreThread();
        return executor;
    }

    /** The name of the thread that runs builds that are {@link #overdue()}. */
    static final String CATCH_UP_THREAD_NAME = "engram-checkpointer-catch-up";

    CheckpointBuilder builder()
    {
        return builder;
    }

    long checkpointCount()
    {
        return checkpointCount;
    }

    long deltaCount()
    {
        return deltaCount;
    }

    /**
     * @return background builds given up so an explicit checkpoint could build at once.
     */
    long buildsSuperseded()
    {
        return buildsSuperseded;
    }

    CheckpointBuilder.Built lastBuilt()
    {
        return lastBuilt;
    }

    Throwable failure()
    {
        return failure;
    }

    void stop()
    {
        running = false;
        if (catchUp != null)
        {
            catchUp.shutdown();   // not interrupted: a build in progress gives up at its next step (store closing)
        }
    }

    private long chainVersion()
    {
        return chain == null ? 0 : chain.stateVersion();
    }

    /**
     * Ask for the current chain to be checked and, if damaged, replaced by a full checkpoint built from the
     * newest intact older chain plus the journal (on the checkpointer thread, or the next {@code checkpoint()}).
     */
    void requestRepair()
    {
        repairRequested.set(true);
    }

    /**
     * @return the last background checkpoint failure not yet followed by a success, or null.
     */
    CheckpointException lastFailure()
    {
        return lastFailure;
    }

    /** Builds this many frame intervals behind the journal catch up in one build (see {@link #due()}). */
    static final long CATCH_UP_INTERVALS = 4;
    /** {@link #due()}: no checkpoint is due. */
    private static final long NOT_DUE = -1;
    /** {@link #due()}: a checkpoint of everything written is due (bytes, time, memory or repair trigger). */
    private static final long ALL_WRITTEN = Long.MAX_VALUE;

    /**
     * @return {@link #NOT_DUE}; {@link #ALL_WRITTEN}; or, when only the frame trigger fired, the version to build to:
     * the chain's version plus {@code checkpointEveryFrames}. A flat-out producer writes hundreds of thousands of
     * frames while one build runs, and building to whatever was written when the trigger was seen made checkpoints
     * land 565k-900k frames apart with a 500k trigger; building to the trigger's own version keeps them exactly
     * {@code checkpointEveryFrames} apart. Only when the builds fall {@link #CATCH_UP_INTERVALS} intervals behind
     * (a producer faster than the builds) does one build catch up, to the last whole interval written, so the
     * journal a recovery replays stays bounded.
     */
    private long due()
    {
        if (repairRequested.get())
        {
            return ALL_WRITTEN;
        }
        final long written = journal.writtenVersion();
        final long since = written - chainVersion();
        if (since <= 0)
        {
            return NOT_DUE;
        }
        final long journalSince = journal.writtenBytes() - lastBytes;
        if (journalSince >= ctx.checkpointEveryBytes() || journalDue(journalSince) ||
            // the live overlay passed its memory target: the next generation starts empty (docs/memory-safety.md)
            applier.view().overlay().offHeapBytes() >= overlayMemoryLimit ||
            (ctx.checkpointIntervalMs() > 0 && System.currentTimeMillis() - lastTimeMs >= ctx.checkpointIntervalMs()))
        {
            return ALL_WRITTEN;
        }
        final long every = ctx.checkpointEveryFrames();
        if (since >= every)
        {
            return chainVersion() + (since >= CATCH_UP_INTERVALS * every ? since / every * every : every);
        }
        return NOT_DUE;
    }

    /**
     * @return true if the builds have fallen {@link #CATCH_UP_INTERVALS} trigger intervals behind the journal: frames
     *         ({@link StateContext#checkpointEveryFrames()}) or journal bytes (the trigger by journal bytes, and at least
     *         {@link #CATCH_UP_STATES} times the state's size). Issue 18: the catch-up build of a bulk load's journal
     *         competed with the producer after it (one CPU, `bench peers`: p99 1.8-4.0 ms against 1.2-1.7 before).
     */
    private boolean overdue()
    {
        final long since = journal.writtenVersion() - chainVersion();
        final long every = ctx.checkpointEveryFrames();
        if (every > 0 && since >= CATCH_UP_INTERVALS * every)
        {
            return true;
        }
        final long trigger = journalTriggerBytes();
        if (trigger == Long.MAX_VALUE)
        {
            return false;
        }
        // the state's size: the chain's full checkpoint, or, before the first checkpoint, what the overlay holds (a
        // bulk load into a new store is not "behind": its first build stays at the lowered priority)
        final ChainFiles current = chain;
        final long state = current != null ? current.baseBytes() : applier.view().overlay().offHeapBytes();
        return journal.writtenBytes() - lastBytes >= Math.max(CATCH_UP_INTERVALS * trigger, CATCH_UP_STATES * state);
    }

    /** {@link #overdue()} by journal bytes needs at least this many times the state's size written since the last build. */
    static final long CATCH_UP_STATES = 2;

    /**
     * Run the build on the catch-up thread ({@link #startCatchUpThread()}) and wait for it; its failure is thrown here.
     */
    private void buildOnCatchUpThread(final long due)
    {
        final java.util.concurrent.Future<?> build;
        catchUpBuilds++;   // before it runs: whoever sees the build's steps sees it counted
        try
        {
            build = catchUp.submit(() -> checkpointUpTo(due, this::checkBackgroundBuild));
        }
        catch (final java.util.concurrent.RejectedExecutionException ex)
        {
            throw new StoreClosingException("store closing: the catch-up build was not started");
        }
        try
        {
            build.get();
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException runtime)
            {
                throw runtime;
            }
            if (cause instanceof Error error)
            {
                throw error;
            }
            throw new CheckpointException("catch-up build failed: " + cause, cause);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new StoreClosingException("interrupted while the catch-up build ran");
        }
    }

    /**
     * @return builds run on the catch-up thread because the background builds had fallen behind.
     */
    long catchUpBuilds()
    {
        return catchUpBuilds;
    }

    /**
     * @return true if the journal written since the last checkpoint passed {@link StateContext#checkpointJournalRatio()}
     * times the current chain's full checkpoint file (and {@link StateContext#checkpointJournalMinBytes()}).
     */
    private boolean journalDue(final long journalSince)
    {
        return journalSince >= journalTriggerBytes();
    }

    /**
     * @return the journal bytes since the last checkpoint that make one due by {@link #journalDue}:
     *         {@link StateContext#checkpointJournalRatio()} times the current chain's full checkpoint file, at least
     *         {@link StateContext#checkpointJournalMinBytes()}; {@code Long.MAX_VALUE} with the trigger off.
     */
    private long journalTriggerBytes()
    {
        final double ratio = ctx.checkpointJournalRatio();
        if (ratio <= 0)
        {
            return Long.MAX_VALUE;
        }
        final ChainFiles current = chain;
        return Math.max(ctx.checkpointJournalMinBytes(), current == null ? 0 : (long)(ratio * current.baseBytes()));
    }

    @Override
    public void run()
    {
        try
        {
            while (running)
            {
                final long due = System.nanoTime() - retryAtNs >= 0 && explicitCallers.get() == 0 ? due() : NOT_DUE;
                if (due != NOT_DUE)
                {
                    try
                    {
                        if (catchUp != null && overdue())
                        {
                            buildOnCatchUpThread(due);
                        }
                        else
                        {
                            checkpointUpTo(due, this::checkBackgroundBuild);
                        }
                        lastFailure = null;
                        retryBackoffNs = 0;
                    }
                    catch (final BuildSuperseded ex)
                    {
                        buildsSuperseded++;   // the explicit checkpoint builds at least as far; this one is due again after
                    }
                    catch (final StoreClosingException ex)
                    {
                        throw ex;
                    }
                    catch (final dev.engram.journal.JournalClosingException ex)
                    {
                        throw new StoreClosingException(ex.getMessage());   // close began while the queue opened
                    }
                    catch (final CheckpointException | dev.engram.journal.JournalException ex)
                    {
                        // e.g. the disk is full, or a damaged chain with nothing intact to rebuild from: reads and
                        // appends go on; the checkpoint is tried again later and the failure is reported meanwhile
                        final boolean sameAsBefore = lastFailure != null &&
                            java.util.Objects.equals(lastFailure.getMessage(), ex.getMessage());
                        lastFailure = ex instanceof CheckpointException checkpointException ? checkpointException :
                            new CheckpointException("checkpoint not built: " + ex.getMessage(), ex);
                        retryBackoffNs = Math.min(MAX_RETRY_NS, Math.max(MIN_RETRY_NS, retryBackoffNs * 2));
                        retryAtNs = System.nanoTime() + retryBackoffNs;
                        if (!sameAsBefore)
                        {
                            LOG.warn("background checkpoint failed, reads and appends go on, retrying in {} s: {}",
                                java.util.concurrent.TimeUnit.NANOSECONDS.toSeconds(retryBackoffNs), ex.getMessage());
                        }
                    }
                }
                else
                {
                    store.reclaim();
                    LockSupport.parkNanos(POLL_NS);
                }
            }
        }
        catch (final StoreClosingException ex)
        {
            // close began during a build: it gave up, nothing failed
        }
        catch (final Throwable ex)
        {
            failure = ex;
            LOG.error("checkpointer thread stopped: no more background checkpoints until the store reopens", ex);
        }
    }

    /**
     * Checkpoint everything appended before this call (on the caller's thread, once it is written); returns the
     * newest checkpoint.
     */
    CheckpointInfo checkpointNow()
    {
        explicitCallers.incrementAndGet();   // before the lock: a background build in progress gives way at its next step
        try
        {
            return checkpointUpTo(ALL_WRITTEN, this::checkClosing);
        }
        finally
        {
            explicitCallers.decrementAndGet();
        }
    }

    /**
     * The background build's cancel check: a close abandons it; an explicit checkpoint waiting for the build lock
     * supersedes it (test hook first: {@link StateContext#backgroundBuildStep}).
     */
    private void checkBackgroundBuild()
    {
        ctx.backgroundBuildStep().run();
        checkClosing();
        if (explicitCallers.get() > 0)
        {
            throw new BuildSuperseded();
        }
    }

    /**
     * Checkpoint up to {@code cap} (or everything written, if less), as {@link #checkpointNow()} does.
     *
     * @param cancelCheck run between steps of the build: throws to abandon it (nothing is published then).
     */
    private synchronized CheckpointInfo checkpointUpTo(final long cap, final Runnable cancelCheck)
    {
        cancelCheck.run();
        // the checks after open read (and the index check attaches to) the recovered chain: they must finish
        // before that chain is replaced
        store.awaitAfterOpenChecks();
        // what was appended is written within microseconds, except right after a recovery that opens the
        // journal's queue in the background: then the deltas wait in the ring until it is open
        final long appended = journal.lastAppendedVersion();
        if (!journal.awaitWritten(appended, 60, TimeUnit.SECONDS))
        {
            throw new CheckpointException("journal did not write version=" + appended + " within 60 s: written=" +
                journal.writtenVersion());
        }
        // the journal's bytes up to about the target: what is written while this builds counts towards the next one
        // (taken after the build, they were lost, and a flat-out producer's journal grew far past the byte triggers)
        final long bytesAtTarget = journal.writtenBytes();
        final long target = Math.min(cap, journal.writtenVersion());
        boolean repair = repairRequested.getAndSet(false) && !intact(chain);
        repairNote = null;
        // a background target is computed before this lock: an explicit checkpoint may have built past it meanwhile
        if (!repair && (target == 0 || target <= chainVersion()))
        {
            return chain == null ? null : chain.head().info();
        }
        // a checkpoint never gets ahead of what the journal holds on disk
        if (!journal.awaitSynced(target, 60, TimeUnit.SECONDS))
        {
            throw new CheckpointException("journal did not sync version=" + target + " within 60 s");
        }
        if (repair)
        {
            checkClosing();   // a repair is never given up for an explicit checkpoint (its request was taken)
        }
        else
        {
            cancelCheck.run();
        }
        checkFreeSpace();
        CheckpointBuilder.Built built = null;
        if (!repair)
        {
            try
            {
                built = builder.build(chain, target, nextId++, cancelCheck, false);
            }
            catch (final CheckpointCorruptionException ex)
            {
                store.noteDamagedFile(Path.of(ex.file()), ex);
                repair = true;
            }
        }
        if (repair)
        {
            built = rebuild(target);
        }
        // counted as soon as the file is published: a reader that sees the new checkpoint (its file, the observer,
        // checkpointVersion() after the swap below) never reads a count that leaves it out
        checkpointCount++;
        if (built.delta())
        {
            deltaCount++;
        }
        final ChainFiles next = openChain(built.info()).sortedKeysCache(store.sortedKeysCache());
        final boolean scannedInOrder = chain != null && chain.sortedKeysBuilt();
        if (index != null)
        {
            index.afterPublish(built.info(), next);
        }
        final CountDownLatch swapped = new CountDownLatch(1);
        final String repairDone = repairNote;
        repairNote = null;
        applier.rebase(new Applier.Rebase(next, target, old ->
        {
            store.retire(old);
            if (repairDone != null)
            {
                // on the applier's thread, as the rebuilt chain is swapped in: before any frame after it is applied,
                // so whoever sees that frame applied, or reads through the new chain, sees the repair in repairs()
                store.noteRepair(repairDone);
            }
            swapped.countDown();
        }));
        try
        {
            while (!swapped.await(100, TimeUnit.MILLISECONDS))
            {
                if (applier.failure() != null)
                {
                    throw new CheckpointException("applier failed before taking the new checkpoint: " + applier.failure());
                }
                if (!store.isApplierRunning())
                {
                    throw new CheckpointException("store closing: the new checkpoint was published but not swapped in");
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new CheckpointException("interrupted while swapping in checkpoint id=" + built.info().checkpointId());
        }
        chain = next;
        lastBytes = bytesAtTarget;
        lastTimeMs = System.currentTimeMillis();
        lastBuilt = built;
        ctx.checkpointObserver().onCheckpoint(built.info(), built.buildNs(), built.delta());
        applyRetention();
        if (scannedInOrder)
        {
            try
            {
                next.sortedKeys();   // readers scan in order: derive the new chain's keys here, not on a reader's thread
            }
            catch (final RuntimeException ex)
            {
                // a damaged block: the next ordered scan meets it too, and reports it as a damaged read
            }
        }
        return built.info();
    }

    /** Free space a checkpoint needs at least, besides the newest chain's size (a full rewrite may need it). */
    static final long MIN_FREE_BYTES = 1024L * 1024;

    /**
     * @throws CheckpointException if the checkpoint directory's file system has less room than the newest chain
     *                             takes plus {@link #MIN_FREE_BYTES}: nothing is built (nor left half-written).
     */
    private void checkFreeSpace()
    {
        final long needed = MIN_FREE_BYTES + (chain == null ? 0 : chain.baseBytes() + chain.deltaBytes());
        final long usable;
        try
        {
            usable = Files.getFileStore(ctx.checkpointDirectory()).getUsableSpace();
        }
        catch (final IOException ex)
        {
            return;   // cannot tell: the write itself will say
        }
        if (usable < needed)
        {
            throw new CheckpointException("not enough disk space for a checkpoint in " + ctx.checkpointDirectory() +
                ": usable=" + usable + " bytes, needed about " + needed + " (the newest chain's size + " + MIN_FREE_BYTES +
                "); nothing was written; the journal keeps every version meanwhile: free space and it is tried again");
        }
    }

    /**
     * @return true if every block of every member of the chain passes its CRC (none: true); a damaged file is
     * noted in the store's damaged files.
     */
    private boolean intact(final ChainFiles candidate)
    {
        if (candidate == null)
        {
            return true;
        }
        for (final MappedCheckpoint file : candidate.files())
        {
            try
            {
                file.verifyAllBlocks();
            }
            catch (final CheckpointCorruptionException ex)
            {
                store.noteDamagedFile(file.file(), ex);
                return false;
            }
        }
        return true;
    }

    /**
     * The current chain is damaged: build a full checkpoint at {@code target} from the newest older chain that
     * verifies whole (every block) and whose following journal range is still held, or from the journal alone
     * if it still starts at version 1.
     *
     * @throws CheckpointException if nothing intact can reach {@code target}: reads of intact keys go on, the
     *                             damaged ones are refused; restore from a backup.
     */
    private CheckpointBuilder.Built rebuild(final long target)
    {
        final long journalFirst;
        try (dev.engram.journal.JournalReader reader = journal.newReader())
        {
            journalFirst = reader.firstVersion();
        }
        final Map<Long, Path> files = new java.util.HashMap<>();
        final List<CheckpointInfo> heads = new ArrayList<>();
        for (final Path file : CheckpointFiles.listCheckpoints(ctx.checkpointDirectory()))
        {
            try
            {
                final CheckpointInfo info = CheckpointFileChecks.readInfo(file);
                files.put(info.checkpointId(), file);
                if (info.stateVersion() <= target && (journalFirst <= 0 || info.stateVersion() + 1 >= journalFirst))
                {
                    heads.add(info);
                }
            }
            catch (final RuntimeException ex)
            {
                store.noteDamagedFile(file, ex);
            }
        }
        heads.sort((a, b) -> a.stateVersion() != b.stateVersion() ? Long.compare(b.stateVersion(), a.stateVersion()) :
            Long.compare(b.checkpointId(), a.checkpointId()));
        final List<String> tried = new ArrayList<>();
        for (final CheckpointInfo head : heads)
        {
            checkClosing();
            final ChainFiles candidate;
            try
            {
                candidate = ChainFiles.open(head.checkpointId(), files, true);
            }
            catch (final RuntimeException ex)
            {
                tried.add("ckpt id=" + head.checkpointId() + ": " + ex.getMessage());
                continue;
            }
            try
            {
                return repaired(builder.build(candidate, target, nextId++, this::checkClosing, true), "the intact chain " +
                    "ending at ckpt id=" + head.checkpointId() + " (version=" + head.stateVersion() + ") plus the journal");
            }
            catch (final CheckpointCorruptionException ex)
            {
                tried.add("ckpt id=" + head.checkpointId() + ": " + ex.getMessage());
            }
            finally
            {
                candidate.close();
            }
        }
        if (journalFirst == 1)
        {
            return repaired(builder.build(null, target, nextId++, this::checkClosing, true), "the whole journal");
        }
        throw new CheckpointException("cannot repair the damaged checkpoint chain ending at ckpt id=" +
            (chain == null ? "none" : String.valueOf(chain.headId())) + " in " + ctx.checkpointDirectory() +
            ": no older chain verifies whole with the journal after it still held (journal starts at version=" +
            journalFirst + "); tried " + tried + "; reads of intact keys go on, keys in damaged blocks are refused: " +
            "restore the directory from a backup");
    }

    private CheckpointBuilder.Built repaired(final CheckpointBuilder.Built built, final String source)
    {
        // noted once the rebuilt chain is swapped in: a reader that sees the repair in repairs() reads through it
        repairNote = ("rebuilt checkpoint id=" + built.info().checkpointId() + " at version=" +
            built.info().stateVersion() + " from " + source + ", replacing the damaged chain ending at ckpt id=" +
            (chain == null ? "none" : String.valueOf(chain.headId())));
        return built;
    }

    /**
     * @throws StoreClosingException if the store began to close: a build in progress stops at its next step.
     */
    private void checkClosing()
    {
        if (store.isClosing())
        {
            throw new StoreClosingException("state store is closed: directory=" + ctx.directory() +
                " (closed while a checkpoint was being built; it was abandoned)");
        }
    }

    private ChainFiles openChain(final CheckpointInfo head)
    {
        final List<MappedCheckpoint> files = new ArrayList<>();
        try
        {
            if (head.isDelta())
            {
                for (final MappedCheckpoint member : chain.files())
                {
                    files.add(MappedCheckpoint.open(member.file()));
                }
            }
            files.add(MappedCheckpoint.open(head.path()));
            return new ChainFiles(files);
        }
        catch (final RuntimeException ex)
        {
            for (final MappedCheckpoint file : files)
            {
                file.close();
            }
            throw ex;
        }
    }

    private long lastBudgetLogged = -1;
    /** Frames written since open before the mean frame length is trusted for {@link #olderChainsOverJournalBudget}. */
    static final long BUDGET_MIN_FRAMES = 1_000;

    /**
     * @return the journal bytes an older chain may keep past the newest chain's head
     *         ({@link StateContext#olderChainJournalBudget}), or {@code Long.MAX_VALUE} with the budget off.
     */
    private long olderChainJournalBudget()
    {
        final double ratio = ctx.olderChainJournalRatio();
        final ChainFiles current = chain;
        if (ratio <= 0 || current == null)
        {
            return Long.MAX_VALUE;
        }
        return Math.max(ctx.olderChainJournalMinBytes(), (long)Math.min(Long.MAX_VALUE / 2.0, ratio * current.baseBytes()));
    }

    /**
     * @param bases        chain base ids, oldest first (the last is the newest chain).
     * @param headByBase   each chain's newest state version (its readable files').
     * @return how many of the oldest chains exceed the journal budget: the journal between a chain's head and the
     *         newest chain's head, estimated as versions times the mean frame length written since open (0 before
     *         {@link #BUDGET_MIN_FRAMES} frames were written since open: no estimate, nothing dropped for it).
     */
    private int olderChainsOverJournalBudget(final List<Long> bases, final Map<Long, Long> headByBase)
    {
        final long budget = olderChainJournalBudget();
        final long frames = journal.writtenVersion() - journal.openedAfterVersion();
        if (budget == Long.MAX_VALUE || bases.size() < 2 || frames < BUDGET_MIN_FRAMES)
        {
            return 0;   // too few frames since open to estimate a frame's length: nothing dropped for the budget yet
        }
        final double frameBytes = (double)journal.writtenBytes() / frames;
        final long newestHead = headByBase.get(bases.get(bases.size() - 1));
        int over = 0;
        for (int i = 0; i < bases.size() - 1; i++)
        {
            final long head = headByBase.get(bases.get(i));
            if ((newestHead - head) * frameBytes <= budget)
            {
                break;   // newer chains' heads are nearer still
            }
            over = i + 1;
        }
        return over;
    }

    /**
     * Keep the newest chain and {@link StateContext#keepOlderChains()} older ones (a fallback if the newest
     * is damaged); delete the files of the rest. Mapped files stay readable until their views are reclaimed.
     * The version history vetoes chains its window or an open snapshot needs, then trims the journal.
     */
    private void applyRetention()
    {
        final Map<Long, List<Path>> byBase = new TreeMap<>();
        final Map<Long, Long> headByBase = new HashMap<>();
        for (final Path file : CheckpointFiles.listCheckpoints(ctx.checkpointDirectory()))
        {
            try
            {
                final CheckpointInfo info = CheckpointFileChecks.readInfo(file);
                byBase.computeIfAbsent(info.baseId(), k -> new ArrayList<>()).add(file);
                headByBase.merge(info.baseId(), info.stateVersion(), Math::max);
            }
            catch (final RuntimeException ex)
            {
                // a damaged file is never deleted automatically: it is left for an operator to inspect
                store.noteDamagedFile(file, ex);
            }
        }
        final List<Long> bases = new ArrayList<>(byBase.keySet());
        final int keep = 1 + ctx.keepOlderChains();
        final int overBudget = olderChainsOverJournalBudget(bases, headByBase);
        for (int i = 0; i < bases.size() - 1; i++)
        {
            if (i >= bases.size() - keep && i >= overBudget)
            {
                continue;   // a fallback within its budget
            }
            if (bases.get(i) == chain.files().get(0).info().checkpointId() ||
                store.versionHistory().retention().retainsChain(byBase.get(bases.get(i))))   // history window or open snapshot
            {
                continue;
            }
            for (final Path file : byBase.get(bases.get(i)))
            {
                try
                {
                    Files.deleteIfExists(file);
                    final long id = CheckpointFiles.checkpointId(file.getFileName().toString());
                    Files.deleteIfExists(KeyLocationIndex.fileFor(ctx.checkpointDirectory(), id));
                    MapSeal.delete(KeyLocationIndex.fileFor(ctx.checkpointDirectory(), id));
                }
                catch (final IOException ex)
                {
                    throw new CheckpointException("cannot delete old checkpoint file=" + file + ": " + ex.getMessage(), ex);
                }
            }
        }
        if (overBudget > 0)
        {
            final long budget = olderChainJournalBudget();
            if (budget != lastBudgetLogged)
            {
                lastBudgetLogged = budget;
                LOG.info("checkpoints in {}: older chains dropped as the journal they need past the newest chain's head " +
                    "exceeds {} bytes (olderChainJournalBudget); the newest chain alone serves recovery until the next " +
                    "full checkpoint", ctx.checkpointDirectory(), budget);
            }
        }
        // journal cycles that no kept chain, history window, open snapshot or live generation needs (docs/history.md)
        store.versionHistory().retention().trimJournal(store.oldestLiveBaseVersion());
    }
}
