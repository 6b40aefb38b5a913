package dev.engram.engine;

import dev.engram.journal.Delta;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.journal.JvmFlagsCheck;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.DiskUsage;
import dev.engram.recovery.HistoryRange;
import dev.engram.recovery.KeyHistory;
import dev.engram.recovery.StateDiff;
import dev.engram.recovery.RecoveryReport;
import dev.engram.recovery.SnapshotIndexReport;
import dev.engram.recovery.StateReader;
import dev.engram.recovery.StateStore;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.LongConsumer;

/**
 * Engram: an application's live state, continuously persisted and back in well under a second after any crash.
 * <pre>{@code
 * record User(String name, int visits) { }
 * EngramContext ctx = new EngramContext().syncPolicy(SyncPolicy.PERIODIC);
 * RecordCodec.of(User.class).registerIn(ctx);
 * try (Engram engram = Engram.open(Path.of("state"), ctx)) {
 *     long v = engram.delta().put("user/42", new User("ann", 1)).put("weights/7", new byte[8192]).commit();
 *     engram.delta().patch("weights/7", 4096, new byte[] {1, 2, 3, 4}).commit();
 *     User user = engram.get("user/42", User.class);   // sees this thread's own commits
 * }
 * }</pre>
 * (the README's block, compiled and run by the examples module's {@code Embedding20LinesTest}.)
 * <b>Visibility:</b> reads see every version up to {@link #appliedVersion()}, which follows the journal's
 * written version within microseconds to milliseconds. <b>Read-your-writes</b> (default,
 * {@link EngramContext#readYourWrites(boolean)}): a thread's read first waits until the last version that thread
 * committed through this engine ({@link DeltaBuilder#commit()}, {@link #append}) is applied, so it sees its own
 * writes (also right after a reopen, while the journal's queue still opens); other threads' commits are visible once
 * applied ({@link #awaitApplied} waits for any version).
 * <b>Durability:</b> {@link #writtenVersion()} survives the process dying, {@link #syncedVersion()} the machine;
 * {@link #awaitWritten} and {@link #awaitSynced} wait for one; see the {@link dev.engram.journal.SyncPolicy} in the
 * context. Thread-safe; builders and readers are per thread. The engine owns its store and journal and hands out
 * neither (closing them underneath it would close the engine).
 */
public final class Engram implements AutoCloseable
{
    static
    {
        EngramSystemProperties.apply();
        // the project's benchmarks and tests reach the store through dev.engram.engine.internal, not through Engram
        dev.engram.engine.internal.EngineInternals.grant(engram -> engram.store);
    }

    /**
     * Per-thread tools: a delta builder, a reader, typed values. A thread-local value outlives the engine in
     * every thread that used it (until that thread's map expunges it), so close empties them all: otherwise
     * each closed engine would keep its journal ring and overlay memory reachable.
     */
    private final class PerThread
    {
        volatile TypedValues typed = new TypedValues(ctx.codecs(), ctx.migrations());
        volatile DeltaBuilder builder = new DeltaBuilder(Engram.this, store.journal().newDelta(), typed);
        volatile StateReader reader = store.newReader();

        PerThread()
        {
            allPerThread.add(this);
        }

        /** @throws IllegalStateException once the engine closed (the tools were dropped). */
        DeltaBuilder builder()
        {
            final DeltaBuilder b = builder;
            if (b == null)
            {
                throw closedException();
            }
            return b;
        }

        StateReader reader()
        {
            final StateReader r = reader;
            if (r == null)
            {
                throw closedException();
            }
            return r;
        }

        TypedValues typed()
        {
            final TypedValues t = typed;
            if (t == null)
            {
                throw closedException();
            }
            return t;
        }

        void clear()
        {
            typed = null;
            builder = null;
            reader = null;
        }
    }

    private final java.util.concurrent.ConcurrentLinkedQueue<PerThread> allPerThread = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private final EngramContext ctx;
    private final StateStore store;
    private final EngramMetrics metrics;
    private final boolean recordAppendLatency;
    private final boolean readYourWrites;
    private final long readYourWritesTimeoutMs;
    private final ThreadLocal<PerThread> perThread = ThreadLocal.withInitial(PerThread::new);
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private Engram(final EngramContext ctx, final StateStore store, final EngramMetrics metrics)
    {
        this.ctx = ctx;
        this.store = store;
        this.metrics = metrics;
        this.recordAppendLatency = ctx.recordAppendLatency();
        this.readYourWrites = ctx.readYourWrites();
        this.readYourWritesTimeoutMs = ctx.readYourWritesTimeoutMs();
    }

    /**
     * Open with the defaults of {@link EngramContext}.
     */
    public static Engram open(final Path directory)
    {
        return open(directory, new EngramContext());
    }

    /**
     * Open (creating if absent) the state in {@code directory}, recovering whatever a previous process left,
     * and return a ready engine.
     *
     * @throws dev.engram.recovery.RecoveryException if the files cannot be turned back into a consistent state.
     * @throws dev.engram.journal.EngramJvmFlagsException if the JVM lacks flags Engram needs (listed, ready to paste;
     *                                                   checked before the directory is touched).
     */
    public static Engram open(final Path directory, final EngramContext ctx)
    {
        EngramSystemProperties.apply();
        JvmFlagsCheck.verify();
        final EngramMetrics metrics = new EngramMetrics();
        ctx.state().directory(directory);
        ctx.journal().syncObserver(metrics::recordSync);
        ctx.state().checkpointObserver((info, buildNs, delta) ->
            metrics.recordCheckpoint(buildNs, info.fileLength(), info.compressionRatio()));
        final StateStore store = StateStore.open(ctx.state());
        metrics.start(store);
        return new Engram(ctx, store, metrics);
    }

    /**
     * A raw delta for the lock-free path ({@link #append(Delta)}): reusable, single-threaded, its buffer grown once
     * and kept, so appends through it allocate nothing (the builder of {@link #delta()} does the same with typed
     * values and read-your-writes bookkeeping).
     *
     * @return a new, empty delta; keep one per producer thread.
     */
    public Delta newDelta()
    {
        return store.journal().newDelta();
    }

    /**
     * @return the highest version handed out by an append (written or not yet).
     */
    public long lastAppendedVersion()
    {
        return store.journal().lastAppendedVersion();
    }

    /**
     * @return checkpoints written since open (background and {@link #checkpoint()}).
     */
    public long checkpointCount()
    {
        return store.checkpointCount();
    }

    /**
     * @return the state version of the checkpoint reads stand on (0 before the first).
     */
    public long checkpointVersion()
    {
        return store.checkpointVersion();
    }

    /**
     * @return checkpoint files found damaged after open (each naming the file and offset); they are repaired in the
     * background, see {@link #repairs()}.
     */
    public List<String> damagedFiles()
    {
        return store.damagedFiles();
    }

    /**
     * @return what was repaired since open (a damaged checkpoint chain replaced, a tags file restored from its
     * mirror), one line each.
     */
    public List<String> repairs()
    {
        return store.repairs();
    }

    /**
     * @return the calling thread's delta builder, cleared.
     */
    public DeltaBuilder delta()
    {
        return tools().builder().clear();
    }

    /**
     * Append a delta as the next version (lock-free; caller-side latency recorded in the metrics).
     *
     * @return its version.
     */
    public long append(final Delta delta)
    {
        final long version = appendTimed(delta);
        if (readYourWrites)
        {
            perThread.get().builder().lastCommitted = version;   // the raw path: this thread's builder keeps it
        }
        return version;
    }

    /**
     * Append with the caller-side latency recorded; read-your-writes is the caller's to note ({@link DeltaBuilder#commit()}
     * notes it in its own thread's builder, so the commit path needs no thread-local lookup).
     */
    long appendTimed(final Delta delta)
    {
        if (!recordAppendLatency)
        {
            return store.journal().append(delta);
        }
        final long start = System.nanoTime();
        final long version = store.journal().append(delta);
        metrics.recordAppend(System.nanoTime() - start);
        return version;
    }

    /**
     * @return a copy of the key's current value, or null if absent.
     */
    public byte[] get(final CharSequence key)
    {
        return ownWritesApplied(tools()).reader().get(key);
    }

    /**
     * Read a typed value, upgrading it through registered migrations if an older schema wrote it.
     *
     * @return the value, or null if absent.
     * @throws UnknownCodecException     if no codec with the stored id is registered.
     * @throws SchemaVersionException    if a newer schema version than the codec knows wrote it.
     * @throws TypeMismatchException     if the stored codec's type is not {@code type}.
     */
    public <T> T get(final CharSequence key, final Class<T> type)
    {
        if (type == null)
        {
            throw new IllegalArgumentException("get: type must not be null (use get(key) for the raw bytes)");
        }
        final PerThread tools = ownWritesApplied(tools());
        final TypedValues typed = tools.typed();
        return tools.reader().read(key, (buffer, offset, length) -> typed.decode(key, buffer, offset, length, type));
    }

    /**
     * @return true if the key has a value.
     */
    public boolean contains(final CharSequence key)
    {
        return ownWritesApplied(tools()).reader().contains(key);
    }

    /**
     * Visit every live key starting with {@code prefix} with a copy of its value, in key order (unsigned bytes of
     * the UTF-8 key; weakly consistent: every version applied before the call is seen). Cost: a binary search plus
     * the keys visited (docs/engine.md, "Ordered keys").
     *
     * @return keys visited.
     */
    public long forEach(final CharSequence prefix, final BiConsumer<String, byte[]> consumer)
    {
        if (consumer == null)
        {
            throw new IllegalArgumentException("forEach consumer must not be null");
        }
        return ownWritesApplied(tools()).reader().forEach(prefix, (key, keyOffset, keyLength, value, valueOffset, valueLength) ->
        {
            final byte[] keyBytes = new byte[keyLength];
            key.getBytes(keyOffset, keyBytes);
            final byte[] bytes = new byte[valueLength];
            value.getBytes(valueOffset, bytes);
            consumer.accept(new String(keyBytes, StandardCharsets.UTF_8), bytes);
        });
    }

    /**
     * Visit every live key starting with {@code prefix} zero-copy, in key order: key and value are views valid only
     * during the call (copy what you keep). Same consistency as {@link #forEach(CharSequence, BiConsumer)}, without a copy of
     * each key and value.
     *
     * @return keys visited.
     */
    public long visit(final CharSequence prefix, final StateReader.EntryConsumer consumer)
    {
        if (consumer == null)
        {
            throw new IllegalArgumentException("visit consumer must not be null");
        }
        return ownWritesApplied(tools()).reader().forEach(prefix, consumer);
    }

    /**
     * Visit every live key in {@code [fromInclusive, toExclusive)} with a copy of its value, in key order (unsigned
     * bytes of the UTF-8 key). Same consistency as {@link #forEach(CharSequence, BiConsumer)}.
     *
     * @param fromInclusive the first key ("" for the first key there is).
     * @param toExclusive   the key to stop before, or null for no bound.
     * @return keys visited.
     */
    public long forEach(final CharSequence fromInclusive, final CharSequence toExclusive,
        final BiConsumer<String, byte[]> consumer)
    {
        if (consumer == null)
        {
            throw new IllegalArgumentException("forEach consumer must not be null");
        }
        return ownWritesApplied(tools()).reader().forEach(fromInclusive, toExclusive,
            (key, keyOffset, keyLength, value, valueOffset, valueLength) ->
            {
                final byte[] keyBytes = new byte[keyLength];
                key.getBytes(keyOffset, keyBytes);
                final byte[] bytes = new byte[valueLength];
                value.getBytes(valueOffset, bytes);
                consumer.accept(new String(keyBytes, StandardCharsets.UTF_8), bytes);
            });
    }

    /**
     * Visit every live key in {@code [fromInclusive, toExclusive)} zero-copy, in key order: key and value are views
     * valid only during the call. Same consistency as {@link #forEach(CharSequence, BiConsumer)}.
     *
     * @param fromInclusive the first key ("" for the first key there is).
     * @param toExclusive   the key to stop before, or null for no bound.
     * @return keys visited.
     */
    public long visit(final CharSequence fromInclusive, final CharSequence toExclusive, final StateReader.EntryConsumer consumer)
    {
        if (consumer == null)
        {
            throw new IllegalArgumentException("visit consumer must not be null");
        }
        return ownWritesApplied(tools()).reader().forEach(fromInclusive, toExclusive, consumer);
    }

    /**
     * @return keys starting with {@code prefix}, in key order.
     */
    public List<String> keys(final CharSequence prefix)
    {
        final List<String> keys = new ArrayList<>();
        visit(prefix, (key, keyOffset, keyLength, value, valueOffset, valueLength) -> keys.add(utf8(key, keyOffset, keyLength)));
        return keys;
    }

    /**
     * @return keys in {@code [fromInclusive, toExclusive)} (null: no upper bound), in key order.
     */
    public List<String> keys(final CharSequence fromInclusive, final CharSequence toExclusive)
    {
        final List<String> keys = new ArrayList<>();
        visit(fromInclusive, toExclusive, (key, keyOffset, keyLength, value, valueOffset, valueLength) ->
            keys.add(utf8(key, keyOffset, keyLength)));
        return keys;
    }

    private static String utf8(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Rewrite every typed value written by an older schema version at the current one, in bounded batches: each
     * batch is one atomic delta of at most {@link EngramContext#migrationBatchKeys()} keys and about
     * {@link EngramContext#migrationBatchBytes()} bytes, committed as soon as it is full, so memory does not grow
     * with the state. Raw values are left alone. Restartable: a crash or an exception midway (a throwing
     * {@code progress} included) leaves every value either at its old schema version (still readable: reads
     * upgrade on the fly) or rewritten, and running migrate again finishes the job. Rewrites are ordinary PUTs:
     * a value another thread PUTs between migrate's read of the key and its batch's commit can be overwritten by
     * the upgraded older value, so run it while nothing else writes values of old schema versions.
     *
     * @param progress told the number of keys scanned so far after every committed batch, every 1,000 keys and at
     *                 the end (on the calling thread; an exception from it stops the run, see above).
     * @throws TypedValueException if a stored value cannot be upgraded (a newer schema version, an unknown codec,
     *                             a missing or failing migration): the batches before it stay committed.
     */
    public MigrationReport migrate(final LongConsumer progress)
    {
        final PerThread tools = ownWritesApplied(tools());
        return new BatchedMigration(this, tools.typed(), store.journal().newDelta(), ctx.migrationBatchKeys(),
            Math.min(ctx.migrationBatchBytes(), ctx.journal().maxDeltaLength()), progress).run(tools.reader());
    }

    /**
     * A read-only view of the whole state as it was at {@code version} (nearest checkpoint at or before it
     * plus journal replay); the live engine is not disturbed. Close it when done.
     *
     * @throws dev.engram.recovery.VersionUnavailableException if retention removed it or it is not applied yet.
     */
    public EngramSnapshot stateAt(final long version)
    {
        ensureOpen();
        return new EngramSnapshot(store.stateAt(version), new TypedValues(ctx.codecs(), ctx.migrations()));
    }

    /**
     * @return the state as it was at the last version journaled at or before {@code instant}.
     */
    public EngramSnapshot stateAt(final Instant instant)
    {
        ensureOpen();
        return new EngramSnapshot(store.stateAt(instant), new TypedValues(ctx.codecs(), ctx.migrations()));
    }

    /**
     * @return the versions and times at which {@code key} changed, as far back as history is kept.
     */
    public KeyHistory history(final String key)
    {
        ensureOpen();
        return store.history(key);
    }

    /**
     * @return the changes of {@code key} with versions in {@code [fromVersion, toVersion]}, as far back as history
     * is kept.
     */
    public KeyHistory history(final String key, final long fromVersion, final long toVersion)
    {
        ensureOpen();
        return store.history(key, fromVersion, toVersion);
    }

    /**
     * @return keys added, changed (by value) and removed between two versions.
     */
    public StateDiff diff(final long fromVersion, final long toVersion)
    {
        ensureOpen();
        return store.diff(fromVersion, toVersion);
    }

    /**
     * Name a version (kept across restarts).
     */
    public void tag(final String name, final long version)
    {
        ensureOpen();
        store.tag(name, version);
    }

    /**
     * Remove a tag.
     *
     * @return false if there was no such tag.
     */
    public boolean untag(final String name)
    {
        ensureOpen();
        return store.untag(name);
    }

    /**
     * @return every tag and the version it names, by name.
     */
    public java.util.SortedMap<String, Long> tags()
    {
        ensureOpen();
        return store.tags();
    }

    /**
     * @return the version a tag names.
     */
    public long versionOfTag(final String name)
    {
        ensureOpen();
        return store.versionOfTag(name);
    }

    /**
     * @return the versions history can still show.
     */
    public HistoryRange historyRange()
    {
        ensureOpen();
        return store.historyRange();
    }

    /**
     * What the state directory takes on disk now, by part — journal, blocks reserved ahead of the journal writer,
     * checkpoints, index maps, key history index, history anchors, other — beside an estimate of the state's own size
     * (docs/operations.md, "Disk use"). Walks the directory: for a report or an occasional gauge, not a hot loop.
     *
     * @return the parts; {@code describe()} prints them on one line.
     */
    public DiskUsage diskUsage()
    {
        ensureOpen();
        return store.diskUsage();
    }

    /**
     * @return the highest version readers see.
     */
    public long appliedVersion()
    {
        return store.appliedVersion();
    }

    /**
     * @return the highest version written to the journal (survives a crash of this process).
     */
    public long writtenVersion()
    {
        return store.journal().writtenVersion();
    }

    /**
     * @return the highest version forced to the disk (survives a power loss).
     */
    public long syncedVersion()
    {
        return store.journal().syncedVersion();
    }

    /**
     * Wait until {@code version} is written to the journal (it then survives a crash of this process).
     *
     * @return false on timeout.
     */
    public boolean awaitWritten(final long version, final long timeout, final TimeUnit unit)
    {
        return store.journal().awaitWritten(version, timeout, unit);
    }

    /**
     * Wait until {@code version} is forced to the disk (it then survives a power loss), whatever the sync policy.
     *
     * @return false on timeout.
     */
    public boolean awaitSynced(final long version, final long timeout, final TimeUnit unit)
    {
        return store.journal().awaitSynced(version, timeout, unit);
    }

    /**
     * @return keys quarantined since open: a journal frame that changed each could not be applied, so reads of it
     * throw {@link dev.engram.recovery.QuarantinedKeyException} until a later put or delete replaces it.
     */
    public List<dev.engram.recovery.QuarantinedKey> quarantinedKeys()
    {
        return store.quarantinedKeys();
    }

    /**
     * Wait until {@code version} is visible to reads (any thread's version; a thread's own commits are waited for
     * by its reads already, see {@link EngramContext#readYourWrites(boolean)}).
     *
     * @return false on timeout.
     */
    public boolean awaitApplied(final long version, final long timeout, final TimeUnit unit)
    {
        return store.awaitApplied(version, timeout, unit);
    }

    /**
     * @return what open did to recover.
     */
    public RecoveryReport recoveryReport()
    {
        return store.recoveryReport();
    }

    /**
     * @return completes once the snapshot index was checked (and rebuilt if needed) after open.
     */
    public CompletableFuture<SnapshotIndexReport> snapshotIndexCheck()
    {
        return store.snapshotIndexCheck();
    }

    /**
     * Pin what a backup of this open store reads (the {@code backup} module's {@code Backups.backup(Engram)} uses
     * it; docs/backup.md): a synced version, the checkpoint chain at or before it and the journal bytes after that
     * chain up to it, held against retention until the source is closed. Producers do not pause.
     *
     * @param syncWaitMs how long to wait for what was appended to be written, then synced.
     */
    public dev.engram.recovery.BackupSource backupSource(final long syncWaitMs)
    {
        return store.openBackupSource(syncWaitMs);
    }

    /**
     * Checkpoint everything appended before this call, once it is written (on the calling thread; producers do
     * not pause).
     */
    public CheckpointInfo checkpoint()
    {
        ensureOpen();
        return store.checkpoint();
    }

    /**
     * @return the performance monitor.
     */
    public EngramMetrics metrics()
    {
        return metrics;
    }

    public CodecRegistry codecs()
    {
        return ctx.codecs();
    }

    public MigrationRegistry migrations()
    {
        return ctx.migrations();
    }

    private void ensureOpen()
    {
        if (closed.get())
        {
            throw closedException();
        }
    }

    private IllegalStateException closedException()
    {
        return new IllegalStateException("engine is closed: directory=" + store.directory());
    }

    /**
     * Read-your-writes: wait until the last version this thread committed is applied.
     *
     * @return {@code tools}.
     * @throws IllegalStateException if it is not applied within the context's timeout (names the version and why).
     */
    private PerThread ownWritesApplied(final PerThread tools)
    {
        if (!readYourWrites)
        {
            return tools;
        }
        final long own = tools.builder().lastCommitted;
        if (own > 0 && store.appliedVersion() < own &&
            !store.awaitApplied(own, readYourWritesTimeoutMs, TimeUnit.MILLISECONDS))
        {
            final String stalled = store.applierStalledReason();
            throw new IllegalStateException("read-your-writes: this thread committed version=" + own + " but it is not " +
                "applied after " + readYourWritesTimeoutMs + " ms (applied=" + store.appliedVersion() + ", written=" +
                store.journal().writtenVersion() + (stalled == null ? "" : ", applier: " + stalled) + "); directory=" +
                store.directory() + ". The journal may be stopped (disk full?) or far behind; EngramContext." +
                "readYourWritesTimeoutMs sets the wait, readYourWrites(false) turns it off");
        }
        return tools;
    }

    /**
     * @return the calling thread's tools.
     * @throws IllegalStateException if the engine is closed.
     */
    private PerThread tools()
    {
        ensureOpen();
        return perThread.get();
    }

    /**
     * @return completes once the engine is closed and its directory released: when {@link #close()} returns, unless it
     *         was closed while its journal's queue was still opening with {@link EngramContext#closeJournalWaitMs}
     *         bounded (then a little later; a reopen in this JVM waits for it).
     */
    public java.util.concurrent.CompletableFuture<Void> closed()
    {
        return store.closed();
    }

    /**
     * Drain, sync and mark a clean shutdown.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        metrics.close();
        store.close();
        allPerThread.forEach(PerThread::clear);
        allPerThread.clear();
        perThread.remove();
    }
}
