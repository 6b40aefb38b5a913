package dev.engram.recovery;

import dev.engram.journal.OpType;

import java.util.List;

/**
 * Every op the journal holds for one key within a version range, oldest first — one entry per op, so a
 * delta that touches the key twice gives two entries with the same version. A PUT of the bytes the key
 * already held is listed too (the journal records ops, not effects; use {@link StateStore#diff} to compare
 * values).
 *
 * @param key         the key.
 * @param fromVersion the first version scanned: changes older than it are not known (removed by retention,
 *                    or not asked for).
 * @param toVersion   the last version scanned (the written version when not given); the range is empty when
 *                    {@code fromVersion > toVersion}.
 * @param changes     oldest first.
 */
public record KeyHistory(String key, long fromVersion, long toVersion, List<Change> changes)
{
    /**
     * One op on the key.
     *
     * @param version         the delta's version.
     * @param timestampEpochNs when the journal thread wrote the delta (wall clock, epoch ns).
     * @param op              PUT, DELETE or PATCH.
     */
    public record Change(long version, long timestampEpochNs, OpType op)
    {
    }

    public KeyHistory
    {
        changes = List.copyOf(changes);
    }

    /**
     * @return the distinct versions at which the key was touched, ascending.
     */
    public long[] versions()
    {
        return changes.stream().mapToLong(Change::version).distinct().toArray();
    }
}
