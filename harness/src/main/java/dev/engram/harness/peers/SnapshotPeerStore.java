package dev.engram.harness.peers;

import dev.engram.harness.recovery.SnapshotFile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The naive baseline: the state is a {@code HashMap<String, byte[]>} on the heap; a put is a map update
 * (under a lock); a background thread, {@code everyMs} after the end of its previous save, copies the map
 * (shallow, under the same lock: the pause writers see) and saves the copy whole with {@link SnapshotFile}.
 * Acknowledged = in the map; what a crash loses is every put after the copy of the last published save.
 */
final class SnapshotPeerStore implements PeerStore
{
    private final Object lock = new Object();
    private final Map<String, byte[]> state;
    private final Path dir;
    private final ScheduledExecutorService saver;
    private final List<Long> saveNs = Collections.synchronizedList(new ArrayList<>());
    private volatile long version;
    private volatile long savedVersion;
    private volatile long savedKeys;
    private volatile long maxCopyPauseNs;
    private volatile long lastFileBytes;
    private volatile Throwable failure;

    private SnapshotPeerStore(final Path dir, final int keyCount, final long everyMs)
    {
        this.dir = dir;
        this.state = new HashMap<>(keyCount * 4 / 3 + 1);
        this.saver = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread thread = new Thread(r, "snapshot-saver");
            thread.setDaemon(true);
            return thread;
        });
        saver.scheduleWithFixedDelay(this::saveOnce, everyMs, everyMs, TimeUnit.MILLISECONDS);
    }

    static SnapshotPeerStore open(final Path dir, final int keyCount, final long everyMs)
    {
        return new SnapshotPeerStore(dir, keyCount, everyMs);
    }

    @Override
    public void put(final CharSequence key, final byte[] value)
    {
        final String k = key.toString();
        final byte[] v = value.clone();
        synchronized (lock)
        {
            state.put(k, v);
            version++;
        }
    }

    private void saveOnce()
    {
        try
        {
            final long startNs = System.nanoTime();
            final Map<String, byte[]> copy;
            final long copyVersion;
            synchronized (lock)
            {
                copy = new HashMap<>(state); // values are never mutated after a put: a shallow copy is a consistent state
                copyVersion = version;
            }
            maxCopyPauseNs = Math.max(maxCopyPauseNs, System.nanoTime() - startNs);
            lastFileBytes = SnapshotFile.save(dir.resolve(SnapshotFile.NAME), copy, copyVersion);
            savedVersion = copyVersion;
            savedKeys = copy.size();
            saveNs.add(System.nanoTime() - startNs);
        }
        catch (final Throwable ex)
        {
            failure = ex;
            throw new IllegalStateException("snapshot save failed", ex);
        }
    }

    @Override
    public long loaded()
    {
        return 0;
    }

    @Override
    public long awaitAcknowledged()
    {
        if (failure != null)
        {
            throw new IllegalStateException("snapshot saver failed: " + failure, failure);
        }
        return version;
    }

    @Override
    public Map<String, Object> diagnostics()
    {
        final List<Long> saves;
        synchronized (saveNs)
        {
            saves = new ArrayList<>(saveNs);
        }
        Collections.sort(saves);
        final Map<String, Object> map = new LinkedHashMap<>();
        map.put("saves", saves.size());
        map.put("saveMedianNs", saves.isEmpty() ? -1 : saves.get((saves.size() - 1) / 2));
        map.put("saveMaxNs", saves.isEmpty() ? -1 : saves.get(saves.size() - 1));
        map.put("maxCopyPauseNs", maxCopyPauseNs);
        map.put("savedVersion", savedVersion);
        map.put("savedKeys", savedKeys);
        map.put("snapshotFileBytes", lastFileBytes);
        return map;
    }
}
