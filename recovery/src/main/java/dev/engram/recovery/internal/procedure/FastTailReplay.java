package dev.engram.recovery.internal.procedure;

import dev.engram.journal.internal.CycleFiles;
import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.journal.internal.JournalScanner;
import dev.engram.recovery.CheckpointException;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.StateContext;
import dev.engram.recovery.internal.chain.ChainFiles;
import dev.engram.recovery.internal.overlay.FrameQuarantine;
import dev.engram.recovery.internal.overlay.Overlay;
import dev.engram.recovery.internal.overlay.PartitionedTailIndexer;
import dev.engram.recovery.internal.overlay.PrefaultedChunks;
import dev.engram.recovery.internal.overlay.StateView;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Recovery's fast path, run while the journal is still opening: the newest checkpoint chain is mapped and
 * the journal after it is indexed into an overlay by {@link JournalScanner}, starting at the place the
 * checkpoint's journal hint names. It covers the ordinary crash (newest checkpoint sound, journal ending in
 * whole frames); anything else returns a {@link #failed reason} and recovery takes the full path, which
 * handles every case. The result is only used if the journal, once open, ends at the same version.
 */
final class FastTailReplay implements AutoCloseable
{
    private final ChainFiles chain;
    private final Overlay overlay;
    private final JournalMappedFiles journalFiles;
    private final long framesReplayed;
    private final long lastVersion;
    private final String failure;
    private final long checkpointOpenNs;
    private final long replayNs;
    private boolean handedOver;

    private FastTailReplay(final ChainFiles chain, final Overlay overlay, final JournalMappedFiles journalFiles,
        final long framesReplayed, final long lastVersion, final String failure, final long checkpointOpenNs,
        final long replayNs)
    {
        this.chain = chain;
        this.overlay = overlay;
        this.journalFiles = journalFiles;
        this.framesReplayed = framesReplayed;
        this.lastVersion = lastVersion;
        this.failure = failure;
        this.checkpointOpenNs = checkpointOpenNs;
        this.replayNs = replayNs;
    }

    private static FastTailReplay failed(final String reason, final long checkpointOpenNs, final long replayNs)
    {
        return new FastTailReplay(null, null, null, 0, 0, reason, checkpointOpenNs, replayNs);
    }

    static FastTailReplay skipped(final String reason)
    {
        return failed(reason, 0, 0);
    }

    /**
     * @param ctx          the store's context.
     * @param newestHeadId the newest checkpoint's id, or 0 if there is none (then the journal is scanned
     *                     from its start).
     * @param files        checkpoint files by id.
     * @param quarantine   told about keys of frames that cannot be applied.
     */
    static FastTailReplay run(final StateContext ctx, final long newestHeadId, final Map<Long, java.nio.file.Path> files,
        final FrameQuarantine.Listener quarantine)
    {
        final long startNs = System.nanoTime();
        ChainFiles chain = null;
        if (newestHeadId != 0)
        {
            try
            {
                chain = ChainFiles.open(newestHeadId, files, ctx.verifyBlocksOnOpen(), true);
            }
            catch (final RuntimeException ex)
            {
                return failed("newest checkpoint did not open: " + ex.getMessage(), System.nanoTime() - startNs, 0);
            }
            if (chain.head().info().journalHintPosition() == 0)
            {
                chain.close();
                return failed("newest checkpoint has no journal hint", System.nanoTime() - startNs, 0);
            }
        }
        // the checks that grow with the state run beside the journal scan (which does not read the chain)
        final FutureTask<Void> chainChecks = startChainChecks(chain);
        final long replayStartNs = System.nanoTime();
        final long checkpointOpenNs = replayStartNs - startNs;
        // a new store has no journal directory yet: an empty journal, scanned like any other (the queue then
        // opens in the background after ready, instead of on the ready path: seconds in a cold JVM)
        dev.engram.journal.internal.DirectoryLock.ensurePrivateDirectory(ctx.journalDirectory());
        final CycleFiles cycles = new CycleFiles(ctx.journalDirectory(), ctx.journal().rollCycle());
        final JournalMappedFiles journalFiles = new JournalMappedFiles(cycles);
        Overlay overlay = null;
        try
        {
            final CheckpointInfo head = chain == null ? null : chain.head().info();
            final JournalScanner scanner = new JournalScanner(cycles, journalFiles);
            final long estimate = head == null ? scanner.estimateFramesAfter(-1, 0) :
                scanner.estimateFramesAfter(head.journalHintCycle(), head.journalHintPosition());
            overlay = new Overlay(16, journalFiles);   // the indexer sizes it once it knows the tail
            final JournalScanner.Result result;
            // record memory pass 1 will write, faulted in ahead on a helper thread
            final long recordBytes = Math.min(PartitionedTailIndexer.DEFAULT_BUFFER_BUDGET,
                estimate * PartitionedTailIndexer.TYPICAL_RECORD_LENGTH);
            try (PrefaultedChunks prefaulted = new PrefaultedChunks(PartitionedTailIndexer.CHUNK_LENGTH,
                    (int)((recordBytes + PartitionedTailIndexer.CHUNK_LENGTH - 1) / PartitionedTailIndexer.CHUNK_LENGTH));
                 PartitionedTailIndexer indexer = new PartitionedTailIndexer(overlay, chain == null ? StateView.EMPTY : chain,
                     PartitionedTailIndexer.DEFAULT_BUFFER_BUDGET, estimate).prefaultedChunks(prefaulted).onQuarantine(quarantine))
            {
                result = head == null ? scanner.scanFromStart(indexer) :
                    scanner.scanAfter(head.journalHintCycle(), head.journalHintPosition(), head.stateVersion(), indexer);
                if (result.outcome() != JournalScanner.Outcome.COMPLETE)
                {
                    throw new IllegalStateException(result.reason());
                }
                // before the result can be used, and normally before anything reads the chain: only a tail past
                // the records' buffer budget applies records (a PATCH reads its base value) during the scan, and a
                // failed check discards whatever was built from the chain
                awaitChainChecks(chainChecks);
                indexer.finish();
            }
            return new FastTailReplay(chain, overlay, journalFiles, result.framesDelivered(), result.lastVersion(), null,
                checkpointOpenNs, System.nanoTime() - replayStartNs);
        }
        catch (final RuntimeException ex)
        {
            // includes a PATCH reading a damaged block of the chain: the full path rejects the chain properly
            try
            {
                awaitChainChecks(chainChecks);   // the check thread reads the mapping: let it finish first
            }
            catch (final RuntimeException checkFailure)
            {
                if (checkFailure != ex)
                {
                    ex.addSuppressed(checkFailure);
                }
            }
            if (overlay != null)
            {
                overlay.close();
            }
            journalFiles.close();
            if (chain != null)
            {
                chain.close();
            }
            return failed("journal scan: " + ex.getMessage(), checkpointOpenNs, System.nanoTime() - replayStartNs);
        }
    }

    private static FutureTask<Void> startChainChecks(final ChainFiles chain)
    {
        final FutureTask<Void> task = new FutureTask<>(() ->
        {
            if (chain != null)
            {
                chain.verifyDeferred();   // block table rows, index CRC; the Merkle roots after ready (StateStore)
            }
            return null;
        });
        final Thread thread = new Thread(task, "engram-recovery-checks");
        thread.setDaemon(true);
        thread.start();
        return task;
    }

    private static void awaitChainChecks(final FutureTask<Void> task)
    {
        boolean interrupted = false;
        try
        {
            while (true)
            {
                try
                {
                    task.get();
                    return;
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;   // the check is running either way: wait for it, keep the flag
                }
                catch (final ExecutionException ex)
                {
                    final Throwable cause = ex.getCause();
                    throw cause instanceof RuntimeException runtime ? runtime :
                        new CheckpointException("checkpoint check failed: " + cause, cause);
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean succeeded()
    {
        return failure == null;
    }

    String failure()
    {
        return failure;
    }

    long lastVersion()
    {
        return lastVersion;
    }

    long framesReplayed()
    {
        return framesReplayed;
    }

    long checkpointOpenNs()
    {
        return checkpointOpenNs;
    }

    long replayNs()
    {
        return replayNs;
    }

    ChainFiles chain()
    {
        return chain;
    }

    /**
     * Give the chain, overlay and mappings to the caller, who closes them from now on.
     */
    Overlay handOverOverlay()
    {
        handedOver = true;
        return overlay;
    }

    JournalMappedFiles journalFiles()
    {
        return journalFiles;
    }

    @Override
    public void close()
    {
        if (handedOver || failure != null)
        {
            return;
        }
        overlay.close();
        journalFiles.close();
        if (chain != null)
        {
            chain.close();
        }
    }
}
