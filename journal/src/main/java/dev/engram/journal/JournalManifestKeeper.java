package dev.engram.journal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Keeps an open journal's manifest ({@link JournalManifest}) true, off the per-frame path: the writer thread
 * reports a new cycle when its first frame is written ({@link #cycleStarted}, a queue offer, once per roll); the sync
 * thread lists it once that frame is forced to disk ({@link #recordStarted}), recording the previous cycle's last
 * version at the same time; retention unlists cycles before it deletes their files ({@link #removeCycles}); a clean
 * close records the last written version ({@link #recordClose}). Each change rewrites the file durably.
 */
final class JournalManifestKeeper
{
    private record Started(int cycle, long firstVersion)
    {
    }

    private final Path directory;
    private final ConcurrentLinkedQueue<Started> started = new ConcurrentLinkedQueue<>();
    private JournalManifest current;   // guarded by this
    /**
     * The newest cycle retention unlisted (guarded by this): a started cycle at or before it is never listed by a sync
     * thread that runs behind retention — it would list a file retention deletes (a false loss at the next open).
     */
    private int removedThrough = Integer.MIN_VALUE;

    JournalManifestKeeper(final Path directory, final JournalManifest opened)
    {
        this.directory = directory;
        this.current = opened;
    }

    /**
     * @return the newest listed cycle, or Integer.MIN_VALUE if none.
     */
    synchronized int newestCycle()
    {
        final JournalManifest.Entry newest = current.newest();
        return newest == null ? Integer.MIN_VALUE : newest.cycle();
    }

    synchronized JournalManifest current()
    {
        return current;
    }

    /**
     * Writer thread: the frame of {@code firstVersion} is the first written into {@code cycle}.
     */
    void cycleStarted(final int cycle, final long firstVersion)
    {
        started.offer(new Started(cycle, firstVersion));
    }

    /**
     * @return the first version of the oldest cycle started and not listed yet, or Long.MAX_VALUE if none.
     */
    long pendingFirstVersion()
    {
        final Started next = started.peek();
        return next == null ? Long.MAX_VALUE : next.firstVersion;
    }

    /**
     * Sync thread: list every started cycle whose first frame is forced to disk.
     *
     * @param syncedVersion versions up to it are forced (and the cycle files and directory with them).
     */
    void recordStarted(final long syncedVersion)
    {
        if (pendingFirstVersion() > syncedVersion)
        {
            return;
        }
        synchronized (this)
        {
            final List<JournalManifest.Entry> entries = new ArrayList<>(current.entries());
            Started next;
            while ((next = started.peek()) != null && next.firstVersion <= syncedVersion)
            {
                started.poll();
                if (next.cycle <= removedThrough)
                {
                    continue;   // retention went past it before the sync thread got to list it: its file is gone
                }
                final int newest = entries.size() - 1;
                if (newest >= 0 && entries.get(newest).cycle() >= next.cycle)
                {
                    continue;   // listed already (or the clock went back: the queue keeps writing the newest cycle)
                }
                if (newest >= 0)
                {
                    final JournalManifest.Entry previous = entries.get(newest);
                    entries.set(newest, new JournalManifest.Entry(previous.cycle(), previous.firstVersion(), next.firstVersion - 1));
                }
                entries.add(new JournalManifest.Entry(next.cycle, next.firstVersion, 0));
            }
            update(entries);
        }
    }

    /**
     * Retention: unlist cycles before their files are deleted (a crash in between leaves files the next open
     * lists again, never a listed file that is gone).
     */
    synchronized void removeCycles(final Collection<Integer> cycles)
    {
        final List<JournalManifest.Entry> entries = new ArrayList<>(current.entries());
        entries.removeIf(entry -> cycles.contains(entry.cycle()));
        for (final int cycle : cycles)
        {
            removedThrough = Math.max(removedThrough, cycle);
        }
        update(entries);
    }

    /**
     * Clean close, after the last force: the newest cycle holds at least up to {@code lastVersion}.
     * Skipped if started cycles are still unlisted (the sync thread failed).
     */
    synchronized void recordClose(final long lastVersion)
    {
        final JournalManifest.Entry newest = current.newest();
        if (!started.isEmpty() || newest == null || lastVersion < newest.firstVersion() || lastVersion <= newest.lastVersion())
        {
            return;
        }
        final List<JournalManifest.Entry> entries = new ArrayList<>(current.entries());
        entries.set(entries.size() - 1, new JournalManifest.Entry(newest.cycle(), newest.firstVersion(), lastVersion));
        update(entries);
    }

    private void update(final List<JournalManifest.Entry> entries)
    {
        final JournalManifest next = new JournalManifest(current.rollCycleLengthMs(), entries);
        if (!next.equals(current))
        {
            next.write(directory);
            current = next;
        }
    }
}
