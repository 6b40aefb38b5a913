package dev.engram.harness.peers;

/**
 * The systems of {@code bench peers}: each runs the same workload in its own child JVMs.
 */
public enum PeerSystem
{
    /** Engram with its default context (ASYNC: acknowledged = written to the mapped journal). */
    ENGRAM("engram", "Engram", false, false),
    /** Engram, each put followed by {@code journal().awaitWritten(version)}: the caller waits for what RocksDB's put gives. */
    ENGRAM_WRITTEN("engram-written", "Engram await written", false, false),
    /** rocksdbjni, WAL on, {@code sync=false} (acknowledged = in the OS page cache). */
    ROCKSDB("rocksdb", "RocksDB", false, false),
    /** rocksdbjni, WAL on, {@code sync=true} (an fsync per put) for the measured puts. */
    ROCKSDB_SYNC("rocksdb-sync", "RocksDB sync", false, true),
    /** Engram, each measured put followed by {@code journal().awaitSynced(version)} (a force of the journal), as RocksDB sync. */
    ENGRAM_SYNCED("engram-synced", "Engram await synced", false, true),
    /** The naive baseline: a HashMap on the heap, saved whole (zstd-3, fsync, rename) on a timer. */
    ZSTD_SNAPSHOT("zstd-snapshot", "zstd snapshot", true, false);

    private final String label;
    private final String title;
    private final boolean losesOnCrash;
    private final boolean syncs;

    PeerSystem(final String label, final String title, final boolean losesOnCrash, final boolean syncs)
    {
        this.label = label;
        this.title = title;
        this.losesOnCrash = losesOnCrash;
        this.syncs = syncs;
    }

    /** @return true if every measured put waits for a force to disk (runs with the --sync-* phases). */
    public boolean syncs()
    {
        return syncs;
    }

    /** @return true for the Engram variants (same store, same recovery). */
    public boolean isEngram()
    {
        return this == ENGRAM || this == ENGRAM_WRITTEN || this == ENGRAM_SYNCED;
    }

    /** @return the command-line name. */
    public String label()
    {
        return label;
    }

    /** @return the table's column name. */
    public String title()
    {
        return title;
    }

    /**
     * @return true if losing acknowledged versions at {@code kill -9} is this system's contract (the snapshot
     *         baseline loses what changed since its last save); for the others any loss fails the check.
     */
    public boolean losesOnCrash()
    {
        return losesOnCrash;
    }

    public static PeerSystem byLabel(final String label)
    {
        for (final PeerSystem system : values())
        {
            if (system.label.equals(label))
            {
                return system;
            }
        }
        throw new IllegalArgumentException("unknown system '" + label + "': engram, engram-written, engram-synced, rocksdb, rocksdb-sync or zstd-snapshot");
    }
}
