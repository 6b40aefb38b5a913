package dev.engram.recovery.internal.chain;

import dev.engram.recovery.CheckpointException;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.SnapshotIndexDamagedException;
import dev.engram.recovery.internal.checkpoint.CheckpointFileChecks;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the catalog agree with the checkpoint files: lists them, reads each one's header and footer
 * (256 bytes, checked), and rebuilds a missing, stale or damaged catalog from them, saying so.
 */
public final class CatalogRebuilder
{
    private CatalogRebuilder()
    {
    }

    /**
     * @param directory the checkpoint directory.
     * @return the catalog in force and what was done to get it.
     */
    public static CatalogReport ensureCurrent(final Path directory)
    {
        return ensureCurrent(directory, DirectoryWrites.HELD);
    }

    /**
     * @param directory the checkpoint directory.
     * @param writes    asked before a catalog is written: a check whose store closed writes nothing.
     * @return the catalog in force and what was done to get it.
     * @throws CheckStoppedException if a catalog had to be written but the store closed.
     */
    public static CatalogReport ensureCurrent(final Path directory, final DirectoryWrites writes)
    {
        final long start = System.nanoTime();
        final List<String> rejected = new ArrayList<>();
        final Map<Long, CatalogRecord> onDisk = new HashMap<>();
        for (final Path file : CheckpointFiles.listCheckpoints(directory))
        {
            try
            {
                final CheckpointInfo info = CheckpointFileChecks.readInfo(file);
                if (info.checkpointId() != CheckpointFiles.checkpointId(file.getFileName().toString()))
                {
                    rejected.add(file + ": header says checkpoint id " + info.checkpointId());
                    continue;
                }
                onDisk.put(info.checkpointId(), CatalogRecord.of(info));
            }
            catch (final CheckpointException ex)
            {
                rejected.add(file + ": " + ex.getMessage());
            }
        }

        CatalogReport.Outcome outcome;
        String reason;
        if (CheckpointCatalog.catalogFiles(directory).isEmpty())
        {
            outcome = CatalogReport.Outcome.REBUILT_MISSING;
            reason = "no catalog file in " + directory;
        }
        else
        {
            try
            {
                final CheckpointCatalog catalog = CheckpointCatalog.open(directory);
                final String difference = difference(catalog, onDisk);
                if (difference == null)
                {
                    return new CatalogReport(CatalogReport.Outcome.CURRENT, null, catalog, rejected, System.nanoTime() - start);
                }
                outcome = CatalogReport.Outcome.REBUILT_STALE;
                reason = difference;
            }
            catch (final SnapshotIndexDamagedException ex)
            {
                outcome = CatalogReport.Outcome.REBUILT_DAMAGED;
                reason = ex.getMessage();
            }
        }
        if (!writes.begin())
        {
            throw new CheckStoppedException("catalog not rebuilt in " + directory + ": its store closed (" + reason + ")");
        }
        try
        {
            final CheckpointCatalog rebuilt = CheckpointCatalog.write(directory, onDisk.values());
            return new CatalogReport(outcome, reason, rebuilt, rejected, System.nanoTime() - start);
        }
        finally
        {
            writes.end();
        }
    }

    private static String difference(final CheckpointCatalog catalog, final Map<Long, CatalogRecord> onDisk)
    {
        for (final CatalogRecord record : onDisk.values())
        {
            final CatalogRecord listed = catalog.record(record.checkpointId()).orElse(null);
            if (listed == null)
            {
                return "checkpoint " + record.fileName() + " is not in catalog " + catalog.file().getFileName();
            }
            if (!listed.equals(record))
            {
                return "catalog " + catalog.file().getFileName() + " describes " + record.fileName() + " differently";
            }
        }
        for (final CatalogRecord listed : catalog.records())
        {
            if (!onDisk.containsKey(listed.checkpointId()))
            {
                return "catalog " + catalog.file().getFileName() + " lists " + listed.fileName() +
                    ", which is missing or failed its checks";
            }
        }
        return null;
    }
}
