package dev.engram.recovery.internal.history;

import dev.engram.journal.Journal;
import dev.engram.journal.JournalException;
import dev.engram.journal.JournalReader;
import dev.engram.recovery.CheckpointException;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.HistoryRange;
import dev.engram.recovery.StateContext;
import dev.engram.recovery.StateSnapshot;
import dev.engram.recovery.VersionUnavailableException;
import dev.engram.recovery.internal.checkpoint.CheckpointFileChecks;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import dev.engram.recovery.internal.checkpoint.KeyLocation;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which past versions stay reachable, and what may be removed. Three rules, each a lower bound on what is
 * kept; a file or journal cycle goes only when none of them needs it:
 * <ol>
 *     <li>recovery: the newest chain, {@link StateContext#keepOlderChains()} older ones (the fallbacks, decided by
 *     the {@code Checkpointer}) and the journal after each kept chain's newest file;</li>
 *     <li>the history window ({@link StateContext#historyVersions()}, {@link StateContext#historyDurationMs()}):
 *     every chain with a file at or after the window's start, the chain holding the newest file at or before it
 *     (the base {@code stateAt} of the window's start replays from), and the journal after that file;</li>
 *     <li>open {@link StateSnapshot}s: each pins its chain's files and the journal from its base.</li>
 * </ol>
 * The live store adds the oldest base a state generation still in use stands on (its overlay points into the
 * journal after it).
 * <p>
 * Thread-safe. Choosing a snapshot's base and registering its pin happen under the same lock as the
 * decisions to delete, and a chain refused here is marked doomed before its files are deleted, so a snapshot
 * never starts on a file that is going away.
 */
public final class HistoryRetention
{
    /** What an open snapshot (or a live backup) holds: its chain's files and the journal from {@code journalFromVersion}. */
    public static final class Pin
    {
        private final long version;
        private final CheckpointInfo head;
        private final List<Path> files;
        private final long journalFromVersion;

        private Pin(final long version, final CheckpointInfo head, final List<Path> files, final long journalFromVersion)
        {
            this.version = version;
            this.head = head;
            this.files = List.copyOf(files);
            this.journalFromVersion = journalFromVersion;
        }

        public long version()
        {
            return version;
        }

        /**
         * @return the chain head to open, or null to replay from version 1.
         */
        public CheckpointInfo head()
        {
            return head;
        }

        public List<Path> files()
        {
            return files;
        }

        public long journalFromVersion()
        {
            return journalFromVersion;
        }
    }

    private final StateContext ctx;
    private final Journal journal;
    private final Map<Path, CheckpointInfo> infos = new ConcurrentHashMap<>();
    private final Set<Pin> pins = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<Path> doomed = new HashSet<>();
    private volatile JournalException windowFailure;

    HistoryRetention(final StateContext ctx, final Journal journal)
    {
        this.ctx = ctx;
        this.journal = journal;
    }

    private final java.util.concurrent.locks.ReentrantReadWriteLock followerReads = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private volatile long trims;

    /** The first version the history follower has yet to read, while it runs (else {@code Long.MAX_VALUE}). */
    private volatile java.util.function.LongSupplier followerNext = () -> Long.MAX_VALUE;

    /**
     * @param followerNext the first version the history follower has yet to read while it runs, else
     *                     {@code Long.MAX_VALUE}: with a history window configured, {@link #trimJournal} never removes
     *                     a cycle holding it (a follower that lagged past the window, on a loaded machine, met the
     *                     versions removed under it as a "version gap" and stopped). Without a window it does not hold
     *                     the journal: a follower whose next version is removed goes on from the journal's first.
     */
    void holdJournalFor(final java.util.function.LongSupplier followerNext)
    {
        this.followerNext = followerNext;
    }

    /**
     * @return what {@code stateAt} can rebuild now.
     */
    synchronized HistoryRange range()
    {
        return range(listInfos(), firstJournalVersion(), journal.writtenVersion());
    }

    /**
     * Choose the base for the state at {@code version} — the newest readable checkpoint at or before it whose
     * journal continues after it — and pin it and the journal after it until {@link #unpin}.
     *
     * @param version         the version wanted.
     * @param rejectedHeadIds heads that already failed to open (damaged): not chosen again.
     * @return the pin.
     * @throws VersionUnavailableException if the version is outside {@link #range()}.
     * @throws CheckpointException         if it is inside but every checkpoint that could serve it was rejected.
     */
    synchronized Pin pin(final long version, final Map<Long, String> rejectedHeadIds)
    {
        final long written = journal.writtenVersion();
        final long first = firstJournalVersion();
        final List<CheckpointInfo> files = listInfos();
        final HistoryRange range = range(files, first, written);
        if (!range.contains(version))
        {
            throw new VersionUnavailableException("version=" + version + " is not available", version, range);
        }
        final Map<Long, CheckpointInfo> byId = new HashMap<>();
        for (final CheckpointInfo info : files)
        {
            byId.put(info.checkpointId(), info);
        }
        while (true)
        {
            CheckpointInfo best = null;
            for (final CheckpointInfo info : files)
            {
                final long stateVersion = info.stateVersion();
                if (stateVersion <= version && stateVersion >= range.firstJournalVersion() - 1 &&
                    !rejectedHeadIds.containsKey(info.checkpointId()) &&
                    (best == null || stateVersion > best.stateVersion() ||
                    (stateVersion == best.stateVersion() && info.checkpointId() > best.checkpointId())))
                {
                    best = info;
                }
            }
            if (best == null)
            {
                if (range.firstJournalVersion() <= 1)
                {
                    return register(new Pin(version, null, List.of(), 1));
                }
                throw new CheckpointException("no usable checkpoint for version=" + version + " in " +
                    ctx.checkpointDirectory() + ": rejected " + rejectedHeadIds + "; run `engram verify " +
                    ctx.directory() + "`");
            }
            final List<Path> members = members(best, byId);
            if (members == null)
            {
                rejectedHeadIds.put(best.checkpointId(), "a member of its chain is missing or unreadable");
                continue;
            }
            return register(new Pin(version, best, members, best.stateVersion() + 1));
        }
    }

    /**
     * {@link #pin} for a live backup: the chain at or before {@code version} and the journal after it stay until
     * {@link #release}.
     *
     * @throws VersionUnavailableException if the version is outside {@link #range()}.
     */
    public Pin pinForBackup(final long version)
    {
        return pin(version, new HashMap<>());
    }

    /** End a {@link #pinForBackup}. */
    public void release(final Pin pin)
    {
        unpin(pin);
    }

    /**
     * Pin the journal from {@code fromVersion} (or its first version, if later) for a scan.
     *
     * @return the pin; {@link Pin#journalFromVersion()} is where the journal starts for the scan, and
     * {@link Pin#version()} the written version when pinned.
     */
    synchronized Pin pinJournal(final long fromVersion)
    {
        final long written = journal.writtenVersion();
        final long first = firstJournalVersion();
        return register(new Pin(written, null, List.of(), Math.max(fromVersion, first < 1 ? written + 1 : first)));
    }

    private Pin register(final Pin pin)
    {
        pins.add(pin);
        return pin;
    }

    synchronized void unpin(final Pin pin)
    {
        pins.remove(pin);
    }

    public synchronized int pinCount()
    {
        return pins.size();
    }

    /**
     * Retention hook of the {@code Checkpointer}: asked for each chain its own rule would delete.
     *
     * @param chainFiles the files of one chain (same base).
     * @return true to keep them; false means they are about to be deleted (they are no longer offered to
     * snapshots from now on).
     */
    public boolean retainsChain(final List<Path> chainFiles)
    {
        final long windowStart = windowStart();
        synchronized (this)
        {
            for (final Pin pin : pins)
            {
                for (final Path file : chainFiles)
                {
                    if (pin.files.contains(file))
                    {
                        return true;
                    }
                }
            }
            final CheckpointInfo nearest = newestAtOrBefore(listInfos(), windowStart);
            for (final Path file : chainFiles)
            {
                final CheckpointInfo info = infos.get(file);
                if (info != null && (info.stateVersion() >= windowStart ||
                    (nearest != null && info.checkpointId() == nearest.checkpointId())))
                {
                    return true;
                }
            }
            doomed.addAll(chainFiles);
            return false;
        }
    }

    /**
     * Retention hook of the {@code Checkpointer}, after its chain retention: remove journal cycles no rule needs.
     *
     * @param oldestLiveBaseVersion the oldest base version a live state generation still stands on.
     * @return journal cycle files removed.
     */
    public int trimJournal(final long oldestLiveBaseVersion)
    {
        final long windowStart = windowStart();
        // never while the history follower reads: it checks, holding the read side, whether a trim removed its next
        // version and then goes on from the journal's first instead of reading on into removed cycle files (Chronicle
        // logs an ERROR for a cycle deleted under a tailer)
        followerReads.writeLock().lock();
        try
        {
            synchronized (this)
            {
                final long keepFrom = keepFrom(windowStart, oldestLiveBaseVersion);
                final int removed = keepFrom > 1 ? journal.truncateBefore(keepFrom) : 0;
                if (removed > 0)
                {
                    trims++;
                }
                return removed;
            }
        }
        finally
        {
            followerReads.writeLock().unlock();
        }
    }

    /**
     * @return held (read side) by the history follower while it reads the journal: {@link #trimJournal} removes no
     *         file meanwhile.
     */
    java.util.concurrent.locks.Lock followerReadLock()
    {
        return followerReads.readLock();
    }

    /**
     * @return how many trims removed cycle files so far (the follower re-checks the journal's first version after each).
     */
    long trims()
    {
        return trims;
    }

    /**
     * @param oldestLiveBaseVersion the oldest base version a live state generation still stands on.
     * @return the first journal version some rule needs now (kept chains, the history window, pins, live generations,
     * the history follower): {@link #trimJournal} removes the cycle files wholly before it.
     */
    public long journalKeepFrom(final long oldestLiveBaseVersion)
    {
        final long windowStart = windowStart();
        synchronized (this)
        {
            return keepFrom(windowStart, oldestLiveBaseVersion);
        }
    }

    private long keepFrom(final long windowStart, final long oldestLiveBaseVersion)
    {
        doomed.removeIf(file -> !Files.exists(file));
        final List<CheckpointInfo> files = listInfos();
        final CheckpointInfo nearest = newestAtOrBefore(files, windowStart);
        long keepFrom = nearest == null ? 1 : nearest.stateVersion() + 1;
        final Map<Long, Long> newestByBase = new HashMap<>();
        for (final CheckpointInfo info : files)
        {
            newestByBase.merge(info.baseId(), info.stateVersion(), Math::max);
        }
        for (final long newest : newestByBase.values())
        {
            keepFrom = Math.min(keepFrom, newest + 1);
        }
        for (final Pin pin : pins)
        {
            keepFrom = Math.min(keepFrom, pin.journalFromVersion);
        }
        keepFrom = Math.min(keepFrom, oldestLiveBaseVersion + 1);
        // the follower holds the journal only inside a history window (where its index must be complete); without
        // one, a follower that lags a flat-out producer (it runs at a low priority) held every cycle file from its
        // position on: 4.5 GB of journal for a 20 MiB state after 10 M updates (bench disk). It jumps to the journal's
        // first version instead (HistoryFollower)
        return windowConfigured() ? Math.min(keepFrom, followerNext.getAsLong()) : keepFrom;
    }

    private boolean windowConfigured()
    {
        return ctx.historyVersions() > 0 || ctx.historyDurationMs() > 0;
    }

    /**
     * @return the oldest version the history window promises to keep reachable (the written version when
     * no window is configured).
     */
    public long windowStart()
    {
        final long written = journal.writtenVersion();
        long start = written;
        if (ctx.historyVersions() > 0)
        {
            start = Math.min(start, Math.max(0, written - ctx.historyVersions()));
        }
        if (ctx.historyDurationMs() > 0)
        {
            final long durationNs = ctx.historyDurationMs() > Long.MAX_VALUE / 1_000_000 ?
                Long.MAX_VALUE : ctx.historyDurationMs() * 1_000_000;
            final long now = ctx.historyEpochNsClock().getAsLong();
            final long since = now - durationNs > now ? Long.MIN_VALUE : now - durationNs;
            try (JournalTimestamps timestamps = new JournalTimestamps(journal))
            {
                final long first = timestamps.firstVersion();
                final long found = timestamps.lastVersionAtOrBefore(since, first, written);
                // an instant before the journal's first frame: all the journal holds is inside the window
                start = Math.min(start, found == JournalTimestamps.BEFORE_FIRST ? Math.max(0, first - 1) : found);
                windowFailure = null;
            }
            catch (final JournalException ex)
            {
                // a damaged frame where the search looked: keep everything (never remove what the window may
                // need) and say why in windowFailure(); the live store goes on
                windowFailure = ex;
                start = 0;
            }
        }
        return start;
    }

    /**
     * @return why the last window by time could not be computed (then nothing was removed for it), or null.
     */
    JournalException windowFailure()
    {
        return windowFailure;
    }

    private static CheckpointInfo newestAtOrBefore(final List<CheckpointInfo> files, final long version)
    {
        CheckpointInfo nearest = null;
        for (final CheckpointInfo info : files)
        {
            if (info.stateVersion() <= version && (nearest == null || info.stateVersion() > nearest.stateVersion() ||
                (info.stateVersion() == nearest.stateVersion() && info.checkpointId() > nearest.checkpointId())))
            {
                nearest = info;
            }
        }
        return nearest;
    }

    private static HistoryRange range(final List<CheckpointInfo> files, final long first, final long written)
    {
        final long firstJournal = first < 1 ? written + 1 : first;
        if (firstJournal <= 1)
        {
            return new HistoryRange(0, written, firstJournal);
        }
        final Map<Long, CheckpointInfo> byId = new HashMap<>();
        for (final CheckpointInfo info : files)
        {
            byId.put(info.checkpointId(), info);
        }
        long oldest = written + 1;
        for (final CheckpointInfo info : files)
        {
            final long stateVersion = info.stateVersion();
            // a delta whose chain lost a member (a crash in the middle of deleting a chain) serves nothing
            if (stateVersion <= written && stateVersion >= firstJournal - 1 && members(info, byId) != null)
            {
                oldest = Math.min(oldest, stateVersion);
            }
        }
        return new HistoryRange(oldest, written, firstJournal);
    }

    /**
     * @return the chain's files base first, or null if a member is missing or unreadable.
     */
    private static List<Path> members(final CheckpointInfo head, final Map<Long, CheckpointInfo> byId)
    {
        final List<Path> files = new ArrayList<>();
        CheckpointInfo info = head;
        while (true)
        {
            files.add(0, info.path());
            if (!info.isDelta())
            {
                return files;
            }
            info = byId.get(info.parentId());
            if (info == null || files.size() > KeyLocation.MAX_CHAIN_ORDINAL + 1)
            {
                return null;
            }
        }
    }

    /**
     * @return the journal's first version now (its reader's).
     */
    long journalFirstVersion()
    {
        return firstJournalVersion();
    }

    private long firstJournalVersion()
    {
        try (JournalReader reader = journal.newReader())
        {
            return reader.firstVersion();
        }
    }

    /**
     * @return the published checkpoints not about to be deleted (the history anchors' heads).
     */
    synchronized List<CheckpointInfo> publishedCheckpoints()
    {
        return listInfos();
    }

    /**
     * @return headers of the published checkpoints not about to be deleted; unreadable ones are left out
     * (recovery and the checkpointer report damaged files; history never serves them).
     */
    private List<CheckpointInfo> listInfos()
    {
        final List<Path> listed = CheckpointFiles.listCheckpoints(ctx.checkpointDirectory());
        infos.keySet().retainAll(new HashSet<>(listed));
        final List<CheckpointInfo> result = new ArrayList<>();
        for (final Path file : listed)
        {
            if (doomed.contains(file))
            {
                continue;
            }
            CheckpointInfo info = infos.get(file);
            if (info == null)
            {
                try
                {
                    info = CheckpointFileChecks.readInfo(file);
                }
                catch (final RuntimeException ex)
                {
                    continue;
                }
                infos.put(file, info);
            }
            result.add(info);
        }
        return result;
    }
}
