package dev.engram.backup;

import dev.engram.engine.Engram;

import java.io.IOException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Continuous mode, first cut: a live backup ({@link Backups#backup(Engram)}) of an open store every {@code interval}
 * when anything was written since the last one, on a thread of its own, so that what a lost source disk loses is bounded: the writes after the newest backup's pin.
 * {@link #rpoLagMillis()} is that bound now (a metric to export and alert on). Each backup is incremental (the journal
 * tail's new chunks, plus a manifest listing every chunk of the state: docs/backup.md says what this costs and what
 * journal-segment shipping would save).
 * <pre>{@code
 * try (ContinuousBackup shipping = ContinuousBackup.start(backups, engram, 1_000))
 * {
 *     ...                                  // producers append; shipping.rpoLagMillis() stays around 1 s
 * }
 * }</pre>
 * A backup that fails is retried at the next tick ({@link #lastFailure()} says why, {@link #failures()} counts them);
 * the lag keeps growing meanwhile. {@link #close()} stops after the backup in progress (the store must stay open
 * until then).
 */
public final class ContinuousBackup implements AutoCloseable
{
    /** The default interval between backups: 1 s. */
    public static final long DEFAULT_INTERVAL_MS = 1_000;

    private final Backups backups;
    private final Engram engram;
    private final LongSupplier clock;
    private final ScheduledExecutorService executor;
    private final Object progress = new Object();
    private long shippedVersion;
    private long shippedAtMillis;
    private long backupsMade;
    private long failures;
    private Throwable lastFailure;

    private ContinuousBackup(final Backups backups, final Engram engram, final LongSupplier clock)
    {
        this.backups = backups;
        this.engram = engram;
        this.clock = clock;
        this.shippedAtMillis = clock.getAsLong();
        this.executor = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread thread = new Thread(r, "engram-backup-continuous");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts backing the store up every {@code intervalMs} (the first at once), with the repository's clock.
     */
    public static ContinuousBackup start(final Backups backups, final Engram engram, final long intervalMs)
    {
        if (intervalMs < 1)
        {
            throw new IllegalArgumentException("intervalMs=" + intervalMs + " must be at least 1");
        }
        final ContinuousBackup continuous = new ContinuousBackup(backups, engram, backups.clock());
        continuous.executor.scheduleWithFixedDelay(continuous::tick, 0, intervalMs, TimeUnit.MILLISECONDS);
        return continuous;
    }

    private void tick()
    {
        synchronized (progress)
        {
            if (engram.writtenVersion() <= shippedVersion)
            {
                return;   // nothing new (or nothing written yet): the newest backup holds it all
            }
        }
        final long pinnedAt = clock.getAsLong();
        try
        {
            final BackupResult result = backups.backup(engram);
            synchronized (progress)
            {
                shippedVersion = Math.max(shippedVersion, result.backup().stateVersion());
                shippedAtMillis = pinnedAt;
                backupsMade++;
                progress.notifyAll();
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            synchronized (progress)
            {
                failures++;
                lastFailure = ex;
                progress.notifyAll();
            }
        }
    }

    /** The state version the newest backup holds (0 before the first). */
    public long shippedVersion()
    {
        synchronized (progress)
        {
            return shippedVersion;
        }
    }

    /**
     * The recovery point lag now: 0 if the newest backup holds every written version; else the time since that backup
     * started (it pinned its version then: every write after it would be lost with the source's disk).
     */
    public long rpoLagMillis()
    {
        synchronized (progress)
        {
            return engram.writtenVersion() <= shippedVersion ? 0 : Math.max(0, clock.getAsLong() - shippedAtMillis);
        }
    }

    /** Backups made. */
    public long backups()
    {
        synchronized (progress)
        {
            return backupsMade;
        }
    }

    /** Backups that failed (each retried at the next tick). */
    public long failures()
    {
        synchronized (progress)
        {
            return failures;
        }
    }

    /** Why the last failed backup failed, or null. */
    public Throwable lastFailure()
    {
        synchronized (progress)
        {
            return lastFailure;
        }
    }

    /**
     * Waits until a backup holds {@code version}.
     *
     * @return true if one does, false on timeout
     */
    public boolean awaitShipped(final long version, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (progress)
        {
            while (shippedVersion < version)
            {
                final long left = deadline - System.nanoTime();
                if (left <= 0)
                {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(progress, left);
            }
            return true;
        }
    }

    /** Stops: no backup starts after this; waits for the one in progress (up to a minute). */
    @Override
    public void close() throws IOException
    {
        executor.shutdown();
        try
        {
            if (!executor.awaitTermination(60, TimeUnit.SECONDS))
            {
                throw new IOException("the continuous backup in progress did not finish within 60 s");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while stopping continuous backups", ex);
        }
    }
}
