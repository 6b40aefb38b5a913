package dev.engram.harness.peers;

import dev.engram.engine.internal.EngineInternals;
import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.recovery.CheckpointInfo;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Engram through its public API: {@code engram.delta().put(key, value).commit()} with the default durability
 * (ASYNC: acknowledged = written to the mapped journal, which survives the process dying).
 */
final class EngramPeerStore implements PeerStore
{
    /** What a put waits for after {@code commit()} returns its version. */
    enum Await
    {
        /** Nothing: the put is the enqueue (the engine's API as it is meant to be used). */
        NONE,
        /** {@code journal().awaitWritten(version)}: in the mapped journal, survives the process dying. */
        WRITTEN,
        /** {@code journal().awaitSynced(version)}: forced to disk, survives the machine dying. */
        SYNCED
    }

    /** System property of the child JVMs: the background threads' priority ({@code --background-priority}). */
    static final String BACKGROUND_PRIORITY_PROPERTY = "engram.bench.backgroundPriority";

    private final Engram engram;
    private final Await measuredAwait;
    private Await await = Await.NONE;
    private long lastVersion;

    private EngramPeerStore(final Engram engram, final Await await)
    {
        this.engram = engram;
        this.measuredAwait = await;
    }

    /**
     * The context of the writer and of every recovery: the defaults, except that checkpoints are only taken
     * when asked (after the load), so the whole tail is a journal tail at the crash, as RocksDB's is a WAL tail.
     */
    static EngramContext context()
    {
        final EngramContext ctx = new EngramContext().checkpointEveryFrames(Long.MAX_VALUE).checkpointIntervalMs(0);
        // and no trigger by journal bytes (issue 15's, on by default since): it checkpointed during the tail phases
        ctx.state().checkpointEveryBytes(Long.MAX_VALUE).checkpointJournalRatio(0);
        final String priority = System.getProperty(BACKGROUND_PRIORITY_PROPERTY);
        if (priority != null)
        {
            ctx.state().backgroundPriority(dev.engram.journal.BackgroundPriority.valueOf(priority));
        }
        return ctx;
    }

    static EngramPeerStore open(final Path dir, final Await await)
    {
        return new EngramPeerStore(Engram.open(dir, context()), await);
    }

    @Override
    public void put(final CharSequence key, final byte[] value)
    {
        lastVersion = engram.delta().put(key, value).commit();
        final boolean done = switch (await)
        {
            case NONE -> true;
            case WRITTEN -> engram.awaitWritten(lastVersion, 60, TimeUnit.SECONDS);
            case SYNCED -> engram.awaitSynced(lastVersion, 60, TimeUnit.SECONDS);
        };
        if (!done)
        {
            throw new IllegalStateException("version=" + lastVersion + " not " + await + " within 60 s");
        }
    }

    @Override
    public void measured(final boolean on)
    {
        await = on ? measuredAwait : Await.NONE;
    }

    @Override
    public long loaded()
    {
        final long startNs = System.nanoTime();
        awaitWritten();
        final CheckpointInfo checkpoint = engram.checkpoint();
        if (checkpoint == null || checkpoint.stateVersion() != lastVersion)
        {
            throw new IllegalStateException("checkpoint does not hold version=" + lastVersion + ": " + checkpoint);
        }
        return (System.nanoTime() - startNs) / 1_000_000;
    }

    @Override
    public long awaitAcknowledged()
    {
        awaitWritten();
        return engram.writtenVersion();
    }

    private void awaitWritten()
    {
        if (!engram.awaitWritten(lastVersion, 10, TimeUnit.MINUTES))
        {
            throw new IllegalStateException("version=" + lastVersion + " not written within 10 minutes: written=" +
                engram.writtenVersion());
        }
    }

    @Override
    public void settle()
    {
        awaitWritten();
        if (!EngineInternals.store(engram).awaitHistoryIndexed(lastVersion, 10, TimeUnit.MINUTES))
        {
            throw new IllegalStateException("version=" + lastVersion + " not history-indexed within 10 minutes");
        }
    }

    @Override
    public long queueFullEvents()
    {
        return EngineInternals.store(engram).journal().backPressureEvents();
    }

    @Override
    public Map<String, Object> diagnostics()
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("lastVersion", lastVersion);
        map.put("syncedVersion", engram.syncedVersion());
        map.put("journalBytes", EngineInternals.store(engram).journal().writtenBytes());
        return map;
    }
}
