package dev.engram.backup;

import dev.engram.backup.internal.format.LockObject;
import dev.engram.backup.storage.BackupStorage;

import java.io.IOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A lock on a repository, held by one operation of this process: a shared lock for a backup (backups may run
 * beside each other), an exclusive one for prune. It is a {@link LockObject} under {@code locks/}, written with
 * put-if-absent under a fresh random name; docs/backup.md, "Repository lock".
 * <p>
 * Taking it: every lock object is read; stale ones are deleted; a live one that conflicts (any, for an exclusive
 * lock; an exclusive one, for a shared lock) refuses with {@link RepositoryLockedException}. Then ours is written
 * and the locks are read again: a conflicting live lock written meanwhile makes us delete ours and refuse (two
 * racing takers may both refuse; neither ever proceeds beside the other).
 * <p>
 * Stale: past its lease ({@code expires}; the holder rewrites its object under a new name every quarter lease
 * while it works, so a live holder's lock never expires), or held on this host by a process that no longer runs
 * (its pid is gone, or belongs to a process started at another time): a holder killed with kill -9 on this host is
 * stale at once, one on another host after the lease.
 */
final class RepositoryLock implements AutoCloseable
{
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BackupStorage storage;
    private final LongSupplier clock;
    private final long leaseMillis;
    private final ScheduledExecutorService refresher;
    private final ScheduledFuture<?> refreshing;
    private LockObject lock;
    private String key;
    private volatile IOException refreshFailure;

    private RepositoryLock(final BackupStorage storage, final LongSupplier clock, final long leaseMillis,
        final LockObject lock, final String key)
    {
        this.storage = storage;
        this.clock = clock;
        this.leaseMillis = leaseMillis;
        this.lock = lock;
        this.key = key;
        this.refresher = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread thread = new Thread(r, "engram-backup-lock-refresh");
            thread.setDaemon(true);
            return thread;
        });
        final long period = Math.max(1, leaseMillis / 4);
        this.refreshing = refresher.scheduleWithFixedDelay(this::refresh, period, period, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lock.
     *
     * @param operation what the holder does ("backup", "prune"), for the other side's message
     * @throws RepositoryLockedException naming the holder, if a live lock conflicts
     */
    static RepositoryLock take(final BackupStorage storage, final boolean exclusive, final String operation,
        final LongSupplier clock, final long leaseMillis) throws IOException
    {
        refuseIfConflicting(storage, exclusive, operation, null, clock);
        final long now = clock.getAsLong();
        final ProcessHandle self = ProcessHandle.current();
        final LockObject mine = new LockObject(exclusive, self.pid(), started(self), now, now + leaseMillis,
            HOST, operation);
        final String key = write(storage, mine);
        try
        {
            refuseIfConflicting(storage, exclusive, operation, key, clock);
        }
        catch (final IOException | RuntimeException ex)
        {
            storage.delete(key);
            throw ex;
        }
        return new RepositoryLock(storage, clock, leaseMillis, mine, key);
    }

    /**
     * Deletes every lock object, live or not (the operator's way out when a holder on another host is gone).
     *
     * @return the holders removed, described
     */
    static List<String> breakAll(final BackupStorage storage) throws IOException
    {
        final List<String> removed = new ArrayList<>();
        for (final String key : storage.list(LockObject.PREFIX))
        {
            String holder;
            try
            {
                holder = read(storage, key).map(LockObject::describeHolder).orElse("already gone");
            }
            catch (final RepositoryCorruptionException ex)
            {
                holder = "unreadable (" + ex.getMessage() + ")";
            }
            removed.add(key + ": " + holder);
            storage.delete(key);
        }
        return removed;
    }

    /**
     * Every lock object, read: its holder and whether it is stale now (nothing is deleted).
     */
    static List<RepositoryLockInfo> list(final BackupStorage storage, final long now) throws IOException
    {
        final List<RepositoryLockInfo> locks = new ArrayList<>();
        for (final String key : storage.list(LockObject.PREFIX))
        {
            info(storage, key, now).ifPresent(locks::add);
        }
        return locks;
    }

    /**
     * Deletes the stale lock objects (or, with {@code staleOnly} false, every one, live or not).
     *
     * @return the locks removed, as they were read just before
     */
    static List<RepositoryLockInfo> remove(final BackupStorage storage, final boolean staleOnly, final long now)
        throws IOException
    {
        final List<RepositoryLockInfo> removed = new ArrayList<>();
        for (final String key : storage.list(LockObject.PREFIX))
        {
            final Optional<RepositoryLockInfo> lock = info(storage, key, now);
            if (lock.isPresent() && (!staleOnly || lock.get().stale()))
            {
                storage.delete(key);
                removed.add(lock.get());
            }
        }
        return removed;
    }

    /** The lock object at {@code key}; empty if it is gone (released or refreshed meanwhile). */
    private static Optional<RepositoryLockInfo> info(final BackupStorage storage, final String key, final long now)
        throws IOException
    {
        final boolean exclusive = key.startsWith(LockObject.key(true, ""));
        try
        {
            return read(storage, key).map(lock -> new RepositoryLockInfo(key, lock.operation(), lock.exclusive(),
                lock.pid(), lock.host(), Instant.ofEpochMilli(lock.takenMillis()),
                Instant.ofEpochMilli(lock.expiresMillis()), stale(lock, now), null));
        }
        catch (final RepositoryCorruptionException ex)
        {
            return Optional.of(new RepositoryLockInfo(key, "unknown", exclusive, 0, "", null, null, false,
                ex.getMessage()));
        }
    }

    /**
     * Throws if the lock may no longer be held: a refresh failed and the lease is within a quarter of its end (so
     * another process may soon take it as stale). Called before the steps that must not run unlocked.
     */
    synchronized void ensureHeld() throws IOException
    {
        final IOException failure = refreshFailure;
        if (failure != null && clock.getAsLong() >= lock.expiresMillis() - leaseMillis / 4)
        {
            throw new BackupException("the repository lock " + key + " in " + storage.describe() + " could not be " +
                "refreshed and its lease ends at " + Instant.ofEpochMilli(lock.expiresMillis()) + ": stopped " +
                lock.operation() + " before another process takes the lock; run it again", failure);
        }
    }

    /** Stops refreshing and deletes the lock object. */
    @Override
    public void close() throws IOException
    {
        refreshing.cancel(false);
        refresher.shutdown();
        try
        {
            refresher.awaitTermination(60, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        synchronized (this)
        {
            storage.delete(key);
        }
    }

    /** Writes the lock again under a new name with a new lease, then deletes the old object. */
    private synchronized void refresh()
    {
        try
        {
            final LockObject renewed = lock.expiring(clock.getAsLong() + leaseMillis);
            final String renewedKey = write(storage, renewed);
            storage.delete(key);
            lock = renewed;
            key = renewedKey;
            refreshFailure = null;
        }
        catch (final IOException ex)
        {
            refreshFailure = ex;
        }
    }

    private static String write(final BackupStorage storage, final LockObject lock) throws IOException
    {
        while (true)
        {
            final byte[] id = new byte[16];
            RANDOM.nextBytes(id);
            final String key = LockObject.key(lock.exclusive(), HEX.formatHex(id));
            if (storage.putIfAbsent(key, lock.encode()))
            {
                return key;
            }
        }
    }

    /** Deletes stale locks; throws naming the first live one that conflicts (other than {@code ours}). */
    private static void refuseIfConflicting(final BackupStorage storage, final boolean exclusive,
        final String operation, final String ours, final LongSupplier clock) throws IOException
    {
        for (final String key : storage.list(LockObject.PREFIX))
        {
            if (key.equals(ours))
            {
                continue;
            }
            final Optional<LockObject> held;
            try
            {
                held = read(storage, key);
            }
            catch (final RepositoryCorruptionException ex)
            {
                throw new BackupException(operation + " refused: the lock object " + key + " of " +
                    storage.describe() + " does not read (" + ex.getMessage() + "), so its holder is unknown; if no " +
                    "backup or prune runs, remove it with Backups.unlock()", ex);
            }
            if (held.isEmpty())
            {
                continue;   // deleted meanwhile (released or refreshed)
            }
            final LockObject other = held.get();
            if (stale(other, clock.getAsLong()))
            {
                storage.delete(key);
                continue;
            }
            if (exclusive || other.exclusive())
            {
                throw new RepositoryLockedException(operation + " refused: " + storage.describe() + " is locked by " +
                    other.describeHolder() + " (" + key + "). Wait for it to finish; if that process is gone " +
                    "(killed on another host), remove the lock with Backups.unlock() " +
                    "or wait until the lease ends", other.describeHolder());
            }
        }
    }

    private static Optional<LockObject> read(final BackupStorage storage, final String key) throws IOException
    {
        final byte[] bytes;
        try
        {
            bytes = storage.get(key);
        }
        catch (final dev.engram.backup.storage.NoSuchObjectException ex)
        {
            return Optional.empty();
        }
        return Optional.of(LockObject.decode(key, bytes));
    }

    /** Past its lease, or its holder ran on this host and is no longer running. */
    static boolean stale(final LockObject lock, final long now)
    {
        if (now >= lock.expiresMillis())
        {
            return true;
        }
        if (!lock.host().equals(HOST))
        {
            return false;
        }
        final Optional<ProcessHandle> process = ProcessHandle.of(lock.pid());
        if (process.isEmpty() || !process.get().isAlive())
        {
            return true;
        }
        final long started = started(process.get());
        return lock.processStarted() != 0 && started != 0 && Math.abs(started - lock.processStarted()) > 1_000;
    }

    private static long started(final ProcessHandle process)
    {
        return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /** This host's name (as the lock objects name it). */
    static final String HOST = hostName();

    private static String hostName()
    {
        String name;
        try
        {
            name = InetAddress.getLocalHost().getHostName();
        }
        catch (final IOException ex)
        {
            name = System.getenv().getOrDefault("HOSTNAME", "unknown-host");
        }
        final byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return bytes.length <= LockObject.MAX_HOST_BYTES ? name : name.substring(0, 60);   // ≤ 240 bytes of UTF-8
    }
}
