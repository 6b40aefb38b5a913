package dev.engram.harness.backup;

import dev.engram.backup.BackupResult;
import dev.engram.backup.BackupSettings;
import dev.engram.backup.Backups;
import dev.engram.backup.RestoreResult;
import dev.engram.backup.RestoreTarget;
import dev.engram.backup.VerifyReport;
import dev.engram.backup.storage.LocalDirectoryStorage;
import dev.engram.engine.Engram;
import dev.engram.engine.EngramContext;
import dev.engram.harness.recovery.StateWorkload;
import dev.engram.recovery.CheckpointInfo;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Engram's side: the state directory written through the public API (one commit per PUT or PATCH, so versions count
 * the changes), closed between phases, and backed up, restored and verified through {@link Backups} into a local
 * directory repository.
 */
final class EngramSystem implements StoreWriter, AutoCloseable
{
    static final String TITLE = "Engram";

    private final Path state;
    private final Backups backups;
    private final StringBuilder key = new StringBuilder(32);
    private Engram engram;
    private long lastVersion;

    EngramSystem(final Path state, final Path repository, final int parallelism) throws IOException
    {
        this.state = state;
        final BackupSettings settings = parallelism > 0 ? BackupSettings.defaults().withParallelism(parallelism) :
            BackupSettings.defaults();
        this.backups = Backups.open(LocalDirectoryStorage.open(repository), settings);
        // zstd-jni unpacks and loads its native library at its first use (~1 MiB written to the temp directory): done
        // here, so the first measured backup does not count it
        com.github.luben.zstd.Zstd.compress(new byte[64], BackupSettings.DEFAULT_ZSTD_LEVEL);
    }

    /**
     * The writer's context: the defaults, except that checkpoints are taken only when asked (after the load), so the
     * changes of the later phases are the journal after that checkpoint when the backups are taken, and a
     * point-in-time restore can reach any of them.
     */
    static EngramContext context()
    {
        final EngramContext ctx = new EngramContext().checkpointEveryFrames(Long.MAX_VALUE).checkpointIntervalMs(0);
        ctx.state().checkpointEveryBytes(Long.MAX_VALUE).checkpointJournalRatio(0);
        return ctx;
    }

    /** Opens the state directory for a phase of writes. */
    void openForWrites()
    {
        engram = Engram.open(state, context());
    }

    @Override
    public long put(final int k, final byte[] value)
    {
        lastVersion = engram.delta().put(StateWorkload.key(key, k), value).commit();
        return lastVersion;
    }

    @Override
    public long patch(final int k, final int offset, final byte[] patch, final byte[] wholeValue)
    {
        lastVersion = engram.delta().patch(StateWorkload.key(key, k), offset, patch).commit();
        return lastVersion;
    }

    /** Waits until every commit is written, checkpoints when asked, and closes the store. */
    void closeAfterWrites(final boolean checkpoint)
    {
        if (!engram.awaitWritten(lastVersion, 10, TimeUnit.MINUTES))
        {
            throw new IllegalStateException("version " + lastVersion + " not written within 10 minutes: written=" +
                engram.writtenVersion());
        }
        if (checkpoint)
        {
            final CheckpointInfo info = engram.checkpoint();
            if (info == null || info.stateVersion() != lastVersion)
            {
                throw new IllegalStateException("the checkpoint does not hold version " + lastVersion + ": " + info);
            }
        }
        engram.close();
        engram = null;
    }

    long lastVersion()
    {
        return lastVersion;
    }

    Timed<BackupResult> backup() throws Exception
    {
        return Timed.of(() -> backups.backup(state));
    }

    Timed<RestoreResult> restore(final RestoreTarget target, final Path into) throws Exception
    {
        return Timed.of(() -> backups.restore(target, into));
    }

    Timed<VerifyReport> verify() throws Exception
    {
        return Timed.of(() -> backups.verify(true));
    }

    /** Opens a restored directory with the default context (timed), then reads every entry and closes it. */
    static Timed<StateCheck> openAndRead(final Path dir, final int keyCount) throws Exception
    {
        final Io before = Io.now();
        final long startNs = System.nanoTime();
        final Engram opened = Engram.open(dir);
        final long openNs = System.nanoTime() - startNs;
        final Io io = Io.now().since(before);
        try
        {
            final StateCheck check = new StateCheck(keyCount);
            opened.visit("", check::entry);
            return new Timed<>(check, openNs, io);
        }
        finally
        {
            opened.close();
        }
    }

    @Override
    public void close() throws IOException
    {
        if (engram != null)
        {
            engram.close();
        }
        backups.close();
    }
}
