package dev.engram.recovery.internal.chain;

import dev.engram.journal.internal.Utf8;
import dev.engram.recovery.CheckpointCorruptionException;
import dev.engram.recovery.CheckpointException;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.SnapshotIndexDamagedException;
import dev.engram.recovery.internal.checkpoint.CheckpointEntry;
import dev.engram.recovery.internal.checkpoint.CheckpointEntryDescriptor;
import dev.engram.recovery.internal.checkpoint.CheckpointFileChecks;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import dev.engram.recovery.internal.checkpoint.KeyLocation;
import dev.engram.recovery.internal.checkpoint.LookupStatus;
import dev.engram.recovery.internal.checkpoint.MappedCheckpoint;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The checkpoints that together hold one state: a full checkpoint (ordinal 0) and the deltas on top of it
 * (ordinals 1..k), base first. {@link #get} answers a point read for the head's state:
 * <ul>
 *     <li>with a {@link KeyLocationIndex} attached: one probe of the index, then the entry it names (whose
 *     key is compared, so an index that points at the wrong entry is caught, detached and reported);</li>
 *     <li>otherwise: the in-file indexes newest to oldest; the first file with an entry for the key
 *     decides (a tombstone in a newer file hides older values).</li>
 * </ul>
 * Both paths give the same answers. Thread-safe for readers; {@link #attach} and {@link #detach} may be
 * called at any time from any thread. {@link #close()} closes the checkpoints and any attached index.
 */
public final class CheckpointChain implements AutoCloseable
{
    private static final ThreadLocal<CheckpointEntry> ENTRY = ThreadLocal.withInitial(CheckpointEntry::new);
    private static final ThreadLocal<UnsafeBuffer> KEY_SCRATCH =
        ThreadLocal.withInitial(() -> new UnsafeBuffer(new byte[CheckpointEntryDescriptor.MAX_KEY_LENGTH]));

    private final List<MappedCheckpoint> checkpoints;
    private final MappedCheckpoint[] byOrdinal;
    private volatile KeyLocationIndex keyIndex;
    private volatile RuntimeException keyIndexFailure;
    private volatile KeyLocationIndex failedIndex;

    private CheckpointChain(final List<MappedCheckpoint> checkpoints)
    {
        this.checkpoints = Collections.unmodifiableList(new ArrayList<>(checkpoints));
        this.byOrdinal = checkpoints.toArray(new MappedCheckpoint[0]);
        for (final MappedCheckpoint checkpoint : byOrdinal)
        {
            checkpoint.attachChain(byOrdinal);   // where paged values find pages kept in older files
        }
    }

    /**
     * The newest entry of a key in the chain, as a page map if it is a paged value (no page is read).
     *
     * @param map re-pointed at the page map when the entry found is paged.
     * @return -1 if no file has an entry for the key, else the newest entry's flags.
     */
    public int pageMap(final DirectBuffer key, final int keyOffset, final int keyLength, final UnsafeBuffer map)
    {
        for (int i = byOrdinal.length - 1; i >= 0; i--)
        {
            final int flags = byOrdinal[i].lookupPageMap(key, keyOffset, keyLength, map);
            if (flags != -1)
            {
                return flags;
            }
        }
        return -1;
    }

    /**
     * @param baseFirst the full checkpoint, then each delta in order.
     * @return the chain.
     * @throws IllegalArgumentException if the files do not form one chain (ordinals, parent and base ids,
     *                                  state versions).
     */
    public static CheckpointChain of(final List<MappedCheckpoint> baseFirst)
    {
        if (baseFirst.isEmpty())
        {
            throw new IllegalArgumentException("a chain needs at least a full checkpoint");
        }
        if (baseFirst.size() > KeyLocation.MAX_CHAIN_ORDINAL + 1)
        {
            throw new IllegalArgumentException("chain too long: length=" + baseFirst.size());
        }
        final CheckpointInfo base = baseFirst.get(0).info();
        for (int i = 0; i < baseFirst.size(); i++)
        {
            final CheckpointInfo info = baseFirst.get(i).info();
            final boolean ok = info.chainOrdinal() == i && info.baseId() == base.checkpointId() &&
                (i == 0 ? !info.isDelta() :
                    info.parentId() == baseFirst.get(i - 1).info().checkpointId() &&
                    info.parentStateVersion() == baseFirst.get(i - 1).info().stateVersion());
            if (!ok)
            {
                throw new IllegalArgumentException("not a chain at position " + i + ": " + info +
                    (i > 0 ? " after " + baseFirst.get(i - 1).info() : ""));
            }
        }
        return new CheckpointChain(baseFirst);
    }

    /**
     * Map the chain ending at {@code headId}: follow parent ids down to the full base, then open base first.
     *
     * @param directory the checkpoint directory.
     * @param headId    the newest checkpoint of the chain.
     * @return the chain (its checkpoints are closed with it).
     * @throws CheckpointException if a file is missing, damaged, or the files do not form a chain.
     */
    public static CheckpointChain open(final Path directory, final long headId)
    {
        final List<Path> files = new ArrayList<>();
        long id = headId;
        while (id != 0)
        {
            final Path file = directory.resolve(CheckpointFiles.checkpointFileName(id));
            if (!Files.exists(file))
            {
                throw new CheckpointException("checkpoint chain of head " + headId + " is broken: file=" + file + " is missing");
            }
            files.add(0, file);
            id = CheckpointFileChecks.readInfo(file).parentId();
            if (files.size() > KeyLocation.MAX_CHAIN_ORDINAL + 1)
            {
                throw new CheckpointException("checkpoint chain of head " + headId + " is longer than " +
                    (KeyLocation.MAX_CHAIN_ORDINAL + 1) + " files in directory=" + directory);
            }
        }
        final List<MappedCheckpoint> opened = new ArrayList<>();
        try
        {
            for (final Path file : files)
            {
                opened.add(MappedCheckpoint.open(file));
            }
            return of(opened);
        }
        catch (final RuntimeException ex)
        {
            for (final MappedCheckpoint checkpoint : opened)
            {
                checkpoint.close();
            }
            if (ex instanceof IllegalArgumentException)
            {
                throw new CheckpointException(ex.getMessage() + " (directory=" + directory + ")", ex);
            }
            throw ex;
        }
    }

    public int length()
    {
        return byOrdinal.length;
    }

    /**
     * @param ordinal 0 for the base, k for the k-th delta.
     * @return that checkpoint.
     */
    public MappedCheckpoint checkpoint(final int ordinal)
    {
        return byOrdinal[ordinal];
    }

    public MappedCheckpoint base()
    {
        return byOrdinal[0];
    }

    public MappedCheckpoint head()
    {
        return byOrdinal[byOrdinal.length - 1];
    }

    /**
     * @return base first.
     */
    public List<MappedCheckpoint> checkpoints()
    {
        return checkpoints;
    }

    /**
     * Use {@code index} for point reads from now on.
     *
     * @param index an open index of this chain's head.
     * @throws IllegalArgumentException if it belongs to another chain.
     */
    public void attach(final KeyLocationIndex index)
    {
        final CheckpointInfo head = head().info();
        if (index.headId() != head.checkpointId() || index.baseId() != head.baseId() || index.chainOrdinal() != head.chainOrdinal())
        {
            throw new IllegalArgumentException("key index of another chain: " + index + " head=" + head);
        }
        keyIndex = index;
    }

    /**
     * Stop using the attached index (it is not closed: the caller owns it again).
     *
     * @return the index that was attached, or null.
     */
    public KeyLocationIndex detach()
    {
        final KeyLocationIndex index = keyIndex;
        keyIndex = null;
        return index;
    }

    public boolean hasKeyIndex()
    {
        return keyIndex != null;
    }

    /**
     * @return why an attached index was detached on its own (it named a wrong entry or failed), or null.
     */
    public RuntimeException keyIndexFailure()
    {
        return keyIndexFailure;
    }

    /**
     * Open (or rebuild) the head's key index on {@code executor} and attach it when ready; reads use the
     * in-file indexes meanwhile.
     *
     * @param directory where index files live.
     * @param executor  where to open it.
     * @return completes with the attached index.
     */
    public CompletableFuture<KeyLocationIndex> attachKeyIndexAsync(final Path directory, final Executor executor)
    {
        return KeyLocationIndex.openOrRebuildAsync(directory, this, executor).thenApply(index ->
        {
            attach(index);
            return index;
        });
    }

    /**
     * @param key       the key.
     * @param valueView re-pointed at the value when found (zero-copy, read-only).
     * @return FOUND or ABSENT (a key removed by a delta is ABSENT).
     */
    public LookupStatus get(final CharSequence key, final UnsafeBuffer valueView)
    {
        final int encodedLength = Utf8.encodedLength(key);
        if (encodedLength < 1 || encodedLength > CheckpointEntryDescriptor.MAX_KEY_LENGTH)
        {
            return LookupStatus.ABSENT;
        }
        final UnsafeBuffer scratch = KEY_SCRATCH.get();
        final int length = Utf8.encode(key, scratch, 0);
        return get(scratch, 0, length, valueView);
    }

    /**
     * @param key       holding the UTF-8 key.
     * @param keyOffset first byte.
     * @param keyLength length.
     * @param valueView re-pointed at the value when found.
     * @return FOUND, QUARANTINED (the view then holds the reason) or ABSENT.
     * @throws CheckpointCorruptionException if a block the answer depends on is damaged.
     */
    public LookupStatus get(final DirectBuffer key, final int keyOffset, final int keyLength, final UnsafeBuffer valueView)
    {
        final KeyLocationIndex index = keyIndex;
        if (index != null)
        {
            final LookupStatus status = getIndexed(index, key, keyOffset, keyLength, valueView);
            if (status != null)
            {
                return status;
            }
        }
        for (int ordinal = byOrdinal.length - 1; ordinal >= 0; ordinal--)
        {
            final LookupStatus status = byOrdinal[ordinal].lookup(key, keyOffset, keyLength, valueView);
            if (status == LookupStatus.FOUND || status == LookupStatus.QUARANTINED)
            {
                return status;
            }
            if (status == LookupStatus.TOMBSTONE)
            {
                return LookupStatus.ABSENT;
            }
        }
        return LookupStatus.ABSENT;
    }

    /**
     * @return the answer, or null if the index failed (it is then detached and the failure kept).
     */
    private LookupStatus getIndexed(final KeyLocationIndex index, final DirectBuffer key, final int keyOffset,
        final int keyLength, final UnsafeBuffer valueView)
    {
        try
        {
            final long location = index.locate(key, keyOffset, keyLength);
            if (location == KeyLocationIndex.NOT_FOUND)
            {
                return LookupStatus.ABSENT;
            }
            final int ordinal = KeyLocation.chainOrdinal(location);
            if (ordinal >= byOrdinal.length)
            {
                throw new SnapshotIndexDamagedException(index.file(), "location names chain ordinal " + ordinal +
                    " of a chain of " + byOrdinal.length);
            }
            final CheckpointEntry entry = ENTRY.get();
            byOrdinal[ordinal].readEntry(KeyLocation.blockIndex(location), KeyLocation.offsetInBlock(location), entry);
            if (entry.isTombstone() || !entry.keyEquals(key, keyOffset, keyLength))
            {
                throw new SnapshotIndexDamagedException(index.file(), "location 0x" + Long.toHexString(location) +
                    " does not hold the live key");
            }
            valueView.wrap(entry.value(), 0, entry.valueLength());
            return entry.isQuarantined() ? LookupStatus.QUARANTINED : LookupStatus.FOUND;
        }
        catch (final RuntimeException ex)
        {
            keyIndexFailure = ex;
            synchronized (this)
            {
                if (keyIndex == index)
                {
                    keyIndex = null;
                    failedIndex = index;
                }
            }
            return null;
        }
    }

    @Override
    public void close()
    {
        final KeyLocationIndex index = detach();
        if (index != null)
        {
            index.close();
        }
        final KeyLocationIndex failed = failedIndex;
        if (failed != null && failed != index)
        {
            failed.close();
        }
        for (final MappedCheckpoint checkpoint : byOrdinal)
        {
            checkpoint.close();
        }
    }

    @Override
    public String toString()
    {
        return "CheckpointChain{length=" + byOrdinal.length + " head=" + head().info().checkpointId() +
            " base=" + base().info().checkpointId() + " keyIndex=" + (keyIndex != null) + "}";
    }
}
