package dev.engram.recovery.internal.chain;

import dev.engram.recovery.CheckpointCorruptionException;
import dev.engram.recovery.CheckpointException;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.UnsupportedCheckpointFormatException;
import dev.engram.recovery.internal.checkpoint.LookupStatus;
import dev.engram.recovery.internal.checkpoint.MappedCheckpoint;
import dev.engram.recovery.internal.concurrent.SharedRelease;
import dev.engram.recovery.internal.ordered.ChainKeys;
import dev.engram.recovery.internal.ordered.SortedKeys;
import dev.engram.recovery.internal.ordered.SortedKeysCache;
import dev.engram.recovery.internal.overlay.Overlay;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The store's handle on an open {@link CheckpointChain}: the chain as the base of a state generation
 * ({@link Overlay.BaseValues}) plus the sizes the checkpoint policy decides on. Owns the chain; a background
 * check that reads it after open {@link #share() shares} it, and the chain is unmapped by whichever of the owner's
 * {@link #close()} and the check's {@link #leave()} comes last (docs/memory-safety.md).
 */
public final class ChainFiles implements Overlay.BaseValues, AutoCloseable
{
    private final CheckpointChain chain;
    private final SharedRelease holders;
    private final AtomicBoolean ownerLeft = new AtomicBoolean();
    private volatile boolean merkleRootsPending;
    private volatile SortedKeys sortedKeys;
    private volatile SortedKeysCache keysCache;

    public ChainFiles(final List<MappedCheckpoint> baseFirst)
    {
        this.chain = CheckpointChain.of(baseFirst);
        this.holders = new SharedRelease(chain::close);
    }

    /**
     * Open the chain ending at {@code headId}: every member must open and verify (header, footer, block
     * table, index) and their chain ordinals must run 0..n-1.
     *
     * @param headId       the newest member.
     * @param files        checkpoint files by id.
     * @param verifyBlocks also verify every block's CRC now (else lazily, on first read of each block).
     * @throws UnsupportedCheckpointFormatException if a member was written by a newer Engram.
     * @throws RuntimeException                     naming what is wrong otherwise; nothing stays open.
     */
    public static ChainFiles open(final long headId, final Map<Long, Path> files, final boolean verifyBlocks)
    {
        return open(headId, files, verifyBlocks, false);
    }

    /**
     * @param deferIndexAndMerkleChecks leave each member's block table rows and index CRC to
     *                                  {@link #verifyDeferred()}, which must pass before the chain is read, and
     *                                  its Merkle root to
     *                                  {@link #verifyMerkleRoots()} ({@link #merkleRootsPending()} until then).
     */
    public static ChainFiles open(final long headId, final Map<Long, Path> files, final boolean verifyBlocks,
        final boolean deferIndexAndMerkleChecks)
    {
        final List<MappedCheckpoint> opened = new ArrayList<>();
        long id = headId;
        try
        {
            while (true)
            {
                final Path file = files.get(id);
                if (file == null)
                {
                    throw new CheckpointException("chain member ckpt id=" + id + " is missing");
                }
                final MappedCheckpoint checkpoint = MappedCheckpoint.open(file, deferIndexAndMerkleChecks);
                opened.add(0, checkpoint);
                final CheckpointInfo info = checkpoint.info();
                if (!info.isDelta())
                {
                    break;
                }
                id = info.parentId();
            }
            for (int i = 0; i < opened.size(); i++)
            {
                if (opened.get(i).info().chainOrdinal() != i)
                {
                    throw new CheckpointException("chain ordinal mismatch in " + opened.get(i).file() + ": expected " + i +
                        " found " + opened.get(i).info().chainOrdinal());
                }
            }
            if (verifyBlocks)
            {
                for (final MappedCheckpoint checkpoint : opened)
                {
                    checkpoint.verifyAllBlocks();
                }
            }
            final ChainFiles chainFiles = new ChainFiles(opened);
            chainFiles.merkleRootsPending = deferIndexAndMerkleChecks;
            return chainFiles;
        }
        catch (final RuntimeException ex)
        {
            for (final MappedCheckpoint checkpoint : opened)
            {
                checkpoint.close();
            }
            throw ex;
        }
    }

    /**
     * Run the block table and index checks a deferring {@link #open} left out, on every member.
     *
     * @throws CheckpointCorruptionException naming the file and offset of the first mismatch.
     */
    public void verifyDeferred()
    {
        for (final MappedCheckpoint checkpoint : chain.checkpoints())
        {
            checkpoint.verifyDeferred();
        }
    }

    /**
     * Recompute every member's Merkle root (a deferring {@link #open} left it out): the caller holds the chain
     * open meanwhile.
     *
     * @throws CheckpointCorruptionException naming the file and offset of the first mismatch.
     */
    public void verifyMerkleRoots()
    {
        verifyMerkleRoots(() -> false);
    }

    /**
     * {@link #verifyMerkleRoots()} that stops at the next block table row once {@code stop} says so.
     *
     * @return true if every root was recomputed and matches, false if stopped first.
     * @throws CheckpointCorruptionException naming the file and offset of the first mismatch.
     */
    public boolean verifyMerkleRoots(final BooleanSupplier stop)
    {
        for (final MappedCheckpoint checkpoint : chain.checkpoints())
        {
            if (!checkpoint.verifyMerkleRoot(stop))
            {
                return false;
            }
        }
        merkleRootsPending = false;
        return true;
    }

    /**
     * Hold the chain mapped for a task on another thread (an after-open check) until it {@link #leave() leaves}, even
     * if the owner closes it meanwhile.
     *
     * @return true if shared (then {@link #leave()} exactly once), false if the chain was already unmapped.
     */
    public boolean share()
    {
        return holders.tryShare();
    }

    /**
     * End a {@link #share()}: unmaps the chain if the owner already closed it.
     */
    public void leave()
    {
        holders.leave();
    }

    /**
     * @return true once the owner closed the chain and every sharer left: its files are unmapped.
     */
    public boolean isReleased()
    {
        return holders.isReleased();
    }

    /**
     * @return true if the chain was opened deferring its checks and its Merkle roots were not recomputed yet.
     */
    public boolean merkleRootsPending()
    {
        return merkleRootsPending;
    }

    CheckpointChain chain()
    {
        return chain;
    }

    public List<MappedCheckpoint> files()
    {
        return chain.checkpoints();
    }

    public MappedCheckpoint head()
    {
        return chain.head();
    }

    public long stateVersion()
    {
        return chain.head().info().stateVersion();
    }

    public long headId()
    {
        return chain.head().info().checkpointId();
    }

    public int length()
    {
        return chain.length();
    }

    /**
     * @return bytes of the delta files on top of the base.
     */
    public long deltaBytes()
    {
        long bytes = 0;
        for (int i = 1; i < chain.length(); i++)
        {
            bytes += chain.checkpoint(i).info().fileLength();
        }
        return bytes;
    }

    public long baseBytes()
    {
        return chain.base().info().fileLength();
    }

    /**
     * @return raw (uncompressed) entry bytes of the base: the state's size at the full checkpoint.
     */
    public long baseRawBytes()
    {
        return chain.base().info().rawBlockBytes();
    }

    /**
     * @return live keys, estimated from the base's puts plus the deltas' puts less their tombstones
     * (a delta's put of an existing key counts twice).
     */
    long estimatedKeyCount()
    {
        long keys = chain.base().info().putCount();
        for (int i = 1; i < chain.length(); i++)
        {
            keys += chain.checkpoint(i).info().putCount() - chain.checkpoint(i).info().tombstoneCount();
        }
        return Math.max(0, keys);
    }

    /**
     * Share sorted keys through {@code cache} (the store's: its snapshots map the same files anew).
     *
     * @return this chain.
     */
    public ChainFiles sortedKeysCache(final SortedKeysCache cache)
    {
        this.keysCache = cache;
        return this;
    }

    /**
     * @return the chain state's live keys in key order: built on first use (from the cache, from a cached chain one
     * file shorter, else from every file), then kept with the chain.
     */
    public SortedKeys sortedKeys()
    {
        final SortedKeys keys = sortedKeys;
        return keys != null ? keys : buildSortedKeys();
    }

    private synchronized SortedKeys buildSortedKeys()
    {
        if (sortedKeys == null)
        {
            final SortedKeysCache cache = keysCache;
            sortedKeys = cache != null ? cache.keysOf(chain.checkpoints()) : ChainKeys.build(chain.checkpoints());
        }
        return sortedKeys;
    }

    /**
     * @return true once {@link #sortedKeys()} was built (someone scanned this chain in order).
     */
    public boolean sortedKeysBuilt()
    {
        return sortedKeys != null;
    }

    @Override
    public boolean get(final DirectBuffer key, final int keyOffset, final int keyLength, final UnsafeBuffer out)
    {
        return chain.get(key, keyOffset, keyLength, out) == LookupStatus.FOUND;
    }

    /**
     * @see CheckpointChain#pageMap(DirectBuffer, int, int, UnsafeBuffer)
     */
    public int pageMap(final DirectBuffer key, final int keyOffset, final int keyLength, final UnsafeBuffer map)
    {
        return chain.pageMap(key, keyOffset, keyLength, map);
    }

    @Override
    public LookupStatus lookup(final DirectBuffer key, final int keyOffset, final int keyLength, final UnsafeBuffer out)
    {
        return chain.get(key, keyOffset, keyLength, out);
    }

    /**
     * The owner lets go (idempotent): the chain is unmapped now, or by the last sharer as it leaves.
     */
    @Override
    public void close()
    {
        if (ownerLeft.compareAndSet(false, true))
        {
            holders.leave();
        }
    }
}
