package dev.engram.recovery.internal.history;

import dev.engram.journal.OpType;
import dev.engram.recovery.KeyHistory;
import dev.engram.recovery.internal.checkpoint.KeyHash;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A run of versions' ops grouped by key, as the key history index holds it in memory before writing it out as a
 * segment ({@link KeyIndexSegmentWriter}), in a handful of growable primitive arrays: adding an op allocates nothing
 * once the arrays have grown to the run's size (they are kept across {@link #clear()}), so the follower makes no
 * garbage per op and a young collection has next to nothing of it to copy (issue 18: a {@code HashMap<String, ...>}
 * run of 262,144 versions held ~100 MB of small objects, and copying them paused every thread for 60-120 ms).
 * <p>
 * Keys: their UTF-8 bytes in one arena, found through an open-addressing table of key ids by
 * {@link KeyHash}, compared byte by byte. Changes: columns (version, timestamp, op code) with a per-key chain
 * ({@code next}) from the key's first change to its last, oldest first. Not thread-safe: guarded by its owner.
 */
final class KeyRun
{
    private static final int NONE = -1;

    private byte[] keyArena = new byte[16 * 1024];
    private int keyArenaUsed;
    private int[] keyOffsets = new int[1024];
    private int[] keyLengths = new int[1024];
    private long[] keyHashes = new long[1024];
    private int[] firstChange = new int[1024];
    private int[] lastChange = new int[1024];
    private int[] changeCounts = new int[1024];
    private int keyCount;
    /** Key id + 1 per slot, 0 for empty; the length is a power of two, at most half full. */
    private int[] table = new int[2048];

    private long[] versions = new long[4096];
    private long[] timestamps = new long[4096];
    private byte[] ops = new byte[4096];
    private int[] next = new int[4096];
    private int changeCount;

    /**
     * Add an op on the key held in {@code buffer} at {@code [keyOffset, keyOffset + keyLength)}.
     */
    void add(final DirectBuffer buffer, final int keyOffset, final int keyLength, final long version,
        final long timestampEpochNs, final byte opCode)
    {
        final long hash = KeyHash.hash(buffer, keyOffset, keyLength);
        int slot = slotOf(hash);
        int key;
        while (true)
        {
            final int entry = table[slot];
            if (entry == 0)
            {
                key = newKey(buffer, keyOffset, keyLength, hash);
                table[slot] = key + 1;
                if (keyCount * 2 > table.length)
                {
                    growTable();
                }
                break;
            }
            final int candidate = entry - 1;
            if (keyHashes[candidate] == hash && sameKey(candidate, buffer, keyOffset, keyLength))
            {
                key = candidate;
                break;
            }
            slot = (slot + 1) & (table.length - 1);
        }
        addChange(key, version, timestampEpochNs, opCode);
    }

    /**
     * Add an op on {@code key} (UTF-8 bytes; rebuilds and tests).
     */
    void add(final byte[] key, final long version, final long timestampEpochNs, final byte opCode)
    {
        add(new org.agrona.concurrent.UnsafeBuffer(key), 0, key.length, version, timestampEpochNs, opCode);
    }

    /**
     * Forget every key and change; the arrays are kept for the next run.
     */
    void clear()
    {
        Arrays.fill(table, 0);
        keyCount = 0;
        keyArenaUsed = 0;
        changeCount = 0;
    }

    int keyCount()
    {
        return keyCount;
    }

    /**
     * @return the key id of {@code key} (UTF-8 bytes), or -1 if the run has no op on it.
     */
    int find(final byte[] key, final long hash)
    {
        int slot = slotOf(hash);
        while (true)
        {
            final int entry = table[slot];
            if (entry == 0)
            {
                return NONE;
            }
            final int candidate = entry - 1;
            if (keyHashes[candidate] == hash && keyLengths[candidate] == key.length &&
                Arrays.equals(keyArena, keyOffsets[candidate], keyOffsets[candidate] + key.length, key, 0, key.length))
            {
                return candidate;
            }
            slot = (slot + 1) & (table.length - 1);
        }
    }

    /**
     * @return a copy of key {@code id}'s UTF-8 bytes.
     */
    byte[] keyBytes(final int id)
    {
        return Arrays.copyOfRange(keyArena, keyOffsets[id], keyOffsets[id] + keyLengths[id]);
    }

    long keyHash(final int id)
    {
        return keyHashes[id];
    }

    int changeCount(final int id)
    {
        return changeCounts[id];
    }

    /**
     * @return the first change of key {@code id} (walk on with {@link #nextChange}).
     */
    int firstChange(final int id)
    {
        return firstChange[id];
    }

    /**
     * @return the change after {@code change} on the same key, or -1.
     */
    int nextChange(final int change)
    {
        return next[change];
    }

    long version(final int change)
    {
        return versions[change];
    }

    long timestamp(final int change)
    {
        return timestamps[change];
    }

    byte opCode(final int change)
    {
        return ops[change];
    }

    /**
     * Add key {@code id}'s changes with versions in {@code [from, to]} to {@code out}, oldest first.
     */
    void copyTo(final int id, final long from, final long to, final List<KeyHistory.Change> out)
    {
        for (int c = firstChange[id]; c != NONE; c = next[c])
        {
            if (versions[c] >= from && versions[c] <= to)
            {
                out.add(new KeyHistory.Change(versions[c], timestamps[c], OpType.fromCode(ops[c])));
            }
        }
    }

    /**
     * Add every key with an op in {@code [from, to]} to {@code out}.
     */
    void keysChangedIn(final long from, final long to, final Set<String> out)
    {
        for (int id = 0; id < keyCount; id++)
        {
            for (int c = firstChange[id]; c != NONE; c = next[c])
            {
                if (versions[c] >= from && versions[c] <= to)
                {
                    out.add(new String(keyArena, keyOffsets[id], keyLengths[id], StandardCharsets.UTF_8));
                    break;
                }
            }
        }
    }

    private int slotOf(final long hash)
    {
        return slotOf(hash, table.length);
    }

    private static int slotOf(final long hash, final int tableLength)
    {
        return (int)(hash ^ (hash >>> 32)) & (tableLength - 1);
    }

    private boolean sameKey(final int id, final DirectBuffer buffer, final int offset, final int length)
    {
        if (keyLengths[id] != length)
        {
            return false;
        }
        final int base = keyOffsets[id];
        for (int i = 0; i < length; i++)
        {
            if (keyArena[base + i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }

    private int newKey(final DirectBuffer buffer, final int offset, final int length, final long hash)
    {
        if (keyCount == keyOffsets.length)
        {
            final int capacity = keyCount * 2;
            keyOffsets = Arrays.copyOf(keyOffsets, capacity);
            keyLengths = Arrays.copyOf(keyLengths, capacity);
            keyHashes = Arrays.copyOf(keyHashes, capacity);
            firstChange = Arrays.copyOf(firstChange, capacity);
            lastChange = Arrays.copyOf(lastChange, capacity);
            changeCounts = Arrays.copyOf(changeCounts, capacity);
        }
        if (keyArenaUsed + length > keyArena.length)
        {
            keyArena = Arrays.copyOf(keyArena, Math.max(keyArena.length * 2, keyArenaUsed + length));
        }
        buffer.getBytes(offset, keyArena, keyArenaUsed, length);
        final int id = keyCount++;
        keyOffsets[id] = keyArenaUsed;
        keyLengths[id] = length;
        keyHashes[id] = hash;
        firstChange[id] = NONE;
        lastChange[id] = NONE;
        changeCounts[id] = 0;
        keyArenaUsed += length;
        return id;
    }

    private void addChange(final int key, final long version, final long timestampEpochNs, final byte opCode)
    {
        if (changeCount == versions.length)
        {
            final int capacity = changeCount * 2;
            versions = Arrays.copyOf(versions, capacity);
            timestamps = Arrays.copyOf(timestamps, capacity);
            ops = Arrays.copyOf(ops, capacity);
            next = Arrays.copyOf(next, capacity);
        }
        final int c = changeCount++;
        versions[c] = version;
        timestamps[c] = timestampEpochNs;
        ops[c] = opCode;
        next[c] = NONE;
        if (lastChange[key] == NONE)
        {
            firstChange[key] = c;
        }
        else
        {
            next[lastChange[key]] = c;
        }
        lastChange[key] = c;
        changeCounts[key]++;
    }

    private void growTable()
    {
        final int[] grown = new int[table.length * 2];
        for (int id = 0; id < keyCount; id++)
        {
            int slot = slotOf(keyHashes[id], grown.length);
            while (grown[slot] != 0)
            {
                slot = (slot + 1) & (grown.length - 1);
            }
            grown[slot] = id + 1;
        }
        table = grown;
    }
}
