package dev.engram.replica.internal;

import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The node's current {@link Engram}: the one opened at start, or the one rebuilt from a snapshot the leader installed
 * (docs/replication.md, "Snapshots"). Readers take {@link #get()} per call; while a rebuild runs, a call on the
 * closed Engram fails and the caller may retry.
 */
public final class EngramSlot
{
    private final Path directory;
    private final Supplier<EngramContext> contexts;
    private volatile Engram engram;

    /**
     * @param directory the Engram's directory.
     * @param contexts  makes the context of each open.
     * @param engram    the Engram opened on it.
     */
    public EngramSlot(final Path directory, final Supplier<EngramContext> contexts, final Engram engram)
    {
        this.directory = directory;
        this.contexts = contexts;
        this.engram = engram;
    }

    /** @return the current Engram. */
    public Engram get()
    {
        return engram;
    }

    /**
     * Close the current Engram, make {@code snapshotDir} (an {@link EngramSnapshotDir}) its directory and open it.
     *
     * @return the new Engram.
     */
    public synchronized Engram rebuildFrom(final Path snapshotDir) throws IOException
    {
        engram.close();
        EngramSnapshotDir.install(snapshotDir, directory);
        engram = Engram.open(directory, contexts.get());
        return engram;
    }

    /** Close the current Engram. */
    public synchronized void close()
    {
        engram.close();
    }
}
