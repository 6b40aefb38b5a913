package dev.engram.journal;

import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;

import static dev.engram.journal.DeltaFrameDescriptor.TRIM_FRAME_LENGTH;

/**
 * The part of a {@link Journal} that needs the Chronicle queue: the store, the writer agent that drains the
 * ring into it, and the sync thread. A journal's ring takes appends before its backend exists when the
 * journal is opened in the background ({@link Journal#openInBackground}); the backend then opens on the
 * writer thread.
 */
final class JournalBackend
{
    final ChronicleJournalStore store;
    final JournalSyncer syncer;
    final JournalWriterAgent writer;
    final Thread syncerThread;
    final JournalOpenReport openReport;
    final JournalManifestKeeper manifest;

    private JournalBackend(final ChronicleJournalStore store, final JournalSyncer syncer, final JournalWriterAgent writer,
        final Thread syncerThread, final JournalOpenReport openReport, final JournalManifestKeeper manifest)
    {
        this.store = store;
        this.manifest = manifest;
        this.syncer = syncer;
        this.writer = writer;
        this.syncerThread = syncerThread;
        this.openReport = openReport;
    }

    /**
     * What the queue held when it was opened: where its last complete frame is, any torn tail, the manifest and
     * what was lost.
     */
    static final class OpenedStore
    {
        final ChronicleJournalStore store;
        final JournalReader.TailScan tail;
        final long startNs;
        final JournalManifest manifest;
        final java.util.List<JournalLoss> losses;
        /** What {@link TailGarbage#clear} cleared after the last document, or null. */
        String tailCleared;
        /** Chronicle index entries {@link ChronicleIndexCheck} zeroed (damaged), or null. */
        String indexRepaired;

        OpenedStore(final ChronicleJournalStore store, final JournalReader.TailScan tail, final long startNs,
            final JournalManifest manifest, final java.util.List<JournalLoss> losses)
        {
            this.store = store;
            this.tail = tail;
            this.startNs = startNs;
            this.manifest = manifest;
            this.losses = losses;
        }
    }

    /**
     * Check the cycle files against the manifest, open the queue and find its last complete frame (no frames written
     * yet; the manifest is created or brought in line with the files).
     *
     * @throws JournalLossException if written versions are gone and the context does not accept it.
     */
    static OpenedStore openStore(final JournalContext ctx, final long startNs)
    {
        final JournalOpenCheck check = JournalOpenCheck.before(ctx);
        final TailGarbage cleared;
        final ChronicleIndexCheck indexRepaired;
        final ChronicleJournalStore store;
        final org.agrona.collections.IntHashSet endedCycles = new org.agrona.collections.IntHashSet();
        try
        {
            // before Chronicle reads the end: it grows the file to a garbage header's length and cannot append after it
            cleared = TailGarbage.clearBeforeOpen(ctx, endedCycles);
            if (cleared != null)
            {
                org.slf4j.LoggerFactory.getLogger(Journal.class).warn("journal in {}: {}", ctx.directory(), cleared.describe());
            }
        }
        catch (final RuntimeException ex)
        {
            check.undoMoves(ex);
            throw ex;
        }
        try
        {
            // before Chronicle follows its index: a garbled address there makes it map towards 2^60 (heap exhausted)
            indexRepaired = ChronicleIndexCheck.repairBeforeOpen(ctx);
            if (indexRepaired != null)
            {
                org.slf4j.LoggerFactory.getLogger(Journal.class).warn("journal in {}: {}", ctx.directory(), indexRepaired.describe());
            }
        }
        catch (final RuntimeException ex)
        {
            if (cleared != null)
            {
                cleared.restore(ex);
            }
            check.undoMoves(ex);
            throw ex;
        }
        try
        {
            store = new ChronicleJournalStore(ctx, endedCycles);
        }
        catch (final RuntimeException | Error ex)
        {
            if (indexRepaired != null)
            {
                indexRepaired.restore(ex);
            }
            if (cleared != null)
            {
                cleared.restore(ex);
            }
            check.undoMoves(ex);
            throw ex;
        }
        try (JournalReader reader = new JournalReader(store))
        {
            final JournalReader.TailScan tail = scanTail(reader, ctx);
            final JournalManifest manifest = check.after(tail.lastVersion);
            final OpenedStore opened = new OpenedStore(store, tail, startNs, manifest, check.losses());
            opened.tailCleared = cleared == null ? null : cleared.describe();
            opened.indexRepaired = indexRepaired == null ? null : indexRepaired.describe();
            return opened;
        }
        catch (final RuntimeException | Error ex)
        {
            // nothing written yet and the manifest unchanged: put back what this open moved aside
            store.close();
            store.undoOpen(ex);
            if (indexRepaired != null)
            {
                indexRepaired.restore(ex);
            }
            if (cleared != null)
            {
                cleared.restore(ex);
            }
            check.undoMoves(ex);
            throw ex;
        }
    }

    /**
     * Find the journal's last complete frame. Chronicle reading a cycle file whose header or index is damaged throws its
     * own exceptions (e.g. {@code IORuntimeException: UnsupportedOperationException: Unknown_d}, or an
     * {@code AssertionError} in {@code StoreTailer.toStart} under {@code -ea}) that name nothing: they become a
     * {@link JournalException} naming the directory and the next step.
     */
    private static JournalReader.TailScan scanTail(final JournalReader reader, final JournalContext ctx)
    {
        try
        {
            return reader.scanTail();
        }
        catch (final JournalException ex)
        {
            throw ex;
        }
        catch (final RuntimeException | AssertionError ex)
        {
            throw new JournalException("journal in " + ctx.directory() + " could not be read to its end: Chronicle " +
                "failed on a cycle file (its header or index may be damaged): " + ex + "; nothing was written: restore " +
                "the journal from a backup, or move the damaged cycle file aside and reopen with acceptJournalLoss(true)", ex);
        }
    }

    /**
     * Retire a torn tail with a trim frame (see {@link JournalOpenReport}).
     */
    static void writeTrimFrame(final OpenedStore opened)
    {
        final JournalReader.TailScan tail = opened.tail;
        final UnsafeBuffer trim = new UnsafeBuffer(new byte[TRIM_FRAME_LENGTH]);
        DeltaFrameEncoder.encodeTrim(trim, 0, tail.lastVersion, tail.tornFirstIndex, tail.tornLastIndex,
            System.currentTimeMillis() * 1_000_000L, new FrameChecksum());
        try (ExcerptAppender appender = opened.store.queue().createAppender())
        {
            try (DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().write(trim.byteArray(), 0, TRIM_FRAME_LENGTH);
            }
        }
        catch (final RuntimeException | AssertionError ex)
        {
            // e.g. bytes after the torn frames that are neither frames nor zeros: Chronicle cannot place a document
            throw new JournalException("the torn tail of the journal (" + tail.tornFrames + " frame(s) from file=" +
                tail.tornFile + " position=" + tail.tornPosition + ", after version=" + tail.lastVersion + ") could not " +
                "be retired: Chronicle failed to append the trim frame after it (" + ex + "), so the bytes after the last " +
                "valid frame are damaged beyond a cut-short write; restore the journal (or the state directory) from a " +
                "backup", ex);
        }
    }

    /**
     * Create the writer agent and start the sync thread over an opened store.
     */
    static JournalBackend start(final JournalContext ctx, final OpenedStore opened, final ManyToOneDeltaRing ring,
        final long baseVersion, final JournalProgress progress)
    {
        return start(ctx, opened, ring, baseVersion, progress, null, null);
    }

    /**
     * As {@link #start(JournalContext, OpenedStore, ManyToOneDeltaRing, long, JournalProgress)}, first moving a bridge's
     * frames into the queue ({@link JournalBridgeCopy}) and removing the bridge, before the writer agent or the sync
     * thread run.
     *
     * @param bridge  the bridge to copy, or null.
     * @param drained the journal thread's bridge phase of this open (ring sequences and bytes it wrote to the bridge,
     *                the writer continues after them), or null if this open wrote none (a bridge a crash left).
     */
    static JournalBackend start(final JournalContext ctx, final OpenedStore opened, final ManyToOneDeltaRing ring,
        final long baseVersion, final JournalProgress progress, final JournalBridgeContents bridge,
        final JournalBridgeDrain drained)
    {
        final JournalManifestKeeper manifest = new JournalManifestKeeper(ctx.directory(), opened.manifest);
        final JournalSyncer syncer = new JournalSyncer(opened.store, ctx, progress, manifest);
        final JournalWriterAgent writer = new JournalWriterAgent(
            opened.store, ring, ctx.writerIdleStrategySupplier().get(), baseVersion, syncer, progress, manifest);
        final JournalReader.TailScan tail = opened.tail;
        JournalBridgeCopy.Result copied = null;
        if (bridge != null)
        {
            // a bridge this open wrote is forced in the queue only if a caller had it forced; one a crash left always is
            final boolean force = drained == null || drained.bridge().syncedVersion() > tail.lastVersion;
            copied = JournalBridgeCopy.copy(opened.store, bridge, tail.lastVersion, manifest, manifest.newestCycle(), force,
                drained == null ? null : drained::epochMsWritten);
            final long sequences = drained == null ? 0 : drained.drainedSequences();
            final long bytes = drained == null ? 0 : drained.bytesWritten();
            if (copied.frames() > 0)
            {
                progress.written(copied.cycle(), copied.lastVersion(), bytes);
            }
            writer.continueAfter(sequences, bytes, copied.cycle(), drained == null ? 0 : drained.lastTimestampNs());
            bridge.close();
            // its frames are in the queue (forced if any was synced in the bridge): the mark goes first, so a mark is
            // never left without its bridge by this open (JournalBridgeMark)
            JournalBridgeMark.delete(bridge.file().getParent());
            bridge.delete();
        }
        final Thread syncerThread = new Thread(syncer, "engram-journal-syncer");
        syncerThread.setDaemon(true);
        syncerThread.start();
        // a torn bridge tail a crash left is reported like a torn queue tail (dropped, not retired: the bridge goes)
        final boolean bridgeTorn = bridge != null && drained == null && bridge.tornOffset() >= 0;
        final boolean queueTorn = tail.tornFrames > 0;
        final JournalOpenReport report = new JournalOpenReport(copied == null || drained != null ? tail.lastVersion :
            copied.lastVersion(), tail.tornFrames + (bridgeTorn ? 1 : 0),
            tail.tornBytes + (bridgeTorn ? bridge.fileLength() - bridge.tornOffset() : 0),
            queueTorn || !bridgeTorn ? tail.tornFile : bridge.file().toString(),
            queueTorn || !bridgeTorn ? tail.tornPosition : bridge.tornOffset(),
            queueTorn || !bridgeTorn ? tail.tornCheck : bridge.tornCheck(), opened.store.discardedCycleFiles(), opened.losses,
            System.nanoTime() - opened.startNs, opened.store.metadataRebuilt(), opened.tailCleared, opened.indexRepaired,
            copied == null ? null : copied.description());
        return new JournalBackend(opened.store, syncer, writer, syncerThread, report, manifest);
    }
}
