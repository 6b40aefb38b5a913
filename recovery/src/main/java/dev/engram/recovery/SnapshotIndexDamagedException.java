package dev.engram.recovery;

import dev.engram.recovery.internal.chain.CatalogRebuilder;
import dev.engram.recovery.internal.chain.KeyLocationIndex;

import java.nio.file.Path;

/**
 * A catalog or key-location index file is missing, incomplete, stale or damaged. These files are
 * accelerators: the caller rebuilds them from the checkpoint files ({@link CatalogRebuilder},
 * {@link KeyLocationIndex#rebuildFrom(java.nio.file.Path, CheckpointChain)}).
 */
public final class SnapshotIndexDamagedException extends CheckpointException
{
    private static final long serialVersionUID = 1L;

    private final String file;

    public SnapshotIndexDamagedException(final Path file, final String what)
    {
        this(file, what, null);
    }

    public SnapshotIndexDamagedException(final Path file, final String what, final Throwable cause)
    {
        super(what + ": file=" + file + " (rebuild it from the checkpoint files)", cause);
        this.file = String.valueOf(file);
    }

    /**
     * @return the file that cannot be trusted.
     */
    public String file()
    {
        return file;
    }
}
