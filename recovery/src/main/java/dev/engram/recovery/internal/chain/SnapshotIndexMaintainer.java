package dev.engram.recovery.internal.chain;

import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.SnapshotIndexReport;
import dev.engram.recovery.StateContext;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Keeps the snapshot index — the Chronicle Map catalog and the key → location index of the chain head —
 * in step with the checkpoint files, off the restart path: after each published checkpoint, and once in
 * the background after open (where a missing, stale or damaged index is rebuilt from the files and that
 * is reported). For chains of at least {@link StateContext#keyIndexMinChainLength()} files the key index
 * is attached to the chain so point reads stay O(1); shorter chains read through the files' own indexes,
 * which is faster for them. Serialised: one change at a time.
 */
public final class SnapshotIndexMaintainer
{
    /** What the check after open found. */
    record Check(CatalogReport catalog, KeyIndexReport keyIndex, boolean keyIndexAttached, String keyIndexSkipped,
        String error, boolean stopped)
    {
        boolean rebuilt()
        {
            return (catalog != null && catalog.rebuilt()) ||
                (keyIndex != null && keyIndex.method() != KeyIndexReport.Method.OPENED);
        }

        String describe()
        {
            if (stopped)
            {
                return "snapshot index not checked: the store closed first (the next open checks it)";
            }
            if (error != null)
            {
                return "snapshot index check failed: " + error;
            }
            return "catalog " + (catalog == null ? "none" : catalog.outcome() +
                (catalog.reason() == null ? "" : " (" + catalog.reason() + ")")) +
                ", key index " + (keyIndex == null ? "not used (" + (keyIndexSkipped == null ? "no checkpoint" :
                keyIndexSkipped) + ")" : keyIndex.method() +
                (keyIndex.reason() == null ? "" : " (" + keyIndex.reason() + ")")) +
                (keyIndexAttached ? ", attached" : "");
        }
    }

    private final Path directory;
    private final int minChainLength;
    private CheckpointCatalog catalog;

    public SnapshotIndexMaintainer(final StateContext ctx)
    {
        this.directory = ctx.checkpointDirectory();
        this.minChainLength = ctx.keyIndexMinChainLength();
    }

    /**
     * After open: make the catalog current and open (or rebuild) the chain head's key index.
     */
    public synchronized SnapshotIndexReport checkAfterOpen(final ChainFiles chain)
    {
        return checkAfterOpen(chain, () -> false, DirectoryWrites.HELD);
    }

    /**
     * {@link #checkAfterOpen(ChainFiles)} that stops when {@code stop} says so (its store closed): between its steps,
     * and at the next entry of a key index rebuild; a Chronicle Map open in progress cannot be interrupted, so the
     * check stops after it, closing the map instead of attaching it. The caller keeps the chain mapped until this
     * returns; rebuilding the catalog or the key index writes only between {@code writes.begin()} and {@code end()}.
     */
    public synchronized SnapshotIndexReport checkAfterOpen(final ChainFiles chain, final BooleanSupplier stop,
        final DirectoryWrites writes)
    {
        final long start = System.nanoTime();
        final Check check = check(chain, stop, writes);
        return new SnapshotIndexReport(check.rebuilt(), check.keyIndexAttached(), check.describe(), System.nanoTime() - start);
    }

    private Check check(final ChainFiles chain, final BooleanSupplier stop, final DirectoryWrites writes)
    {
        try
        {
            // Nothing reads the catalog or a short chain's key index: opening either (a Chronicle Map, whose first
            // use in a JVM compiles generated classes: seconds cold) is left to the next checkpoint's publish, on the
            // checkpointer's thread — close() would otherwise wait for it
            if (chain == null)
            {
                return new Check(null, null, false, "no checkpoint yet: the first one creates the catalog", null, false);
            }
            if (chain.length() < minChainLength)
            {
                return new Check(null, null, false, shortChain(chain) + "; the catalog is brought up to date at the next " +
                    "checkpoint", null, false);
            }
            if (stop.getAsBoolean())
            {
                return stopped();
            }
            final CatalogReport catalogReport = CatalogRebuilder.ensureCurrent(directory, writes);
            catalog = catalogReport.catalog();
            if (stop.getAsBoolean())
            {
                return stopped();
            }
            final KeyLocationIndex index = KeyLocationIndex.openOrRebuild(directory, chain.chain(), stop, writes);
            if (stop.getAsBoolean())
            {
                index.close();   // nobody reads through it any more
                return stopped();
            }
            chain.chain().attach(index);
            return new Check(catalogReport, index.report(), true, null, null, false);
        }
        catch (final CheckStoppedException ex)
        {
            return stopped();
        }
        catch (final RuntimeException ex)
        {
            return new Check(null, null, false, null, ex.toString(), false);
        }
    }

    /**
     * After a checkpoint is published: record it in a new catalog and, if the chain is long enough for reads
     * to use it, publish and attach the head's key index. A shorter chain gets none: its reads probe at most
     * {@code keyIndexMinChainLength - 1} in-file indexes, and building the map (one Chronicle Map put per live
     * key of the whole chain, ~250 bytes of garbage each as measured) would cost about as much as the checkpoint.
     */
    public synchronized void afterPublish(final CheckpointInfo info, final ChainFiles chain)
    {
        catalog = catalog == null ? CatalogRebuilder.ensureCurrent(directory).catalog() : catalog.with(info);
        if (chain.length() >= minChainLength)
        {
            KeyLocationIndex.publish(directory, chain.chain());
            chain.chain().attach(KeyLocationIndex.open(directory, chain.chain()));
        }
    }

    private static Check stopped()
    {
        return new Check(null, null, false, null, null, true);
    }

    private String shortChain(final ChainFiles chain)
    {
        return "chain of " + chain.length() + " < keyIndexMinChainLength " + minChainLength +
            ": reads use the in-file indexes";
    }
}
