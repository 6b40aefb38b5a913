package dev.engram.recovery.internal.history;

import dev.engram.journal.DeltaFrame;
import dev.engram.journal.Journal;
import dev.engram.journal.internal.ThreadScheduling;
import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.journal.JournalReader;
import dev.engram.journal.ReplayResult;
import dev.engram.journal.internal.Utf8;
import dev.engram.recovery.CheckpointCompression;
import dev.engram.recovery.CheckpointException;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.HistoryRange;
import dev.engram.recovery.KeyHistory;
import dev.engram.recovery.StateContext;
import dev.engram.recovery.StateDiff;
import dev.engram.recovery.StateSnapshot;
import dev.engram.recovery.VersionUnavailableException;
import dev.engram.recovery.internal.chain.ChainFiles;
import dev.engram.recovery.internal.chain.CheckpointBuilder;
import dev.engram.recovery.internal.checkpoint.CheckpointWriter;
import dev.engram.recovery.internal.checkpoint.CheckpointWriterContext;
import dev.engram.recovery.internal.checkpoint.CheckpointEntryDescriptor;
import dev.engram.recovery.internal.checkpoint.MappedCheckpoint;
import dev.engram.recovery.internal.overlay.Overlay;
import dev.engram.recovery.internal.overlay.StateView;
import dev.engram.recovery.internal.overlay.TailIndexer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * The store's version history: past states ({@link #stateAt(long)}), a key's changes ({@link #history}),
 * differences between versions ({@link #diff}), named versions ({@link VersionTags}) and the retention that
 * decides how far back all of this reaches ({@link HistoryRetention}). Everything here reads immutable
 * inputs — checkpoint files it maps itself and journal frames already written — so the live applier and
 * checkpointer are never paused or shared with. Thread-safe.
 */
public final class VersionHistory implements AutoCloseable
{
    private final StateContext ctx;
    private final Journal journal;
    private final HistoryRetention retention;
    private final VersionTags tags;
    private final Set<StateSnapshot> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;
    /** The per-key index and anchors, with the thread following the journal for them; null when off. */
    private final KeyHistoryIndex keyIndex;
    private final HistoryAnchors anchors;
    private final java.util.concurrent.atomic.AtomicLong diffFramesScanned = new java.util.concurrent.atomic.AtomicLong();
    private final dev.engram.recovery.internal.ordered.SortedKeysCache sortedKeys =
        new dev.engram.recovery.internal.ordered.SortedKeysCache();
    private final HistoryFollower follower;
    private final Thread followerThread;

    public VersionHistory(final StateContext ctx, final Journal journal)
    {
        this(ctx, journal, what -> {});
    }

    /**
     * @param onRepair told when the version-tags file or its mirror was restored from the other.
     */
    public VersionHistory(final StateContext ctx, final Journal journal, final java.util.function.Consumer<String> onRepair)
    {
        this(ctx, journal, onRepair, () -> { });
    }

    /**
     * @param onRepair     told when the version-tags file or its mirror was restored from the other.
     * @param followerStep run by the history follower before each read (a test hook; does nothing otherwise).
     */
    public VersionHistory(final StateContext ctx, final Journal journal, final java.util.function.Consumer<String> onRepair,
        final Runnable followerStep)
    {
        this.ctx = ctx;
        this.journal = journal;
        this.retention = new HistoryRetention(ctx, journal);
        this.tags = new VersionTags(ctx.directory(), ctx.checkpointDirectory(), onRepair);
        if (ctx.historyIndex())
        {
            final java.util.function.Consumer<String> report = what ->
            {
                LOG.warn("{}", what);
                onRepair.accept(what);
            };
            this.keyIndex = new KeyHistoryIndex(ctx.directory().resolve(KeyIndexSegmentDescriptor.DIRECTORY_NAME),
                ctx.historyIndexSegmentVersions(), report);
            this.anchors = ctx.historyAnchorEveryFrames() <= 0 ? null :
                new HistoryAnchors(ctx.directory().resolve(HistoryAnchors.DIRECTORY_NAME), ctx.historyAnchorEveryFrames(),
                    retention::publishedCheckpoints, journal::writtenVersion, retention::journalFirstVersion, report);
            if (anchors != null)
            {
                anchors.builder(this::buildAnchor);
            }
            this.follower = new HistoryFollower(journal, retention, keyIndex, anchors, ctx.historyIndexSegmentVersions(), report,
                followerStep);
            final HistoryFollower running = follower;
            final KeyHistoryIndex indexed = keyIndex;
            retention.holdJournalFor(() -> running.holdsJournal() ? Math.max(1, indexed.indexedThrough() + 1) : Long.MAX_VALUE);
            this.followerThread = new Thread(ThreadScheduling.loweredTo(ctx.backgroundPriority(), follower),
                "engram-history");
            followerThread.setDaemon(true);
            followerThread.start();
        }
        else
        {
            this.keyIndex = null;
            this.anchors = null;
            this.follower = null;
            this.followerThread = null;
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VersionHistory.class);

    /**
     * @return how often the history follower went on from the journal's first version because retention had removed
     *         versions it had yet to read (0 when the index is off).
     */
    public long followerJumps()
    {
        return follower == null ? 0 : follower.jumps();
    }

    /**
     * Wait until the background follower has indexed the journal up to {@code version} (nothing left to rebuild)
     * and built the history anchors due up to it
     * (true at once when the index is off).
     *
     * @return false if it had not within the timeout, or has stopped.
     */
    public boolean awaitIndexed(final long version, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        return keyIndex == null || (keyIndex.awaitIndexed(version, () -> range().firstJournalVersion(), timeoutMs) &&
            follower.awaitAnchors(version, Math.max(1, deadline - System.currentTimeMillis())));
    }

    /**
     * @return journal frames {@code history(key)} has scanned because the index did not cover them (0 when every
     * answer came from the index), -1 when the index is off.
     */
    public long historyFramesScanned()
    {
        return keyIndex == null ? -1 : keyIndex.framesScanned();
    }

    /**
     * @return key-index segments dropped (damaged, stale) since open, -1 when the index is off.
     */
    public long historyIndexSegmentsDropped()
    {
        return keyIndex == null ? -1 : keyIndex.segmentsDropped();
    }

    /**
     * @return the follower's progress in words (diagnostics for tests and support: what a wait for the index waits on).
     */
    public String describeFollower()
    {
        if (keyIndex == null)
        {
            return "history index off";
        }
        final long firstJournal = range().firstJournalVersion();
        return "indexedThrough=" + keyIndex.indexedThrough() + " firstJournal=" + firstJournal + " firstGap=" +
            keyIndex.firstGap(Math.max(1, firstJournal), Long.MAX_VALUE - 1) + " " + keyIndex.describeRun() +
            " anchorsCompleteThrough=" + follower.anchorsCompleteThrough() + " followerAlive=" + followerThread.isAlive() +
            " failure=" + follower.failure();
    }

    /**
     * @return why the follower stopped, or null.
     */
    public Throwable historyFollowerFailure()
    {
        return follower == null ? null : follower.failure();
    }

    public HistoryRetention retention()
    {
        return retention;
    }

    public HistoryRange range()
    {
        return retention.range();
    }

    /**
     * The state at {@code version}: the nearest usable checkpoint chain at or before it, mapped anew, plus the
     * journal after it replayed into a private overlay. A chain that turns out damaged (at open, or when a
     * PATCH reads one of its blocks) is skipped for the next older one.
     */
    /**
     * @return the sorted keys of the chains this store read in order (the live store's and the snapshots').
     */
    public dev.engram.recovery.internal.ordered.SortedKeysCache sortedKeysCache()
    {
        return sortedKeys;
    }

    /**
     * @return journal frames {@code diff} read to find the keys its ranges touched (the rest came from the key
     * history index), since open.
     */
    public long diffFramesScanned()
    {
        return diffFramesScanned.get();
    }

    public StateSnapshot stateAt(final long version)
    {
        awaitCommittedWritten(version);
        final Map<Long, String> rejected = new HashMap<>();
        while (true)
        {
            final HistoryRetention.Pin pin = retention.pin(version, rejected);
            try
            {
                return build(pin);
            }
            catch (final CheckpointException ex)
            {
                retention.unpin(pin);
                if (pin.head() == null)
                {
                    throw ex;
                }
                rejected.put(pin.head().checkpointId(), ex.getMessage());
            }
            catch (final RuntimeException | Error ex)
            {
                retention.unpin(pin);
                throw ex;
            }
        }
    }

    /** A past state's parts, before they become a {@link StateSnapshot} (or an anchor). */
    private record Materialised(ChainFiles chain, JournalMappedFiles journalFiles, Overlay overlay, long frames,
        long timestamp)
    {
        void close()
        {
            overlay.close();
            if (chain != null)
            {
                chain.close();
            }
            journalFiles.close();
        }
    }

    private StateSnapshot build(final HistoryRetention.Pin pin)
    {
        final Materialised state = materialise(pin);
        try
        {
            final StateSnapshot snapshot = new StateSnapshot(pin.version(), state.timestamp(), state.chain(), state.overlay(),
                state.journalFiles(), state.frames(), closedSnapshot -> onClosed(closedSnapshot, pin));
            synchronized (open)
            {
                if (closed)
                {
                    throw new IllegalStateException("state store is closed: directory=" + ctx.directory());
                }
                open.add(snapshot);
            }
            return snapshot;
        }
        catch (final RuntimeException | Error ex)
        {
            state.close();
            throw ex;
        }
    }

    /**
     * Map the pinned chain plus the history anchors on it up to the version, and replay the journal after them.
     */
    private Materialised materialise(final HistoryRetention.Pin pin)
    {
        final long version = pin.version();
        ChainFiles chain = null;
        JournalMappedFiles journalFiles = null;
        Overlay overlay = null;
        long replayFrom = pin.journalFromVersion();
        try
        {
            if (pin.head() != null)
            {
                final List<MappedCheckpoint> files = new ArrayList<>();
                try
                {
                    for (final java.nio.file.Path file : pin.files())
                    {
                        files.add(MappedCheckpoint.open(file));
                    }
                }
                catch (final RuntimeException ex)
                {
                    files.forEach(MappedCheckpoint::close);
                    throw ex instanceof CheckpointException ? ex : new CheckpointException(ex.getMessage(), ex);
                }
                replayFrom = openAnchors(pin, files, replayFrom);
                chain = new ChainFiles(files).sortedKeysCache(sortedKeys);
            }
            else if (anchors != null)
            {
                // no checkpoint at or before the version: anchors on the empty state, if any
                final List<MappedCheckpoint> files = new ArrayList<>();
                replayFrom = openAnchors(pin, files, replayFrom);
                chain = files.isEmpty() ? null : new ChainFiles(files).sortedKeysCache(sortedKeys);
            }
            journalFiles = journal.newMappedFiles();
            overlay = new Overlay(1024, journalFiles);
            final TailIndexer indexer = new TailIndexer(overlay, chain == null ? StateView.EMPTY : chain);
            final long[] timestamp = {-1};
            long frames = 0;
            if (version >= replayFrom)
            {
                try (JournalReader reader = journal.newReader())
                {
                    final long from = replayFrom;
                    // paced where the process has one CPU (an anchor build on the follower's thread, a stateAt on a
                    // caller's: BackgroundPacing.forThread is only paced there)
                    final dev.engram.journal.internal.BackgroundPacing pacing = dev.engram.journal.internal.BackgroundPacing.forThread();
                    final ReplayResult result = reader.replay(from, version, frame ->
                    {
                        indexer.onFrame(frame);
                        timestamp[0] = frame.timestampEpochNs();
                        pacing.tick();
                    });
                    if (result.lastVersion() != version)
                    {
                        throw new IllegalStateException("journal replay for version=" + version + " from version=" +
                            from + " ended at version=" + result.lastVersion() + ": " + result);
                    }
                    frames = result.framesDelivered();
                }
            }
            else if (version > 0)
            {
                // straight from a checkpoint: its version's timestamp, if the journal still holds that frame
                try (JournalTimestamps timestamps = new JournalTimestamps(journal))
                {
                    timestamp[0] = version >= timestamps.firstVersion() && timestamps.firstVersion() > 0 ?
                        timestamps.timestampOf(version) : -1;
                }
            }
            return new Materialised(chain, journalFiles, overlay, frames, timestamp[0]);
        }
        catch (final RuntimeException | Error ex)
        {
            if (overlay != null)
            {
                overlay.close();
            }
            if (chain != null)
            {
                chain.close();
            }
            if (journalFiles != null)
            {
                journalFiles.close();
            }
            throw ex;
        }
    }

    /**
     * Open the history anchors of the pinned head up to the version onto {@code files}; an anchor that fails to open
     * is rejected (reported, deleted with those above it) and the replay starts after the last one that opened.
     *
     * @return the first version to replay.
     */
    private long openAnchors(final HistoryRetention.Pin pin, final List<MappedCheckpoint> files, final long replayFrom)
    {
        if (anchors == null)
        {
            return replayFrom;
        }
        long from = replayFrom;
        for (final CheckpointInfo anchor : anchors.chainFor(pin.head(), pin.version()))
        {
            MappedCheckpoint mapped = null;
            try
            {
                mapped = MappedCheckpoint.open(anchor.path());
                if (!anchors.isVerified(anchor.path()))
                {
                    mapped.verifyAllBlocks();   // once per process: reads never meet a damaged anchor block
                    anchors.markVerified(anchor.path());
                }
                files.add(mapped);
                from = anchor.stateVersion() + 1;
            }
            catch (final RuntimeException ex)
            {
                if (mapped != null)
                {
                    mapped.close();
                }
                anchors.reject(anchor, pin.head(), ex.getMessage());
                break;
            }
        }
        return from;
    }

    /**
     * The follower's anchor build: the state at {@code version} (on {@code head}'s chain and its anchors up to
     * {@code top}), its changes since {@code top} written as a delta of {@code top} into {@code folder}.
     */
    private void buildAnchor(final CheckpointInfo head, final CheckpointInfo top, final long version,
        final java.nio.file.Path folder, final long anchorId)
    {
        final HistoryRetention.Pin pin = retention.pin(version, new HashMap<>());
        try
        {
            if (pin.head() == null ? head != null : head == null || pin.head().checkpointId() != head.checkpointId())
            {
                return;   // another checkpoint serves this version now: its anchors are built next
            }
            final Materialised state = materialise(pin);
            try
            {
                final long chainTop = state.chain() == null ? 0 : state.chain().head().info().checkpointId();
                if (chainTop != (top == null ? 0 : top.checkpointId()))
                {
                    return;   // an anchor below failed to open and was rejected: rebuilt from there next
                }
                final CheckpointWriterContext writerCtx = new CheckpointWriterContext()
                    .directory(folder)
                    .checkpointId(anchorId)
                    .stateVersion(version)
                    .compression(ctx.compress() ? CheckpointCompression.ZSTD : CheckpointCompression.NONE)
                    .zstdLevel(ctx.zstdLevel())
                    .targetBlockLength(ctx.blockLength());
                if (top != null)
                {
                    writerCtx.deltaOf(top);
                }
                try (CheckpointWriter writer = CheckpointWriter.create(writerCtx))
                {
                    CheckpointBuilder.writeChanges(state.overlay(), writer, top != null,
                        dev.engram.journal.internal.BackgroundPacing.forThread()::tick);
                    anchors.markVerified(writer.publish().path());
                }
            }
            finally
            {
                state.close();
            }
        }
        finally
        {
            retention.unpin(pin);
        }
    }

    private void onClosed(final StateSnapshot snapshot, final HistoryRetention.Pin pin)
    {
        synchronized (open)
        {
            open.remove(snapshot);
        }
        retention.unpin(pin);
    }

    /**
     * The state at the last version whose frame timestamp is at or before {@code instant}; the empty state
     * (version 0) if the journal still starts at version 1 and its first frame is later.
     */
    public StateSnapshot stateAt(final Instant instant)
    {
        final long epochNs = epochNs(instant);
        final long version;
        try (JournalTimestamps timestamps = new JournalTimestamps(journal))
        {
            final long first = timestamps.firstVersion();
            final long found = timestamps.lastVersionAtOrBefore(epochNs, first, journal.writtenVersion());
            if (found != JournalTimestamps.BEFORE_FIRST)
            {
                version = found;
            }
            else if (first <= 1)
            {
                version = 0;
            }
            else
            {
                throw new VersionUnavailableException("instant=" + instant + " precedes the oldest delta in the journal " +
                    "(version=" + first + " at " + instantOf(timestamps.timestampOf(first)) + ")", -1, range());
            }
        }
        try
        {
            return stateAt(version);
        }
        catch (final VersionUnavailableException ex)
        {
            throw new VersionUnavailableException("instant=" + instant + " falls at version=" + version +
                ", which is not available", version, ex.range());
        }
    }

    /**
     * Every op on {@code key} the journal holds in {@code [fromVersion, toVersion]} (clamped to what it holds).
     */
    public KeyHistory history(final String key, final long fromVersion, final long toVersion)
    {
        if (key == null)
        {
            throw new IllegalArgumentException("history key must not be null");
        }
        final int keyLength = Utf8.encodedLength(key);
        if (keyLength < 1 || keyLength > CheckpointEntryDescriptor.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("key must be 1.." + CheckpointEntryDescriptor.MAX_KEY_LENGTH +
                " UTF-8 bytes: length=" + keyLength);
        }
        if (fromVersion < 0 || toVersion < fromVersion)
        {
            throw new IllegalArgumentException("bad version range: fromVersion=" + fromVersion + " toVersion=" + toVersion);
        }
        awaitCommittedWritten(Math.min(toVersion, journal.lastAppendedVersion()));   // the caller's own commits count
        final HistoryRetention.Pin pin = retention.pinJournal(fromVersion);
        try
        {
            final long from = pin.journalFromVersion();
            final long to = Math.min(toVersion, pin.version());
            if (to < from)
            {
                return new KeyHistory(key, from, to, new ArrayList<>());
            }
            if (keyIndex == null)
            {
                final List<KeyHistory.Change> changes = new ArrayList<>();
                scan(KeyHistoryIndex.utf8(key), from, to, changes);
                return new KeyHistory(key, from, to, changes);
            }
            return new KeyHistory(key, from, to, keyIndex.changes(key, from, to, this::scan));
        }
        finally
        {
            retention.unpin(pin);
        }
    }

    /**
     * Every op on {@code key} in {@code [from, to]}, read from the journal (pinned by the caller).
     */
    private void scan(final byte[] key, final long from, final long to, final List<KeyHistory.Change> changes)
    {
        final UnsafeBuffer wanted = new UnsafeBuffer(key);
        final int keyLength = key.length;
        try (JournalReader reader = journal.newReader())
        {
            final ReplayResult result = reader.replay(from, to, frame ->
            {
                while (frame.nextOp())
                {
                    if (keyEquals(frame, wanted, keyLength))
                    {
                        changes.add(new KeyHistory.Change(frame.version(), frame.timestampEpochNs(), frame.opType()));
                    }
                }
            });
            if (result.firstVersion() != from || result.lastVersion() != to)
            {
                throw new IllegalStateException("journal scan for key history covered [" + result.firstVersion() + ", " +
                    result.lastVersion() + "] instead of [" + from + ", " + to + "]: " + result);
            }
        }
    }

    /**
     * @return true if the frame's current op is on the key {@code wanted} ({@code keyLength} UTF-8 bytes).
     */
    public static boolean keyEquals(final DeltaFrame frame, final DirectBuffer wanted, final int keyLength)
    {
        if (frame.keyLength() != keyLength)
        {
            return false;
        }
        final DirectBuffer buffer = frame.buffer();
        final int offset = frame.keyOffset();
        for (int i = 0; i < keyLength; i++)
        {
            if (buffer.getByte(offset + i) != wanted.getByte(i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Keys added, changed (by value) and removed going from the state at {@code fromVersion} to the state at
     * {@code toVersion}: the keys the deltas between them touched, each compared in the two snapshots. The touched
     * keys come from the key history index where it covers the range and that is cheaper than reading the frames
     * (a segment costs its keys), else from the journal.
     */
    public StateDiff diff(final long fromVersion, final long toVersion)
    {
        awaitCommittedWritten(Math.max(fromVersion, toVersion));
        final List<String> added = new ArrayList<>();
        final List<String> changed = new ArrayList<>();
        final List<String> removed = new ArrayList<>();
        if (fromVersion == toVersion)
        {
            range(fromVersion);
            return new StateDiff(fromVersion, toVersion, added, changed, removed, 0);
        }
        try (StateSnapshot before = stateAt(fromVersion); StateSnapshot after = stateAt(toVersion))
        {
            // both snapshots pin the journal from their bases, so (low, high] stays readable meanwhile
            final long low = Math.min(fromVersion, toVersion);
            final long high = Math.max(fromVersion, toVersion);
            final Set<String> touched = new HashSet<>();
            if (keyIndex != null)
            {
                diffFramesScanned.addAndGet(keyIndex.changedKeys(low + 1, high, this::scanKeys, touched));
            }
            else
            {
                scanKeys(low + 1, high, touched);
                diffFramesScanned.addAndGet(high - low);
            }
            for (final String key : touched)
            {
                final int outcome = compare(before, after, key);
                switch (outcome)
                {
                    case ADDED -> added.add(key);
                    case REMOVED -> removed.add(key);
                    case CHANGED -> changed.add(key);
                    default ->
                    {
                    }
                }
            }
            Collections.sort(added);
            Collections.sort(changed);
            Collections.sort(removed);
            return new StateDiff(fromVersion, toVersion, added, changed, removed, touched.size());
        }
    }

    /**
     * Add every key the frames in {@code [from, to]} touch, read from the journal (pinned by the caller).
     */
    private void scanKeys(final long from, final long to, final Set<String> touched)
    {
        try (JournalReader reader = journal.newReader())
        {
            final ReplayResult result = reader.replay(from, to, frame ->
            {
                while (frame.nextOp())
                {
                    touched.add(frame.key());
                }
            });
            if (result.firstVersion() != from || result.lastVersion() != to)
            {
                throw new IllegalStateException("journal scan for diff covered [" + result.firstVersion() + ", " +
                    result.lastVersion() + "] instead of [" + from + ", " + to + "]: " + result);
            }
        }
    }

    private static final int SAME = 0;
    private static final int ADDED = 1;
    private static final int REMOVED = 2;
    private static final int CHANGED = 3;

    private static int compare(final StateSnapshot before, final StateSnapshot after, final String key)
    {
        final Integer outcome = before.read(key, (beforeValue, beforeOffset, beforeLength) ->
        {
            final Integer afterOutcome = after.read(key, (afterValue, afterOffset, afterLength) ->
                equal(beforeValue, beforeOffset, beforeLength, afterValue, afterOffset, afterLength) ? SAME : CHANGED);
            return afterOutcome == null ? REMOVED : afterOutcome;
        });
        if (outcome != null)
        {
            return outcome;
        }
        return after.contains(key) ? ADDED : SAME;
    }

    private static boolean equal(final DirectBuffer a, final int aOffset, final int aLength,
        final DirectBuffer b, final int bOffset, final int bLength)
    {
        if (aLength != bLength)
        {
            return false;
        }
        int i = 0;
        for (; i + 8 <= aLength; i += 8)
        {
            if (a.getLong(aOffset + i) != b.getLong(bOffset + i))
            {
                return false;
            }
        }
        for (; i < aLength; i++)
        {
            if (a.getByte(aOffset + i) != b.getByte(bOffset + i))
            {
                return false;
            }
        }
        return true;
    }

    private void range(final long version)
    {
        final HistoryRange range = range();
        if (!range.contains(version))
        {
            throw new VersionUnavailableException("version=" + version + " is not available", version, range);
        }
    }

    private static final long TAG_WRITE_WAIT_SECONDS = 60;

    /**
     * A version committed (its number handed out) but not written yet — typically the caller's own last commit — is
     * history the caller may ask for: wait for the journal to write it (up to {@link #TAG_WRITE_WAIT_SECONDS}), so
     * the range check that follows does not refuse it as newer than the written version. Versions never committed are
     * left to that check.
     */
    private void awaitCommittedWritten(final long version)
    {
        if (version > journal.writtenVersion() && version <= journal.lastAppendedVersion())
        {
            journal.awaitWritten(version, TAG_WRITE_WAIT_SECONDS, TimeUnit.SECONDS);
        }
    }

    public void tag(final String name, final long version)
    {
        VersionTags.checkName(name);
        final long appended = journal.lastAppendedVersion();
        if (version < 0 || version > appended)
        {
            throw new IllegalArgumentException("cannot tag version=" + version + ": versions are 0.." + appended +
                " (the last appended version)");
        }
        // a version committed (its number handed out) but not written yet, e.g. the caller's own last commit: tagged once
        // the journal holds it, as a tag must name a version that is there after a crash
        if (!journal.awaitWritten(version, TAG_WRITE_WAIT_SECONDS, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("cannot tag version=" + version + ": not written to the journal within " +
                TAG_WRITE_WAIT_SECONDS + " s (written version=" + journal.writtenVersion() + "); nothing was tagged");
        }
        tags.tag(name, version);
    }

    public boolean untag(final String name)
    {
        return tags.untag(name);
    }

    public SortedMap<String, Long> tags()
    {
        return tags.tags();
    }

    /**
     * @return the tags held now (recorded in each checkpoint's header), or -1 if they cannot be read.
     */
    public int tagCount()
    {
        return tags.count();
    }

    /**
     * @see VersionTags#expect(int, String)
     */
    public void expectTags(final int count, final String recordedBy)
    {
        tags.expect(count, recordedBy);
    }

    public long versionOfTag(final String name)
    {
        return tags.versionOf(name);
    }

    public int openSnapshots()
    {
        synchronized (open)
        {
            return open.size();
        }
    }

    /**
     * Close every snapshot still open (the store is closing: their journal views would go with it).
     */
    @Override
    public void close()
    {
        if (follower != null)
        {
            follower.stop();
            dev.engram.journal.internal.Threads.joinUninterruptibly(followerThread);
        }
        final List<StateSnapshot> snapshots;
        synchronized (open)
        {
            closed = true;
            snapshots = new ArrayList<>(open);
        }
        snapshots.forEach(StateSnapshot::close);
    }

    public static long epochNs(final Instant instant)
    {
        try
        {
            return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
        }
        catch (final ArithmeticException ex)
        {
            return instant.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    private static String instantOf(final long epochNs)
    {
        return epochNs < 0 ? "unknown" : Instant.ofEpochSecond(0, epochNs).toString();
    }
}
