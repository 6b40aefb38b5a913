package dev.engram.recovery.internal.chain;

import java.util.List;

/**
 * What {@link CatalogRebuilder#ensureCurrent(java.nio.file.Path)} found and did.
 */
public final class CatalogReport
{
    /**
     * The state the catalog was found in.
     */
    public enum Outcome
    {
        /** The catalog matched the checkpoint files: used as it was. */
        CURRENT,
        /** There was no catalog: built from the checkpoint files. */
        REBUILT_MISSING,
        /** The catalog did not list exactly the valid checkpoint files (e.g. the newest was missing): rebuilt. */
        REBUILT_STALE,
        /** The catalog failed its seal, CRC or record checks, or Chronicle could not read it: rebuilt. */
        REBUILT_DAMAGED
    }

    private final Outcome outcome;
    private final String reason;
    private final CheckpointCatalog catalog;
    private final List<String> rejectedFiles;
    private final long elapsedNs;

    CatalogReport(final Outcome outcome, final String reason, final CheckpointCatalog catalog,
        final List<String> rejectedFiles, final long elapsedNs)
    {
        this.outcome = outcome;
        this.reason = reason;
        this.catalog = catalog;
        this.rejectedFiles = List.copyOf(rejectedFiles);
        this.elapsedNs = elapsedNs;
    }

    public Outcome outcome()
    {
        return outcome;
    }

    public boolean rebuilt()
    {
        return outcome != Outcome.CURRENT;
    }

    /**
     * @return why it was rebuilt (null when current).
     */
    public String reason()
    {
        return reason;
    }

    /**
     * @return the catalog in force now.
     */
    public CheckpointCatalog catalog()
    {
        return catalog;
    }

    /**
     * @return checkpoint files left out because their header or footer failed a check, each with the reason.
     */
    public List<String> rejectedFiles()
    {
        return rejectedFiles;
    }

    public long elapsedNs()
    {
        return elapsedNs;
    }

    @Override
    public String toString()
    {
        return "CatalogReport{outcome=" + outcome + (reason == null ? "" : " reason=" + reason) +
            " records=" + catalog.records().size() + " rejected=" + rejectedFiles + " elapsedMs=" + elapsedNs / 1_000_000 + "}";
    }
}
