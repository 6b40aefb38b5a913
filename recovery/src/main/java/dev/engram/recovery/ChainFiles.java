package dev.engram.recovery;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.List;

/**
 * The store's handle on an open {@link CheckpointChain}: the chain as the base of a state generation
 * ({@link Overlay.BaseValues}) plus the sizes the checkpoint policy decides on. Owns the chain.
 */
final class ChainFiles implements Overlay.BaseValues, AutoCloseable
{
    private final CheckpointChain chain;

    ChainFiles(final List<MappedCheckpoint> baseFirst)
    {
        this.chain = CheckpointChain.of(baseFirst);
    }

    CheckpointChain chain()
    {
        return chain;
    }

    List<MappedCheckpoint> files()
    {
        return chain.checkpoints();
    }

    MappedCheckpoint head()
    {
        return chain.head();
    }

    long stateVersion()
    {
        return chain.head().info().stateVersion();
    }

    long headId()
    {
        return chain.head().info().checkpointId();
    }

    int length()
    {
        return chain.length();
    }

    /**
     * @return bytes of the delta files on top of the base.
     */
    long deltaBytes()
    {
        long bytes = 0;
        for (int i = 1; i < chain.length(); i++)
        {
            bytes += chain.checkpoint(i).info().fileLength();
        }
        return bytes;
    }

    long baseBytes()
    {
        return chain.base().info().fileLength();
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

    @Override
    public boolean get(final DirectBuffer key, final int keyOffset, final int keyLength, final UnsafeBuffer out)
    {
        return chain.get(key, keyOffset, keyLength, out) == LookupStatus.FOUND;
    }

    @Override
    public void close()
    {
        chain.close();
    }
}
