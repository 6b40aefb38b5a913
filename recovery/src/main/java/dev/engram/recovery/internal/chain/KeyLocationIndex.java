package dev.engram.recovery.internal.chain;

import dev.engram.journal.EngramSystemProperties;
import dev.engram.recovery.CheckpointException;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.SnapshotIndexDamagedException;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import dev.engram.recovery.internal.checkpoint.KeyLocation;
import dev.engram.recovery.internal.checkpoint.MappedCheckpoint;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * Key (UTF-8 bytes) to {@link KeyLocation} for every live key of a checkpoint chain, in a persisted
 * Chronicle Map: one O(1) probe for a point read, however long the chain. Tombstoned keys are absent.
 * <p>
 * One file per chain head, {@code keys-<head id>.cm}, built once when the head is published (from the
 * full checkpoint's entries, or by copying the parent's sealed file and applying the delta's puts and
 * removals), closed cleanly, forced, renamed into place and sealed ({@link MapSealDescriptor}). It is
 * never written again, so Chronicle Map's crash recovery is never needed; an index whose seal (length,
 * whole-file CRC32C, head id, base id, ordinal) does not check out is rebuilt from the chain's files.
 * <p>
 * The first Chronicle Map opened in a JVM costs over a second of runtime compilation, so callers should
 * open it off the critical path ({@link #openOrRebuildAsync}) and read through {@link CheckpointChain},
 * which falls back to the checkpoints' in-file indexes until an index is attached. Thread-safe for readers.
 */
public final class KeyLocationIndex implements AutoCloseable
{
    /** What {@link #locate} returns for a key that is not live in the chain. */
    public static final long NOT_FOUND = -1;
    private static final String MAP_NAME = "engram-keys";
    private static final long MIN_CAPACITY = 1024;

    private final Path file;
    private final ChronicleMap<byte[], Long> map;
    private final long headId;
    private final long baseId;
    private final int chainOrdinal;
    private final long liveKeys;
    private final KeyIndexReport report;

    private KeyLocationIndex(final Path file, final ChronicleMap<byte[], Long> map, final MapSeal seal, final KeyIndexReport report)
    {
        this.file = file;
        this.map = map;
        this.headId = seal.ownerId;
        this.baseId = seal.baseId;
        this.chainOrdinal = seal.chainOrdinal;
        this.liveKeys = seal.entryCount;
        this.report = report;
    }

    /**
     * @param directory the checkpoint directory.
     * @param headId    a chain head's checkpoint id.
     * @return the path of its key index.
     */
    public static Path fileFor(final Path directory, final long headId)
    {
        return directory.resolve(CheckpointFiles.keyIndexFileName(headId));
    }

    /**
     * Build and publish the index of a newly published chain head: from the entries of a full checkpoint,
     * by copy-and-apply from the parent's index for a delta (when the parent's index checks out and has
     * room), or else from the whole chain.
     *
     * @param directory where index files live (normally the checkpoint directory).
     * @param chain     the chain whose head was just published.
     * @return what was done.
     */
    public static KeyIndexReport publish(final Path directory, final CheckpointChain chain)
    {
        EngramSystemProperties.apply();
        final long start = System.nanoTime();
        final MappedCheckpoint head = chain.head();
        if (chain.length() == 1)
        {
            return build(directory, chain, KeyIndexReport.Method.BUILT_FROM_FULL, null, start);
        }
        final Path parentFile = fileFor(directory, chain.checkpoint(chain.length() - 2).info().checkpointId());
        final MapSeal parentSeal;
        try
        {
            parentSeal = MapSeal.verify(parentFile, MapSealDescriptor.KIND_KEY_INDEX);
        }
        catch (final SnapshotIndexDamagedException ex)
        {
            return build(directory, chain, KeyIndexReport.Method.REBUILT_FROM_CHAIN, "parent index unusable: " + ex.getMessage(), start);
        }
        if (parentSeal.entryCount + head.info().putCount() > parentSeal.capacity)
        {
            return build(directory, chain, KeyIndexReport.Method.REBUILT_FROM_CHAIN, "parent index too small: capacity=" +
                parentSeal.capacity + " live=" + parentSeal.entryCount + " puts=" + head.info().putCount(), start);
        }
        final Path target = fileFor(directory, head.info().checkpointId());
        final Path tmp = CheckpointFiles.tmpOf(target);
        try
        {
            Files.deleteIfExists(tmp);
            Files.copy(parentFile, tmp, StandardCopyOption.REPLACE_EXISTING);
            final long live;
            try (ChronicleMap<byte[], Long> map = builder(parentSeal.capacity, averageKeyLength(chain)).createPersistedTo(tmp.toFile()))
            {
                apply(map, head, chain.length() - 1, () -> false);
                live = map.longSize();
            }
            MapSeal.delete(target);
            MapSeal.publish(tmp, target, MapSealDescriptor.KIND_KEY_INDEX, head.info().checkpointId(),
                head.info().baseId(), head.info().chainOrdinal(), live, parentSeal.capacity);
            return new KeyIndexReport(KeyIndexReport.Method.COPIED_FROM_PARENT, null, target, live, System.nanoTime() - start);
        }
        catch (final IOException ex)
        {
            throw new CheckpointException("cannot build key index file=" + target + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Build and publish the head's index from every checkpoint of the chain, base to head, replacing any
     * index file it has.
     *
     * @param directory where index files live.
     * @param chain     the chain.
     * @return what was done.
     */
    public static KeyIndexReport rebuildFrom(final Path directory, final CheckpointChain chain)
    {
        EngramSystemProperties.apply();
        return build(directory, chain, KeyIndexReport.Method.REBUILT_FROM_CHAIN, "rebuild requested", System.nanoTime());
    }

    private static KeyIndexReport build(final Path directory, final CheckpointChain chain, final KeyIndexReport.Method method,
        final String reason, final long start)
    {
        return build(directory, chain, method, reason, start, () -> false);
    }

    /**
     * @param stop asked before each entry: true abandons the build (its temp file is deleted) with
     *             {@link CheckStoppedException}.
     */
    private static KeyIndexReport build(final Path directory, final CheckpointChain chain, final KeyIndexReport.Method method,
        final String reason, final long start, final BooleanSupplier stop)
    {
        final CheckpointInfo head = chain.head().info();
        final long capacity = capacityFor(chain);
        final Path target = fileFor(directory, head.checkpointId());
        final Path tmp = CheckpointFiles.tmpOf(target);
        try
        {
            dev.engram.journal.internal.DirectoryLock.ensurePrivateDirectory(directory);
            Files.deleteIfExists(tmp);
            final long live;
            try (ChronicleMap<byte[], Long> map = builder(capacity, averageKeyLength(chain)).createPersistedTo(tmp.toFile()))
            {
                for (int ordinal = 0; ordinal < chain.length(); ordinal++)
                {
                    apply(map, chain.checkpoint(ordinal), ordinal, stop);
                }
                live = map.longSize();
            }
            catch (final CheckStoppedException ex)
            {
                Files.deleteIfExists(tmp);
                throw ex;
            }
            MapSeal.delete(target);
            MapSeal.publish(tmp, target, MapSealDescriptor.KIND_KEY_INDEX, head.checkpointId(), head.baseId(),
                head.chainOrdinal(), live, capacity);
            return new KeyIndexReport(method, reason, target, live, System.nanoTime() - start);
        }
        catch (final IOException ex)
        {
            throw new CheckpointException("cannot build key index file=" + target + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Twice the expected live keys: the base's puts plus half of each delta's (the rest assumed to
     * overwrite); the map may still grow to {@code maxBloatFactor} times that if the guess was low.
     */
    private static long capacityFor(final CheckpointChain chain)
    {
        long estimate = chain.base().info().putCount();
        for (int i = 1; i < chain.length(); i++)
        {
            estimate += (chain.checkpoint(i).info().putCount() + 1) / 2;
        }
        return Math.max(MIN_CAPACITY, 2 * estimate);
    }

    private static void apply(final ChronicleMap<byte[], Long> map, final MappedCheckpoint checkpoint, final int ordinal,
        final BooleanSupplier stop)
    {
        checkpoint.forEachEntry(entry ->
        {
            if (stop.getAsBoolean())
            {
                throw new CheckStoppedException("key index build of " + checkpoint.file() + " stopped: its store closed");
            }
            final byte[] key = new byte[entry.keyLength()];
            entry.key().getBytes(0, key);
            if (entry.isTombstone())
            {
                map.remove(key);
            }
            else
            {
                map.put(key, KeyLocation.pack(ordinal, entry.blockIndex(), entry.offsetInBlock()));
            }
        });
    }

    private static double averageKeyLength(final CheckpointChain chain)
    {
        long keyBytes = 0;
        long entries = 0;
        for (int i = 0; i < chain.length(); i++)
        {
            keyBytes += chain.checkpoint(i).info().rawKeyBytes();
            entries += chain.checkpoint(i).info().entryCount();
        }
        return entries == 0 ? 16 : Math.max(1.0, (double)keyBytes / entries);
    }

    private static ChronicleMapBuilder<byte[], Long> builder(final long capacity, final double averageKeyLength)
    {
        return ChronicleMap.of(byte[].class, Long.class).name(MAP_NAME).entries(capacity)
            .averageKeySize(averageKeyLength).maxBloatFactor(4.0);
    }

    /**
     * Open the sealed index of the chain's head.
     *
     * @param directory where index files live.
     * @param chain     the chain it must belong to.
     * @return the open index.
     * @throws SnapshotIndexDamagedException if it is missing, unsealed, damaged or of another chain.
     */
    public static KeyLocationIndex open(final Path directory, final CheckpointChain chain)
    {
        return open(directory, chain, new KeyIndexReport(KeyIndexReport.Method.OPENED, null,
            fileFor(directory, chain.head().info().checkpointId()), -1, 0), System.nanoTime());
    }

    private static KeyLocationIndex open(final Path directory, final CheckpointChain chain, final KeyIndexReport buildReport,
        final long start)
    {
        EngramSystemProperties.apply();
        final CheckpointInfo head = chain.head().info();
        final Path file = fileFor(directory, head.checkpointId());
        final MapSeal seal = MapSeal.verify(file, MapSealDescriptor.KIND_KEY_INDEX);
        if (seal.ownerId != head.checkpointId() || seal.baseId != head.baseId() || seal.chainOrdinal != head.chainOrdinal())
        {
            throw new SnapshotIndexDamagedException(file, "index belongs to another chain: head=" + seal.ownerId + " base=" +
                seal.baseId + " ordinal=" + seal.chainOrdinal);
        }
        final ChronicleMap<byte[], Long> map;
        try
        {
            map = builder(seal.capacity, averageKeyLength(chain)).createPersistedTo(file.toFile());
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new SnapshotIndexDamagedException(file, "Chronicle Map cannot open the index: " + ex, ex);
        }
        if (map.longSize() != seal.entryCount)
        {
            map.close();
            throw new SnapshotIndexDamagedException(file, "index holds " + map.longSize() + " keys, its seal says " + seal.entryCount);
        }
        final KeyIndexReport report = buildReport.method() == KeyIndexReport.Method.OPENED ?
            new KeyIndexReport(KeyIndexReport.Method.OPENED, null, file, seal.entryCount, System.nanoTime() - start) :
            new KeyIndexReport(buildReport.method(), buildReport.reason(), file, seal.entryCount, System.nanoTime() - start);
        return new KeyLocationIndex(file, map, seal, report);
    }

    /**
     * Open the head's index, or rebuild it from the chain if it is missing or fails any check.
     *
     * @param directory where index files live.
     * @param chain     the chain.
     * @return the open index; {@link #report()} says whether it was rebuilt and why.
     */
    public static KeyLocationIndex openOrRebuild(final Path directory, final CheckpointChain chain)
    {
        return openOrRebuild(directory, chain, () -> false, DirectoryWrites.HELD);
    }

    /**
     * {@link #openOrRebuild(Path, CheckpointChain)} for a check that stops when its store closes: a rebuild is not
     * started once {@code stop} says so or {@code writes} refuses, and gives up at its next entry.
     *
     * @throws CheckStoppedException if it stopped.
     */
    public static KeyLocationIndex openOrRebuild(final Path directory, final CheckpointChain chain, final BooleanSupplier stop,
        final DirectoryWrites writes)
    {
        final long start = System.nanoTime();
        try
        {
            return open(directory, chain);
        }
        catch (final SnapshotIndexDamagedException ex)
        {
            if (stop.getAsBoolean() || !writes.begin())
            {
                throw new CheckStoppedException("key index rebuild not started: its store closed (" + ex.getMessage() + ")");
            }
            try
            {
                final KeyIndexReport built = build(directory, chain, KeyIndexReport.Method.REBUILT_FROM_CHAIN, ex.getMessage(),
                    start, stop);
                return open(directory, chain, built, start);
            }
            finally
            {
                writes.end();
            }
        }
    }

    /**
     * {@link #openOrRebuild} on {@code executor}, so readiness never waits for Chronicle Map's first-open cost.
     *
     * @param directory where index files live.
     * @param chain     the chain.
     * @param executor  where to run it.
     * @return completes with the open index, or exceptionally.
     */
    public static CompletableFuture<KeyLocationIndex> openOrRebuildAsync(final Path directory, final CheckpointChain chain,
        final Executor executor)
    {
        return CompletableFuture.supplyAsync(() -> openOrRebuild(directory, chain), executor);
    }

    /**
     * @param keyUtf8 the key's UTF-8 bytes.
     * @return its packed {@link KeyLocation}, or {@link #NOT_FOUND}.
     */
    public long locate(final byte[] keyUtf8)
    {
        final Long location = map.get(keyUtf8);
        return location == null ? NOT_FOUND : location;
    }

    /**
     * @param key       holding the UTF-8 key.
     * @param keyOffset first byte.
     * @param keyLength length.
     * @return its packed {@link KeyLocation}, or {@link #NOT_FOUND} (copies the key: allocates).
     */
    public long locate(final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        final byte[] bytes = new byte[keyLength];
        key.getBytes(keyOffset, bytes);
        return locate(bytes);
    }

    /**
     * @return live keys in the chain.
     */
    public long liveKeyCount()
    {
        return liveKeys;
    }

    public long headId()
    {
        return headId;
    }

    public long baseId()
    {
        return baseId;
    }

    public int chainOrdinal()
    {
        return chainOrdinal;
    }

    public Path file()
    {
        return file;
    }

    /**
     * @return how this index was obtained.
     */
    public KeyIndexReport report()
    {
        return report;
    }

    /**
     * Visit every (key, location) pair (for tests and tools; allocates).
     *
     * @param visitor receives each pair.
     */
    public void forEach(final java.util.function.BiConsumer<byte[], Long> visitor)
    {
        map.forEach(visitor);
    }

    @Override
    public void close()
    {
        map.close();
    }

    @Override
    public String toString()
    {
        return "KeyLocationIndex{head=" + headId + " base=" + baseId + " ordinal=" + chainOrdinal + " liveKeys=" + liveKeys +
            " file=" + file + "}";
    }
}
