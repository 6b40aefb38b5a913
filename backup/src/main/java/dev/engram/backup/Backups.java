package dev.engram.backup;

import dev.engram.backup.internal.crypto.AesGcmSealer;
import dev.engram.backup.internal.format.KeyObject;
import dev.engram.backup.internal.format.Manifest;
import dev.engram.backup.internal.format.ManifestFormat;
import dev.engram.backup.internal.format.RepositoryConfig;
import dev.engram.backup.internal.format.Sealer;
import dev.engram.backup.storage.BackupStorage;
import dev.engram.backup.storage.LocalDirectoryStorage;
import dev.engram.engine.Engram;
import dev.engram.recovery.BackupSource;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Engram's backup engine on one repository: incremental, deduplicated backups of a state directory, restore,
 * verification, listing and pruning (docs/backup.md; the repository format is docs/backup-format.md).
 * <pre>{@code
 * try (Backups backups = Backups.open(LocalDirectoryStorage.open(Path.of("/mnt/backup/engram"))))
 * {
 *     BackupResult made = backups.backup(Path.of("/srv/state"));      // a closed store's directory
 *     BackupResult live = backups.backup(engram);                      // an open store: producers keep appending
 *     backups.restore(RestoreTarget.version(1234), Path.of("/srv/state-at-1234"));
 *     backups.restore(RestoreTarget.latest(), Path.of("/srv/state-restored"));
 *     VerifyReport report = backups.verify(true);
 * }
 * }</pre>
 * Every backup is complete by reference: its manifest lists every chunk of every file, and a chunk the repository
 * already holds (from any earlier backup) is not written again, so each backup costs only what changed and any
 * one of them restores on its own (no chain to replay, so chains never need consolidating).
 * <p>
 * An encrypted repository ({@link #open(BackupStorage, BackupSettings, RepositoryKey)}) seals every chunk, pack
 * table, index object and manifest with AES-256-GCM under a random master key that its key objects hold wrapped
 * ({@link #addKey}, {@link #removeKey}: docs/backup.md, "Encryption"); everything else works the same on it.
 * <p>
 * Backups may run beside each other, in one process or several (packs are content-named and written with
 * put-if-absent; a manifest id taken by another is retried with the next id): each holds a shared lock on the
 * repository. {@link #prune} holds an exclusive one, so it never runs beside a backup (it could delete a pack the
 * backup deduplicated against) or another prune: the one that comes second gets a {@link RepositoryLockedException}
 * naming the holder. A lock whose holder died is stale (docs/backup.md, "Repository lock"); {@link #unlock()}
 * removes locks by hand.
 */
public final class Backups implements AutoCloseable
{
    private final BackupStorage storage;
    /** What the live backups through this instance found in each file (continuous mode: unchanged files not re-read). */
    private final FileChunkCache chunkCache = new FileChunkCache();
    private final BackupSettings settings;
    private final RepositoryConfig config;
    private final KeyRing keys;
    private final Sealer sealer;
    private volatile long progressIntervalNs = ProgressListener.INTERVAL_MS * 1_000_000L;

    private Backups(final BackupStorage storage, final BackupSettings settings, final RepositoryConfig config,
        final KeyRing keys)
    {
        this.storage = storage;
        this.settings = settings;
        this.config = config;
        this.keys = keys;
        this.sealer = keys == null ? Sealer.PLAIN : new AesGcmSealer(keys.masterKey(), config.idBytes());
    }

    /** Opens (creating it in an empty storage) the repository with default settings. */
    public static Backups open(final BackupStorage storage) throws IOException
    {
        return open(storage, BackupSettings.defaults());
    }

    /** Opens a repository in a local directory (created if missing) with default settings. */
    public static Backups open(final Path repositoryDirectory) throws IOException
    {
        return open(LocalDirectoryStorage.open(repositoryDirectory));
    }

    /**
     * Opens the unencrypted repository in the storage, creating it if the storage is empty.
     *
     * @throws BackupException if the storage holds other objects but no repository config
     * @throws RepositoryKeyException if the repository is encrypted (open it with its key)
     */
    public static Backups open(final BackupStorage storage, final BackupSettings settings) throws IOException
    {
        return open(storage, settings, null);
    }

    /** Opens (creating it if missing) the repository in a local directory with default settings and a key. */
    public static Backups open(final Path repositoryDirectory, final RepositoryKey key) throws IOException
    {
        return open(LocalDirectoryStorage.open(repositoryDirectory), BackupSettings.defaults(), key);
    }

    /**
     * Opens the repository in the storage, creating it if the storage is empty: encrypted when {@code key} is given
     * (a random master key, and one key object holding it under {@code key}), else unencrypted. An encrypted one is
     * opened with any of its keys (docs/backup.md, "Encryption").
     *
     * @param key the passphrase or key file of an encrypted repository; null for an unencrypted one
     * @throws BackupException        if the storage holds other objects but no repository config
     * @throws RepositoryKeyException if the key is wrong, missing (an encrypted repository) or given for an
     *                                unencrypted one
     */
    public static Backups open(final BackupStorage storage, final BackupSettings settings, final RepositoryKey key)
        throws IOException
    {
        KeyRing created = null;
        if (!storage.exists(RepositoryConfig.KEY))
        {
            // key objects alone are what a creation interrupted before its config left: they cannot open this one
            if (!storage.list("").stream().allMatch(k -> k.startsWith(KeyObject.PREFIX)))
            {
                throw new BackupException(storage.describe() + " holds objects but is not a backup repository " +
                    "(no " + RepositoryConfig.KEY + " object): use an empty location");
            }
            final RepositoryConfig fresh = RepositoryConfig.create(settings.clock().getAsLong(), key != null);
            final byte[] masterKey = key == null ? null : KeyRing.newMasterKey();
            final String keyObject = key == null ? null :
                KeyRing.write(storage, fresh, masterKey, key, settings.clock().getAsLong());
            if (storage.putIfAbsent(RepositoryConfig.KEY, fresh.encode()))
            {
                created = key == null ? null : KeyRing.created(storage, fresh, masterKey, keyObject);
            }
            else if (keyObject != null)
            {
                storage.delete(keyObject);   // another process created the repository first: open that one
            }
        }
        final RepositoryConfig config = RepositoryConfig.decode(storage.get(RepositoryConfig.KEY));
        if (!config.encrypted())
        {
            if (key != null)
            {
                throw new RepositoryKeyException(RepositoryKeyException.Reason.NOT_ENCRYPTED, storage.describe() +
                    " (repository " + config.id() + ") is not encrypted, yet a key was given: open it without one " +
                    "(an existing repository cannot be encrypted in place; back up into a new encrypted one)");
            }
            return new Backups(storage, settings, config, null);
        }
        if (key == null)
        {
            throw new RepositoryKeyException(RepositoryKeyException.Reason.KEY_REQUIRED, storage.describe() +
                " (repository " + config.id() + ") is encrypted: open it with its passphrase or key file " +
                "(RepositoryKey; ./engram: --password-file, --key-file or ENGRAM_BACKUP_PASSWORD_FILE)");
        }
        return new Backups(storage, settings, config, created != null ? created : KeyRing.open(storage, config, key));
    }

    /** How the repository's pieces are stored (plain, or sealed under the master key). */
    Sealer sealer()
    {
        return sealer;
    }

    /** Whether the repository is encrypted. */
    public boolean encrypted()
    {
        return config.encrypted();
    }

    /**
     * The key objects of an encrypted repository (empty for an unencrypted one).
     */
    public List<RepositoryKeyInfo> keys() throws IOException
    {
        return keys == null ? List.of() : keys.list();
    }

    /**
     * Adds a key object: the master key wrapped under {@code key}, which then opens the repository too. Key rotation
     * is this, then {@link #removeKey} of the old one from a {@link Backups} opened with the new one
     * (docs/backup.md). Nothing else is re-encrypted: the master key stays.
     *
     * @return the new key's id
     * @throws RepositoryKeyException if the repository is not encrypted
     */
    public String addKey(final RepositoryKey key) throws IOException
    {
        return requireKeys().add(key, settings.clock().getAsLong());
    }

    /**
     * Removes a key object: that passphrase or key file no longer opens the repository.
     *
     * @throws RepositoryKeyException if the repository is not encrypted, the key does not exist, is the last one, or
     *                                is the one this {@link Backups} was opened with
     */
    public void removeKey(final String keyId) throws IOException
    {
        requireKeys().remove(keyId);
    }

    private KeyRing requireKeys() throws RepositoryKeyException
    {
        if (keys == null)
        {
            throw new RepositoryKeyException(RepositoryKeyException.Reason.NOT_ENCRYPTED, storage.describe() +
                " is not encrypted: it has no keys");
        }
        return keys;
    }

    /** The repository's id (32 hex digits). */
    public String repositoryId()
    {
        return config.id();
    }

    /** The repository's clock (epoch milliseconds: backups' times). */
    LongSupplier clock()
    {
        return settings.clock();
    }

    /** The storage. */
    public BackupStorage storage()
    {
        return storage;
    }

    /**
     * Backs up a closed state directory: every file of it (docs/backup.md says which are left out) as chunks, writing
     * only the chunks the repository does not hold, packs and index objects first and the manifest last.
     *
     * @throws dev.engram.backup.StoreBusyException if a process has the store open
     */
    public BackupResult backup(final Path engramDir) throws IOException
    {
        return backup(engramDir, ProgressListener.NONE);
    }

    /**
     * As {@link #backup(Path)}, telling {@code progress} how far it has come (bytes and chunks read and hashed, files
     * done, of totals known before the first byte is read; {@link ProgressListener}).
     */
    public BackupResult backup(final Path engramDir, final ProgressListener progress) throws IOException
    {
        final ProgressMeter meter = meter(progress, Progress.Operation.BACKUP);
        try (RepositoryLock lock = lock(false, "backup"))
        {
            final BackupResult result = new BackupRun(storage, settings, sealer, lock, meter)
                .run(engramDir, newestManifest());
            meter.finish();
            return result;
        }
    }

    /** @return files the live backups through this instance took from {@link FileChunkCache} instead of reading them. */
    long cachedFileHits()
    {
        return chunkCache.hits();
    }

    /** How long a live backup waits for the store's written version to be synced before it takes the synced one. */
    static final long LIVE_SYNC_WAIT_MS = 10_000;

    /**
     * Backs up an open store while its producers keep appending (nothing pauses): the store pins a synced version V,
     * the checkpoint chain at or before it and the journal after that chain ({@link Engram#backupSource}); the
     * chain's files, the journal's bytes up to the end of V's frame (zeros after it) and the version-tags files are
     * chunked as {@link #backup(Path)} does, then the pin is released. The backup's state version is V: a restore
     * opens at exactly V, and {@link RestoreTarget#version} restores any version from the chain's to V from it.
     * Its time ({@link BackupInfo#created()}) is its state's: the journal's stamp of V's frame, the clock
     * {@code stateAt(Instant)} and {@link RestoreTarget#at} compare (not the wall clock when the backup ran).
     */
    public BackupResult backup(final Engram engram) throws IOException
    {
        return backup(engram, ProgressListener.NONE);
    }

    /** As {@link #backup(Engram)}, telling {@code progress} how far it has come (as {@link #backup(Path, ProgressListener)}). */
    public BackupResult backup(final Engram engram, final ProgressListener progress) throws IOException
    {
        final ProgressMeter meter = meter(progress, Progress.Operation.BACKUP);
        try (RepositoryLock lock = lock(false, "backup");
             BackupSource source = engram.backupSource(LIVE_SYNC_WAIT_MS))
        {
            final long stamp = source.versionTimestampEpochNs();
            final BackupResult result = new BackupRun(storage, settings, sealer, lock, meter, chunkCache).runLive(source,
                newestManifest(), stamp > 0 ? stamp / 1_000_000 : settings.clock().getAsLong());
            meter.finish();
            return result;
        }
    }

    /**
     * Restores a backup into a new directory: each chunk verified (CRC32C, decoding, SHA-256 against its id), the
     * files written and forced under a temporary sibling name, which is then renamed to {@code directory}. After it
     * {@code Engram.open(directory)} is ready with the state the backup holds.
     *
     * @throws BackupException if {@code directory} exists and is not empty, the backup does not exist, or the
     *                         repository lacks a chunk it needs (the directory is then left as it was)
     */
    public RestoreResult restore(final RestoreTarget target, final Path directory) throws IOException
    {
        return restore(target, directory, ProgressListener.NONE);
    }

    /**
     * As {@link #restore(RestoreTarget, Path)}, telling {@code progress} how far it has come (bytes and chunks
     * written, files done; {@link ProgressListener}). The chunks are read, verified and written on
     * {@link BackupSettings#parallelism()} threads, neighbours in a pack read together.
     */
    public RestoreResult restore(final RestoreTarget target, final Path directory, final ProgressListener progress)
        throws IOException
    {
        final ProgressMeter meter = meter(progress, Progress.Operation.RESTORE);
        final RestoreResult result;
        if (target instanceof RestoreTarget.AtVersion at)
        {
            result = new PointInTime(storage, sealer, settings.parallelism(), meter)
                .restoreVersion(manifests(), at.version(), directory);
        }
        else if (target instanceof RestoreTarget.AtInstant at)
        {
            result = new PointInTime(storage, sealer, settings.parallelism(), meter)
                .restoreInstant(manifests(), at.instant(), directory);
        }
        else
        {
            final Manifest manifest = target instanceof RestoreTarget.ById byId ? manifest(byId.id()) :
                newestManifestOrFail();
            result = new Restore(storage, sealer, settings.parallelism(), meter).run(manifest, info(manifest),
                directory);
        }
        meter.finish();
        return result;
    }

    /**
     * The state versions the repository can restore exactly ({@link RestoreTarget#version}), one range per backup,
     * oldest backup first: from its newest checkpoint's version (the journal it holds starts right after it) to its
     * state version.
     */
    public List<VersionRange> versionRanges() throws IOException
    {
        return new PointInTime(storage, sealer, 1, ProgressMeter.none(Progress.Operation.RESTORE)).ranges(manifests());
    }

    /**
     * Checks the repository: every manifest reads and its Merkle root matches its chunks, every chunk it refers to
     * is in a pack that exists; with {@code readData}, every chunk of every pack is read, decoded and re-hashed.
     */
    public VerifyReport verify(final boolean readData) throws IOException
    {
        return verify(readData, ProgressListener.NONE);
    }

    /**
     * As {@link #verify(boolean)}, telling {@code progress} how far it has come (with {@code readData}: pack bytes
     * read, chunks re-hashed, packs done; {@link ProgressListener}). The packs are read ahead and their chunks
     * decoded and re-hashed on {@link BackupSettings#parallelism()} threads; the report is the same as on one.
     */
    public VerifyReport verify(final boolean readData, final ProgressListener progress) throws IOException
    {
        final ProgressMeter meter = meter(progress, Progress.Operation.VERIFY);
        final VerifyReport report = new Verification(storage, sealer, settings.parallelism(), meter).run(readData);
        meter.finish();
        return report;
    }

    /** The backups, oldest first. A manifest that does not read is left out (verify names it). */
    public List<BackupInfo> list() throws IOException
    {
        final List<BackupInfo> infos = new ArrayList<>();
        for (final Manifest manifest : manifests())
        {
            infos.add(info(manifest));
        }
        return infos;
    }

    /** The manifests that read, oldest first. */
    private List<Manifest> manifests() throws IOException
    {
        final List<Manifest> manifests = new ArrayList<>();
        for (final String key : storage.list(ManifestFormat.MANIFESTS))
        {
            try
            {
                manifests.add(ManifestFormat.read(key, storage.get(key), sealer));
            }
            catch (final RepositoryCorruptionException ex)
            {
                // verify() reports it
            }
        }
        return manifests;
    }

    /**
     * Deletes the backups the policy does not keep (manifests first), then the packs none of whose chunks a kept
     * backup uses (index object first, then the pack). A crash at any point leaves every kept backup restorable.
     *
     * @throws BackupException if a manifest does not read (its chunks could not be known: nothing is deleted)
     */
    public PruneResult prune(final RetentionPolicy policy) throws IOException
    {
        try (RepositoryLock lock = lock(true, "prune"))
        {
            return new Prune(storage, sealer, lock).run(policy);
        }
    }

    /**
     * Removes every lock object of the repository, live or not: for an operator whose backup or prune on another
     * host is gone (killed, or the host lost) and who will not wait for its lease to end. A lock held on this host
     * by a process that no longer runs needs no unlock: the next backup or prune removes it. Only when no backup
     * or prune runs: a live holder whose lock is removed goes on unlocked.
     *
     * @return the locks removed: key and holder (operation, pid, host, taken, lease)
     */
    public List<String> unlock() throws IOException
    {
        return RepositoryLock.breakAll(storage);
    }

    /**
     * The repository's lock objects (docs/backup.md, "Repository lock"): holder, lease and whether each is stale
     * now. An object that does not read is listed with its reason ({@link RepositoryLockInfo#unreadable()}), never
     * stale. Takes no lock and deletes nothing.
     */
    public List<RepositoryLockInfo> locks() throws IOException
    {
        return RepositoryLock.list(storage, System.currentTimeMillis());
    }

    /**
     * Removes the repository's stale lock objects ({@code staleOnly}: lease ended, or held on this host by a
     * process that no longer runs), or every one as {@link #unlock()} does. Removing only stale ones is safe while
     * backups run; removing live ones is only for holders known to be gone.
     *
     * @return the locks removed, as read just before
     */
    public List<RepositoryLockInfo> unlock(final boolean staleOnly) throws IOException
    {
        return RepositoryLock.remove(storage, staleOnly, System.currentTimeMillis());
    }

    private ProgressMeter meter(final ProgressListener progress, final Progress.Operation operation)
    {
        return new ProgressMeter(progress, operation, progressIntervalNs);
    }

    /** Tests: the least time between two progress calls (0: a call at every chunk). */
    void progressInterval(final long nanos)
    {
        progressIntervalNs = nanos;
    }

    /** Takes the repository lock (docs/backup.md, "Repository lock"): wall-clock times, the settings' lease. */
    private RepositoryLock lock(final boolean exclusive, final String operation) throws IOException
    {
        return RepositoryLock.take(storage, exclusive, operation, System::currentTimeMillis,
            settings.lockLease().toMillis());
    }

    @Override
    public void close() throws IOException
    {
        storage.close();
    }

    static BackupInfo info(final Manifest manifest)
    {
        return new BackupInfo(manifest.backupId(), manifest.parentId(), manifest.chainPosition(),
            manifest.stateVersion(), Instant.ofEpochMilli(manifest.createdMillis()), manifest.files().size(),
            manifest.rawBytes(), manifest.chunkIds().size(), manifest.bytesWritten(),
            HexFormat.of().formatHex(manifest.merkleRoot()));
    }

    private Manifest manifest(final long id) throws IOException
    {
        final String key = ManifestFormat.key(id);
        if (!storage.exists(key))
        {
            throw new BackupException("no backup " + id + " in " + storage.describe());
        }
        return ManifestFormat.read(key, storage.get(key), sealer);
    }

    private Manifest newestManifestOrFail() throws IOException
    {
        final Manifest newest = newestManifest();
        if (newest == null)
        {
            throw new BackupException("no backup in " + storage.describe());
        }
        return newest;
    }

    /** The newest manifest that reads, or null. */
    private Manifest newestManifest() throws IOException
    {
        final List<String> keys = storage.list(ManifestFormat.MANIFESTS);
        for (int i = keys.size() - 1; i >= 0; i--)
        {
            try
            {
                return ManifestFormat.read(keys.get(i), storage.get(keys.get(i)), sealer);
            }
            catch (final RepositoryCorruptionException ex)
            {
                // an older one is the parent then; verify() names the damaged one
            }
        }
        return null;
    }
}
