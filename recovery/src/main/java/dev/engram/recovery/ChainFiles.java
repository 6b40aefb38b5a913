package dev.engram.recovery;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An open checkpoint chain: a full checkpoint and the deltas on top of it, base first. A point read
 * asks the head first and walks towards the base; a tombstone in a newer file hides older values.
 * Owns its mapped files.
 */
final class ChainFiles implements Overlay.BaseValues, AutoCloseable
{
    private final List<MappedCheckpoint> files;
    private final MappedCheckpoint head;

    ChainFiles(final List<MappedCheckpoint> baseFirst)
    {
        if (baseFirst.isEmpty())
        {
            throw new IllegalArgumentException("a chain needs at least its full checkpoint");
        }
        this.files = Collections.unmodifiableList(new ArrayList<>(baseFirst));
        this.head = baseFirst.get(baseFirst.size() - 1);
    }

    List<MappedCheckpoint> files()
    {
        return files;
    }

    MappedCheckpoint head()
    {
        return head;
    }

    long stateVersion()
    {
        return head.info().stateVersion();
    }

    long headId()
    {
        return head.info().checkpointId();
    }

    int length()
    {
        return files.size();
    }

    /**
     * @return bytes of the delta files on top of the base.
     */
    long deltaBytes()
    {
        long bytes = 0;
        for (int i = 1; i < files.size(); i++)
        {
            bytes += files.get(i).info().fileLength();
        }
        return bytes;
    }

    long baseBytes()
    {
        return files.get(0).info().fileLength();
    }

    /**
     * @return live keys, counted from the base's puts plus deltas' puts less tombstones (an estimate for
     * chains: a delta's put of an existing key counts twice).
     */
    long estimatedKeyCount()
    {
        long keys = files.get(0).info().putCount();
        for (int i = 1; i < files.size(); i++)
        {
            keys += files.get(i).info().putCount() - files.get(i).info().tombstoneCount();
        }
        return Math.max(0, keys);
    }

    LookupStatus lookup(final DirectBuffer key, final int keyOffset, final int keyLength, final UnsafeBuffer out)
    {
        for (int i = files.size() - 1; i >= 0; i--)
        {
            final LookupStatus status = files.get(i).lookup(key, keyOffset, keyLength, out);
            if (status != LookupStatus.ABSENT)
            {
                return status;
            }
        }
        return LookupStatus.ABSENT;
    }

    @Override
    public boolean get(final DirectBuffer key, final int keyOffset, final int keyLength, final UnsafeBuffer out)
    {
        return lookup(key, keyOffset, keyLength, out) == LookupStatus.FOUND;
    }

    @Override
    public void close()
    {
        for (final MappedCheckpoint file : files)
        {
            file.close();
        }
    }
}
