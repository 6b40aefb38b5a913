package dev.engram.recovery.internal.procedure;

import dev.engram.journal.internal.DirectoryLock;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalBridgeDescriptor;
import dev.engram.journal.JournalLoss;
import dev.engram.journal.JournalLossException;
import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.journal.JournalOpenReport;
import dev.engram.journal.JournalReader;
import dev.engram.journal.ReplayResult;
import dev.engram.recovery.CheckpointCorruptionException;
import dev.engram.recovery.JournalLossRefusedException;
import dev.engram.recovery.RecoveryException;
import dev.engram.recovery.RecoveryReport;
import dev.engram.recovery.StateContext;
import dev.engram.recovery.UnsupportedCheckpointFormatException;
import dev.engram.recovery.internal.chain.ChainFiles;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import dev.engram.recovery.internal.checkpoint.MerkleTree;
import dev.engram.recovery.internal.overlay.KeyQuarantine;
import dev.engram.recovery.internal.overlay.Overlay;
import dev.engram.recovery.internal.overlay.PartitionedTailIndexer;
import dev.engram.recovery.internal.overlay.StateView;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the files in a state directory back into a ready state: newest valid checkpoint chain mapped,
 * journal tail after it indexed into an overlay. Every decision goes into the {@link RecoveryReport}.
 * <ol>
 *   <li>the journal's cycle files are compared with its manifest and the clean-shutdown record: a loss is refused
 *       unless accepted ({@link JournalLossGuard});</li>
 *   <li>the journal is opened (torn tail trimmed, half-created cycle files moved aside);</li>
 *   <li>temp files of unfinished checkpoints are deleted (the only files ever deleted here);</li>
 *   <li>checkpoint heads are tried newest first: every member of the chain must open and verify (header,
 *       footer, block table, index, Merkle root), and the journal must hold every version after it;
 *       a head that fails is rejected with its reason and the next older one is tried;</li>
 *   <li>with no usable checkpoint the journal is replayed from version 1, which must still be there;</li>
 *   <li>the journal after the chosen checkpoint is indexed into the overlay (no value copies).</li>
 * </ol>
 */
public final class RecoveryProcedure
{
    static final String CLEAN_SHUTDOWN_FILE = CleanShutdownRecord.FILE_NAME;
    public static final String LOCK_FILE = "engram.lock";

    /** Everything recovery opened, handed to the store. */
    public record Recovered(
        DirectoryLock lock,
        Journal journal,
        JournalMappedFiles journalFiles,
        ChainFiles chain,
        Overlay overlay,
        long recoveredVersion,
        long nextCheckpointId,
        RecoveryReport report,
        KeyQuarantine quarantine)
    {
    }

    private RecoveryProcedure()
    {
    }

    public static Recovered run(final StateContext ctx)
    {
        AfterOpenChecks.awaitDirectoryReleased(ctx.directory());   // a store closed in this JVM while its checks ran
        final StateDirectory before = StateDirectory.inspect(ctx);   // refuses another program's directory, touches nothing
        try
        {
            final Recovered recovered = run(ctx, before);
            return recovered;
        }
        catch (final RuntimeException | Error ex)
        {
            before.restoreAfterFailedOpen(ex);   // a failed open leaves the directory as it found it
            throw ex;
        }
    }

    private static Recovered run(final StateContext ctx, final StateDirectory before)
    {
        final long startNs = System.nanoTime();
        final DirectoryLock lock = DirectoryLock.acquire(ctx.directory(), LOCK_FILE);
        final KeyQuarantine quarantine = new KeyQuarantine();   // keys of frames replay cannot apply
        try
        {
            // read, not removed: it goes only once the open succeeded (a refused open leaves it for the next try)
            final CleanShutdownRecord cleanRecord = CleanShutdownRecord.read(ctx.directory());
            final boolean clean = cleanRecord.clean();
            // before anything is opened or changed: a cycle file the journal's manifest lists must be there
            final JournalLossGuard lossGuard = JournalLossGuard.before(ctx, cleanRecord);
            DirectoryLock.ensurePrivateDirectory(ctx.checkpointDirectory());
            // named now, deleted only once the open succeeded: a failed open leaves the directory as it found it
            final List<String> tempFiles = tempFiles(ctx.checkpointDirectory());

            final Map<Long, Path> files = new HashMap<>();
            long maxId = 0;
            for (final Path file : CheckpointFiles.listCheckpoints(ctx.checkpointDirectory()))
            {
                final long id = CheckpointFiles.checkpointId(file.getFileName().toString());
                files.put(id, file);
                maxId = Math.max(maxId, id);
            }
            lossGuard.refuseUnrecoverable(files);
            final FastTailReplay fast = !ctx.fastRecovery() ? FastTailReplay.skipped("disabled by StateContext.fastRecovery(false)") :
                lossGuard.cycleFilesLost() ? FastTailReplay.skipped("journal cycle files lost (accepted): the journal's " +
                    "own open moves aside what is left of them") :
                Files.exists(ctx.journalDirectory().resolve(JournalBridgeDescriptor.FILE_NAME)) ||
                Files.exists(ctx.journalDirectory().resolve(JournalBridgeDescriptor.MARK_FILE_NAME)) ? FastTailReplay.skipped(
                    "a journal bridge file (" + JournalBridgeDescriptor.FILE_NAME + ") or its mark says it holds frames a background open wrote " +
                    "before its queue opened (the store was closed, or the process died, during the queue's cold start): the " +
                    "journal's open copies them into the queue") :
                FastTailReplay.run(ctx, maxId, files, quarantine);
            if (fast.succeeded())
            {
                // the scan read and verified every frame up to its last version: the queue opens after ready
                final List<JournalLoss> losses;
                final Journal journal;
                try
                {
                    losses = lossGuard.atEnd(fast.lastVersion(), lossGuard.found());
                    journal = Journal.openInBackground(ctx.journal(), fast.lastVersion());
                }
                catch (final RuntimeException ex)
                {
                    fast.close();
                    throw ex;
                }
                try
                {
                    removeTempFiles(ctx.checkpointDirectory(), tempFiles);
                    CleanShutdownRecord.remove(ctx.directory());   // the next crash is detected as one
                }
                catch (final RuntimeException ex)
                {
                    closeAll(ex, journal, fast);
                    throw ex;
                }
                final ChainFiles chain = fast.chain();
                final Overlay overlay = fast.handOverOverlay();
                final long recovered = Math.max(fast.lastVersion(), chain == null ? 0 : chain.stateVersion());
                final RecoveryReport report = report(ctx, quarantine, clean, before.isNew(), chain, List.of(), tempFiles, losses, fast.framesReplayed(),
                    recovered, 0, 0, "fast: scanned the journal " + (chain == null ? "from its start" : "from the checkpoint's hint") +
                        "; the journal's queue opens in the background after ready (Journal.openInBackground)" +
                        (chain == null ? "" : "; the chain's Merkle roots are recomputed after ready " +
                            "(StateStore.merkleRootCheck())"),
                    0, fast.checkpointOpenNs(), fast.replayNs(), System.nanoTime() - startNs);
                return new Recovered(lock, journal, fast.journalFiles(), chain, overlay, recovered, maxId + 1, report, quarantine);
            }
            // the journal's end, found read-only: a loss is refused before the queue's open changes a file
            lossGuard.refuseLossBeforeTheQueueOpens();
            startWarmUp();   // the full path checks checkpoints on this thread: SHA-256 initialises meanwhile
            final long journalStartNs = System.nanoTime();
            final Journal journal;
            try
            {
                journal = Journal.open(ctx.journal());
            }
            catch (final JournalLossException ex)
            {
                throw new JournalLossRefusedException(ex);
            }
            final long journalOpenNs = System.nanoTime() - journalStartNs;
            try
            {
                final Recovered recovered = fullPath(ctx, startNs, lock, journal, journalOpenNs, clean, before.isNew(), lossGuard, tempFiles,
                    files, maxId, quarantine, "full (fast path not taken: " + fast.failure() + ")");
                try
                {
                    removeTempFiles(ctx.checkpointDirectory(), tempFiles);
                    CleanShutdownRecord.remove(ctx.directory());   // the next crash is detected as one
                }
                catch (final RuntimeException ex)
                {
                    closeAll(ex, recovered.overlay(), recovered.chain(), recovered.journalFiles());
                    throw ex;
                }
                return recovered;
            }
            catch (final RuntimeException ex)
            {
                journal.closeRefusedOpen(ex);   // its manifest and metadata.cq4t back as they were, where it wrote nothing
                throw ex;
            }
        }
        catch (final RuntimeException ex)
        {
            closeAll(ex, lock);
            throw ex;
        }
        catch (final Error ex)
        {
            // e.g. Chronicle's AssertionError when the JVM flags are missing: release the directory all the same
            final RuntimeException carrier = new RuntimeException(ex);
            closeAll(carrier, lock);
            for (final Throwable suppressed : carrier.getSuppressed())
            {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
    }

    /**
     * The path that handles every case: checkpoints tried newest first against the opened journal, with
     * fallback to older ones and to replaying the journal from its start, the tail replayed by
     * {@link JournalReader}. Closes what it opened if it fails (not the journal or the lock).
     */
    private static Recovered fullPath(
        final StateContext ctx, final long startNs, final DirectoryLock lock, final Journal journal, final long journalOpenNs,
        final boolean clean, final boolean newStore, final JournalLossGuard lossGuard, final List<String> tempFiles,
        final Map<Long, Path> files, final long maxId, final KeyQuarantine quarantine, final String path)
    {
        JournalMappedFiles journalFiles = null;
        ChainFiles chain = null;
        Overlay overlay = null;
        try
        {
            final JournalOpenReport journalReport = journal.openReport();
            final long lastVersion = journalReport.lastVersion();
            final List<JournalLoss> losses = lossGuard.atEnd(lastVersion, journalReport.losses());
            journalFiles = journal.newMappedFiles();
            final List<String> rejected = new ArrayList<>();
            final long firstJournalVersion;
            try (JournalReader reader = journal.newReader())
            {
                firstJournalVersion = reader.firstVersion();
            }
            final List<Long> headsNewestFirst = new ArrayList<>(files.keySet());
            headsNewestFirst.sort(Comparator.reverseOrder());
            long checkpointOpenNs = 0;
            long replayNs = 0;
            long framesReplayed = 0;
            int candidate = 0;
            while (true)
            {
                final long checkpointStartNs = System.nanoTime();
                chain = null;
                while (chain == null && candidate < headsNewestFirst.size())
                {
                    chain = tryChain(headsNewestFirst.get(candidate++), files, lastVersion, firstJournalVersion,
                        ctx.verifyBlocksOnOpen(), rejected);
                }
                checkpointOpenNs += System.nanoTime() - checkpointStartNs;

                final long fromVersion = chain == null ? 1 : chain.stateVersion() + 1;
                JournalLossGuard.refuseGapInReplay(losses, fromVersion, lastVersion);
                if (chain == null && lastVersion > 0 && firstJournalVersion > 1)
                {
                    throw new RecoveryException("no usable checkpoint in " + ctx.checkpointDirectory() +
                        (rejected.isEmpty() ? "" : " (rejected: " + String.join("; ", rejected) + ")") +
                        " and the journal in " + ctx.journalDirectory() + " starts at version=" + firstJournalVersion +
                        ", so versions 1.." + (firstJournalVersion - 1) + " cannot be rebuilt; restore a backup");
                }
                final long replayStartNs = System.nanoTime();
                overlay = new Overlay(expectedTailKeys(lastVersion - fromVersion + 1), journalFiles);
                try (PartitionedTailIndexer indexer = new PartitionedTailIndexer(overlay, chain == null ? StateView.EMPTY : chain)
                    .onQuarantine(quarantine))
                {
                    if (lastVersion >= fromVersion)
                    {
                        try (JournalReader reader = journal.newReader())
                        {
                            final ReplayResult result = reader.replay(fromVersion, indexer);
                            framesReplayed = result.framesDelivered();
                            if (result.lastVersion() != lastVersion)
                            {
                                throw new RecoveryException("journal replay from version=" + fromVersion +
                                    " ended at version=" + result.lastVersion() + " but the journal's last version is " +
                                    lastVersion + ": " + result);
                            }
                        }
                        indexer.finish();
                    }
                    replayNs += System.nanoTime() - replayStartNs;
                    break;
                }
                catch (final CheckpointCorruptionException ex)
                {
                    // a PATCH in the tail read a damaged block of this chain: reject it, try an older one
                    rejected.add(CheckpointFiles.checkpointFileName(chain.headId()) + ": " + ex.getMessage());
                    overlay.close();
                    overlay = null;
                    chain.close();
                    chain = null;
                    replayNs += System.nanoTime() - replayStartNs;
                }
            }
            final long recovered = Math.max(lastVersion, chain == null ? 0 : chain.stateVersion());
            final RecoveryReport report = report(ctx, quarantine, clean, newStore, chain, List.copyOf(rejected), tempFiles, losses, framesReplayed, recovered,
                journalReport.tornFrames(), journalReport.tornBytes(), path, journalOpenNs, checkpointOpenNs, replayNs, System.nanoTime() - startNs);
            return new Recovered(lock, journal, journalFiles, chain, overlay, recovered, maxId + 1, report, quarantine);
        }
        catch (final RuntimeException ex)
        {
            closeAll(ex, overlay, chain, journalFiles);
            throw ex;
        }
    }

    private static RecoveryReport report(
        final StateContext ctx, final KeyQuarantine quarantine, final boolean clean, final boolean newStore, final ChainFiles chain, final List<String> rejected,
        final List<String> tempFiles, final List<JournalLoss> journalLosses, final long framesReplayed, final long recovered, final int tornFrames,
        final long tornBytes, final String replayPath, final long journalOpenNs, final long checkpointOpenNs, final long replayNs, final long readyNs)
    {
        return new RecoveryReport(
            clean,
            newStore,
            chain == null ? 0 : chain.headId(),
            chain == null ? 0 : chain.stateVersion(),
            chain == null ? 0 : chain.length(),
            rejected,
            tempFiles,
            List.copyOf(journalLosses),
            quarantine.keys(),
            framesReplayed,
            recovered,
            tornFrames,
            tornBytes,
            false,
            ctx.snapshotIndex() ? "not on the restart path: checked after ready, see StateStore.snapshotIndexCheck()" :
                "disabled (StateContext.snapshotIndex(false))",
            replayPath,
            journalOpenNs,
            checkpointOpenNs,
            replayNs,
            readyNs);
    }

    /**
     * Initialise, on a short-lived thread, what the checkpoint open needs from the JDK and would otherwise
     * initialise on the recovery thread in a cold JVM (SHA-256 for the Merkle root check).
     */
    private static void startWarmUp()
    {
        final Thread thread = new Thread(MerkleTree::warmUp, "engram-recovery-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /** Largest overlay sized up front (keys); a longer tail grows the table as it goes. */
    static final int MAX_PRESIZED_KEYS = 1 << 21;

    /**
     * Keys the tail can touch, at most one per frame for the common single-key delta: sizing the overlay
     * for them up front saves the table doubling (and rehashing every entry) about ten times during a
     * million-frame replay.
     */
    static int expectedTailKeys(final long frames)
    {
        return (int)Math.max(1024, Math.min(MAX_PRESIZED_KEYS, frames));
    }

    private static ChainFiles tryChain(
        final long headId, final Map<Long, Path> files, final long lastJournalVersion, final long firstJournalVersion,
        final boolean verifyBlocks, final List<String> rejected)
    {
        final ChainFiles chain;
        try
        {
            chain = ChainFiles.open(headId, files, verifyBlocks);
        }
        catch (final UnsupportedCheckpointFormatException ex)
        {
            // written by a newer Engram: refuse to open rather than fall back past it and overwrite its world
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            rejected.add(CheckpointFiles.checkpointFileName(headId) + ": " + ex.getMessage());
            return null;
        }
        final long version = chain.stateVersion();
        String problem = null;
        if (version > lastJournalVersion)
        {
            problem = "holds version=" + version + " but the journal ends at version=" + lastJournalVersion;
        }
        else if (version < lastJournalVersion && firstJournalVersion > version + 1)
        {
            problem = "the journal no longer holds the versions after it: journal starts at version=" + firstJournalVersion;
        }
        if (problem != null)
        {
            rejected.add(CheckpointFiles.checkpointFileName(headId) + ": " + problem);
            chain.close();
            return null;
        }
        return chain;
    }

    /**
     * After a clean close: the record of it, with the journal's last written version (see {@link CleanShutdownRecord}).
     */
    public static void markCleanShutdown(final Path directory, final long lastWrittenVersion)
    {
        CleanShutdownRecord.write(directory, lastWrittenVersion);
    }

    /**
     * @return the names of unfinished checkpoints' temp files in the checkpoint directory.
     */
    private static List<String> tempFiles(final Path directory)
    {
        final List<String> found = new ArrayList<>();
        final String[] names = directory.toFile().list();
        if (names == null)
        {
            throw new RecoveryException("cannot list checkpoint directory=" + directory + ": check that it is a readable " +
                "directory and reopen");
        }
        for (final String name : names)
        {
            if (name.endsWith(CheckpointFiles.TMP_SUFFIX))
            {
                found.add(name);
            }
        }
        found.sort(null);
        return List.copyOf(found);
    }

    /**
     * Delete the temp files found at the start of the open, once it succeeded (a new checkpoint may reuse a name).
     */
    private static void removeTempFiles(final Path directory, final List<String> names)
    {
        for (final String name : names)
        {
            try
            {
                Files.deleteIfExists(directory.resolve(name));
            }
            catch (final IOException ex)
            {
                throw new RecoveryException("cannot delete the unfinished checkpoint's temp file=" + directory.resolve(name) +
                    ": " + ex.getMessage() + "; delete it by hand and reopen", ex);
            }
        }
    }

    private static void closeAll(final RuntimeException failure, final AutoCloseable... resources)
    {
        for (final AutoCloseable resource : resources)
        {
            if (resource != null)
            {
                try
                {
                    resource.close();
                }
                catch (final Exception ex)
                {
                    failure.addSuppressed(ex);
                }
            }
        }
    }
}
