package dev.engram.recovery.internal.history;

import dev.engram.journal.OpType;
import dev.engram.recovery.KeyHistory;

import java.util.Arrays;
import java.util.List;

/**
 * The ops on one key in a run of versions, oldest first, as three growable columns (version, timestamp, op
 * code). Not thread-safe: guarded by its owner.
 */
final class KeyChanges
{
    private long[] versions = new long[2];
    private long[] timestamps = new long[2];
    private byte[] ops = new byte[2];
    private int count;

    void add(final long version, final long timestampEpochNs, final byte opCode)
    {
        if (count == versions.length)
        {
            final int capacity = count * 2;
            versions = Arrays.copyOf(versions, capacity);
            timestamps = Arrays.copyOf(timestamps, capacity);
            ops = Arrays.copyOf(ops, capacity);
        }
        versions[count] = version;
        timestamps[count] = timestampEpochNs;
        ops[count] = opCode;
        count++;
    }

    int count()
    {
        return count;
    }

    long version(final int i)
    {
        return versions[i];
    }

    long timestamp(final int i)
    {
        return timestamps[i];
    }

    byte opCode(final int i)
    {
        return ops[i];
    }

    /**
     * Add the changes with versions in {@code [from, to]} to {@code out}.
     */
    void copyTo(final long from, final long to, final List<KeyHistory.Change> out)
    {
        for (int i = 0; i < count; i++)
        {
            if (versions[i] >= from && versions[i] <= to)
            {
                out.add(new KeyHistory.Change(versions[i], timestamps[i], OpType.fromCode(ops[i])));
            }
        }
    }
}
