package dev.engram.bench.peers;

/**
 * The systems of {@code bench peers}: each runs the same workload in its own child JVMs.
 */
public enum PeerSystem
{
    /** Engram with its default context (ASYNC: acknowledged = written to the mapped journal). */
    ENGRAM("engram", "Engram", false),
    /** rocksdbjni, WAL on, {@code sync=false} (acknowledged = in the OS page cache). */
    ROCKSDB("rocksdb", "RocksDB", false),
    /** rocksdbjni, WAL on, {@code sync=true} (an fsync per put) for the measured puts. */
    ROCKSDB_SYNC("rocksdb-sync", "RocksDB sync", false),
    /** The naive baseline: a HashMap on the heap, saved whole (zstd-3, fsync, rename) on a timer. */
    ZSTD_SNAPSHOT("zstd-snapshot", "zstd snapshot", true);

    private final String label;
    private final String title;
    private final boolean losesOnCrash;

    PeerSystem(final String label, final String title, final boolean losesOnCrash)
    {
        this.label = label;
        this.title = title;
        this.losesOnCrash = losesOnCrash;
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
        throw new IllegalArgumentException("unknown system '" + label + "': engram, rocksdb, rocksdb-sync or zstd-snapshot");
    }
}
