package dev.engram.harness.backupsoak;

/**
 * The four operations a soak cycle runs in a child JVM and kills: which of the child's storage calls count towards
 * the kill point, and how many of them at most the parent lets pass before it kills (the kill comes right after the
 * k-th, k uniform in 1..{@link #maxEvents}; the child repeats its operation, so a k past one operation's calls lands
 * in the next one).
 */
enum SoakOperation
{
    /** Live backups of the open store while a producer appends (a checkpoint before every third): each object write. */
    BACKUP("backup", 60),
    /** {@code ContinuousBackup} every 100 ms while a producer appends: each object write. */
    SHIP("ship", 80),
    /** Prunes keeping the last 2 to 4 backups (backups made first when fewer are listed): each deletion. */
    PRUNE("prune", 30),
    /** Restores of the latest backup, a backup by id or a version in a backup's range: each read of a pack. */
    RESTORE("restore", 24);

    final String label;
    final int maxEvents;

    SoakOperation(final String label, final int maxEvents)
    {
        this.label = label;
        this.maxEvents = maxEvents;
    }

    /** Whether a line of the child's stdout is a storage call this operation counts. */
    boolean counts(final String line)
    {
        return switch (this)
        {
            case BACKUP, SHIP -> line.startsWith("put ");
            case PRUNE -> line.startsWith("delete ") && !line.startsWith("delete locks/");
            case RESTORE -> line.startsWith("get packs/");
        };
    }

    static SoakOperation of(final String label)
    {
        for (final SoakOperation op : values())
        {
            if (op.label.equals(label))
            {
                return op;
            }
        }
        throw new IllegalArgumentException("no soak operation '" + label + "' (backup, ship, prune or restore)");
    }
}
