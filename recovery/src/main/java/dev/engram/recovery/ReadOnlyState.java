package dev.engram.recovery;

import dev.engram.journal.internal.CycleFiles;
import dev.engram.journal.DeltaFrame;
import dev.engram.journal.FrameHandler;
import dev.engram.journal.JournalRollCycles;
import dev.engram.journal.JournalManifest;
import dev.engram.journal.internal.Utf8;
import dev.engram.recovery.internal.chain.ChainFiles;
import dev.engram.recovery.internal.chain.MapSeal;
import dev.engram.recovery.internal.chain.MapSealDescriptor;
import dev.engram.recovery.internal.checkpoint.CheckpointEntryDescriptor;
import dev.engram.recovery.internal.checkpoint.CheckpointFileChecks;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import dev.engram.recovery.internal.checkpoint.MappedCheckpoint;
import dev.engram.recovery.internal.history.TagFileDescriptor;
import dev.engram.recovery.internal.history.VersionHistory;
import dev.engram.recovery.internal.history.VersionTags;
import dev.engram.recovery.internal.overlay.Overlay;
import dev.engram.recovery.internal.overlay.StateView;
import dev.engram.recovery.internal.overlay.TailIndexer;
import dev.engram.recovery.internal.procedure.CleanShutdownRecord;
import dev.engram.recovery.internal.procedure.ReadOnlyJournal;
import net.openhft.chronicle.queue.RollCycle;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Read-only access to a state directory, for operators and tools (the {@code engram} CLI): what it holds, whether
 * every byte still checks out, past states, a key's history, diffs and tags — without opening the store. Nothing is
 * written, created, renamed or deleted, and no lock is taken: checkpoint files and journal cycle files are mapped
 * read-only, the journal is walked document by document ({@link ReadOnlyJournal}, no Chronicle queue), the tag
 * file, the clean-shutdown record and the journal manifest are read with plain reads, and the snapshot index maps are
 * checked against their seals without Chronicle Map opening them. So it can look at a store left by a crash (the
 * torn tail the next open would retire is reported and left alone) or at a store another process has open.
 * <p>
 * What it does not do: repair anything, rebuild an index, or pick up the store's configuration (the journal's roll
 * cycle is recognised from the file names). Not thread-safe; a {@link StateSnapshot} it returns is closed by the
 * caller.
 */
public final class ReadOnlyState implements AutoCloseable
{
    /** The directory is not a state directory (nothing to read): the CLI's exit code 2. */
    public static final class NotAStoreException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        NotAStoreException(final String message)
        {
            super(message);
        }
    }

    /** Told how a long read goes: a phase ("journal", "checkpoints"), units done and the total (bytes). */
    @FunctionalInterface
    public interface Progress
    {
        Progress NONE = (phase, done, total, items) -> { };

        void update(String phase, long done, long total, long items);
    }

    /** One journal cycle file as walked. */
    public record CycleFile(Path file, int cycle, long fileLength, long dataEnd, long frames, long firstVersion,
        long lastVersion)
    {
    }

    /**
     * The journal as walked.
     *
     * @param firstVersion            first delta version it holds (0: none).
     * @param lastVersion             last valid delta version: the written version.
     * @param syncedAtLeast           a version known to be synced (0: none known): the clean-shutdown record's, the
     *                                newest checkpoint's (the journal is synced before a checkpoint), the manifest's.
     * @param syncedSource            where {@code syncedAtLeast} comes from.
     * @param manifestLastVersion     the highest last version the manifest records (0: none; -1: no manifest).
     * @param cleanShutdownVersion    the last written version the clean-shutdown record holds (-1: no record).
     * @param unfinishedWrite         a document at the end whose header says it was never finished, or null.
     */
    public record JournalSummary(long firstVersion, long lastVersion, long frames, long firstTimestampNs,
        long lastTimestampNs, long trimFrames, long retiredFrames, StoreFinding tornTail, StoreFinding unfinishedWrite,
        List<StoreFinding> damage,
        List<CycleFile> cycles, String rollCycle, long syncedAtLeast, String syncedSource, long manifestLastVersion,
        long cleanShutdownVersion)
    {
    }

    /** One checkpoint file: its header and footer ({@code info}), or why they could not be read. */
    public record CheckpointFile(Path file, long checkpointId, CheckpointInfo info, String problem)
    {
    }

    /** A checkpoint chain: a full checkpoint and the deltas on it, ending at {@code headId}. */
    public record Chain(long headId, List<Long> memberIds, long stateVersion, long bytes, String problem)
    {
        public boolean usable()
        {
            return problem == null;
        }
    }

    /**
     * What {@link #verify} found.
     *
     * @param damage damage (each naming the file and offset): the CLI's exit code 1 when not empty.
     * @param notes  what is worth saying but is not damage (a torn tail after a crash, temp files).
     */
    public record VerifyReport(List<StoreFinding> damage, List<StoreFinding> notes, long journalFrames, long journalBytes,
        long checkpointFiles, long blocksChecked, long checkpointBytes, long indexMaps)
    {
        public boolean clean()
        {
            return damage.isEmpty();
        }
    }

    private final Path directory;
    private final Path journalDirectory;
    private final Path checkpointDirectory;
    private final RollCycle rollCycle;
    private final CycleFiles cycleFiles;
    private JournalSummary journal;
    private long[] bounds;

    private ReadOnlyState(final Path directory, final RollCycle rollCycle)
    {
        this.directory = directory;
        this.journalDirectory = directory.resolve("journal");
        this.checkpointDirectory = directory.resolve("checkpoints");
        this.rollCycle = rollCycle;
        this.cycleFiles = new CycleFiles(journalDirectory, rollCycle);
    }

    /**
     * @param directory a state directory (the one given to {@code StateStore.open} / {@code Engram.open}).
     * @throws NotAStoreException if it holds neither a journal nor a checkpoint directory.
     */
    public static ReadOnlyState open(final Path directory)
    {
        if (!Files.isDirectory(directory))
        {
            throw new NotAStoreException("not a directory: " + directory);
        }
        final Path journal = directory.resolve("journal");
        if (!Files.isDirectory(journal) && !Files.isDirectory(directory.resolve("checkpoints")))
        {
            throw new NotAStoreException("not an Engram state directory (no journal/ or checkpoints/ in it): " + directory);
        }
        return new ReadOnlyState(directory, rollCycleOf(journal));
    }

    /**
     * The roll cycle whose file names the journal's cycle files have (the manifest's cycle length decides between
     * those that fit); the default for new journals when there are no cycle files ({@link JournalRollCycles#adopt}).
     */
    static RollCycle rollCycleOf(final Path journalDirectory)
    {
        return JournalRollCycles.adopt(journalDirectory);
    }

    public Path directory()
    {
        return directory;
    }

    /**
     * @return the roll cycle the journal's file names were recognised by.
     */
    public String rollCycle()
    {
        return rollCycle.toString();
    }

    /**
     * @return the same, for opening the store with the roll cycle it was written with (the CLI's writing commands).
     */
    public RollCycle journalRollCycle()
    {
        return rollCycle;
    }

    /**
     * Walk the whole journal once (cached): versions, cycle files, torn tail, damage met on the way.
     */
    public JournalSummary journal(final Progress progress)
    {
        if (journal != null)
        {
            return journal;
        }
        final ReadOnlyJournal.Walk walk;
        try (ReadOnlyJournal reader = new ReadOnlyJournal(cycleFiles, rollCycle))
        {
            walk = reader.walk(1, Long.MAX_VALUE, frame -> { }, bytesProgress("journal", progress));
        }
        final List<CycleFile> cycles = new ArrayList<>();
        for (final ReadOnlyJournal.CycleSummary c : walk.cycles)
        {
            cycles.add(new CycleFile(c.file().toPath(), c.cycle(), c.fileLength(), c.dataEnd(), c.frames(), c.firstVersion(),
                c.lastVersion()));
        }
        long manifestLast = -1;
        try
        {
            final JournalManifest manifest = Files.isDirectory(journalDirectory) ? JournalManifest.read(journalDirectory) : null;
            manifestLast = manifest == null ? -1 : manifest.recordedLastVersion();
        }
        catch (final RuntimeException ex)
        {
            manifestLast = -1;
        }
        final long clean = cleanShutdownVersion();
        long synced = 0;
        String source = "nothing recorded";
        if (clean > synced)
        {
            synced = clean;
            source = "clean-shutdown record";
        }
        for (final CheckpointFile checkpoint : checkpoints())
        {
            if (checkpoint.info() != null && checkpoint.info().stateVersion() > synced)
            {
                synced = checkpoint.info().stateVersion();
                source = "newest checkpoint (the journal is synced before one is built)";
            }
        }
        if (manifestLast > synced)
        {
            synced = manifestLast;
            source = "journal manifest";
        }
        journal = new JournalSummary(walk.firstVersion, walk.lastVersion, walk.frames, walk.firstTimestampNs,
            walk.lastTimestampNs, walk.trimFrames, walk.retiredFrames, walk.tornTail, walk.unfinished, List.copyOf(walk.damage),
            List.copyOf(cycles), rollCycle.toString(), Math.min(synced, walk.lastVersion), source, manifestLast, clean);
        return journal;
    }

    /**
     * @return {first, last} version of the journal: from the whole walk if it was made, else from its ends only.
     */
    private long[] journalBounds()
    {
        if (journal != null)
        {
            return new long[] {journal.firstVersion(), journal.lastVersion()};
        }
        if (bounds == null)
        {
            try (ReadOnlyJournal reader = new ReadOnlyJournal(cycleFiles, rollCycle))
            {
                bounds = reader.bounds();
            }
        }
        return bounds;
    }

    private static ReadOnlyJournal.BytesProgress bytesProgress(final String phase, final Progress progress)
    {
        return progress == null || progress == Progress.NONE ? null :
            (done, total, frames) -> progress.update(phase, done, total, frames);
    }

    /**
     * @return the last written version the clean-shutdown record holds, or -1 (no record: the store is open, or
     * was not closed cleanly).
     */
    public long cleanShutdownVersion()
    {
        try
        {
            final CleanShutdownRecord record = CleanShutdownRecord.read(directory);
            return record.clean() ? record.lastWrittenVersion() : -1;
        }
        catch (final RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * @return true if the clean-shutdown record is present (the store was closed cleanly and not opened since).
     */
    public boolean closedCleanly()
    {
        return Files.exists(directory.resolve(CleanShutdownRecord.FILE_NAME));
    }

    /**
     * @return every published checkpoint file, by id, with its header and footer (or why they did not check out).
     */
    public List<CheckpointFile> checkpoints()
    {
        final List<CheckpointFile> result = new ArrayList<>();
        for (final Path file : CheckpointFiles.listCheckpoints(checkpointDirectory))
        {
            final long id = CheckpointFiles.checkpointId(file.getFileName().toString());
            try
            {
                result.add(new CheckpointFile(file, id, CheckpointFileChecks.readInfo(file), null));
            }
            catch (final RuntimeException ex)
            {
                result.add(new CheckpointFile(file, id, null, ex.getMessage()));
            }
        }
        return result;
    }

    /**
     * @return the checkpoint chains, one per head (a checkpoint no later delta builds on), oldest first.
     */
    public List<Chain> chains()
    {
        return chains(true);
    }

    /**
     * @param headsOnly only chains ending at a head; else one chain ending at every checkpoint (a delta's prefix of its
     *                  chain is a chain too: the state at that delta's version).
     */
    private List<Chain> chains(final boolean headsOnly)
    {
        final List<CheckpointFile> files = checkpoints();
        final Map<Long, CheckpointFile> byId = new TreeMap<>();
        final Set<Long> parents = new HashSet<>();
        for (final CheckpointFile file : files)
        {
            byId.put(file.checkpointId(), file);
            if (file.info() != null && file.info().isDelta())
            {
                parents.add(file.info().parentId());
            }
        }
        final List<Chain> chains = new ArrayList<>();
        for (final CheckpointFile head : files)
        {
            if (!headsOnly || !parents.contains(head.checkpointId()))
            {
                chains.add(chainEndingAt(head, byId));
            }
        }
        return chains;
    }

    private static Chain chainEndingAt(final CheckpointFile head, final Map<Long, CheckpointFile> byId)
    {
        final List<Long> members = new ArrayList<>();
        long bytes = 0;
        String problem = null;
        CheckpointFile current = head;
        while (true)
        {
            members.add(0, current.checkpointId());
            if (current.info() == null)
            {
                problem = current.file().getFileName() + ": " + current.problem();
                break;
            }
            bytes += current.info().fileLength();
            if (!current.info().isDelta())
            {
                break;
            }
            final CheckpointFile parent = byId.get(current.info().parentId());
            if (parent == null)
            {
                problem = "chain member ckpt id=" + current.info().parentId() + " (parent of " +
                    current.file().getFileName() + ") is missing";
                break;
            }
            current = parent;
        }
        return new Chain(head.checkpointId(), List.copyOf(members), head.info() == null ? -1 : head.info().stateVersion(),
            bytes, problem);
    }

    /**
     * @return the versions whose state can be rebuilt from what is on disk: {@link HistoryRange#oldestVersion()} to
     * {@link HistoryRange#newestVersion()} (the written version).
     */
    public HistoryRange historyRange()
    {
        final long[] journalBounds = journalBounds();
        long newest = journalBounds[1];
        long oldest = Long.MAX_VALUE;
        final long firstJournal = journalBounds[0] == 0 ? journalBounds[1] + 1 : journalBounds[0];
        for (final Chain chain : chains(false))
        {
            if (chain.usable())
            {
                newest = Math.max(newest, chain.stateVersion());
                if (chain.stateVersion() + 1 >= firstJournal)
                {
                    oldest = Math.min(oldest, chain.stateVersion());
                }
            }
        }
        if (firstJournal <= 1)
        {
            oldest = 0;
        }
        if (oldest == Long.MAX_VALUE)
        {
            oldest = newest;
        }
        return new HistoryRange(oldest, newest, firstJournal);
    }

    /**
     * @return the named versions (empty if none were set).
     * @throws TagFileException if the tag file is damaged.
     */
    public SortedMap<String, Long> tags()
    {
        return Collections.unmodifiableSortedMap(VersionTags.load(directory.resolve(TagFileDescriptor.FILE_NAME)));
    }

    /**
     * The state at {@code version}: the newest checkpoint chain at or before it that opens and checks out, plus the
     * journal after it replayed into a private overlay. Close it.
     *
     * @throws VersionUnavailableException if the files on disk cannot rebuild that version.
     */
    public StateSnapshot stateAt(final long version)
    {
        final HistoryRange range = historyRange();
        if (version < range.oldestVersion() || version > range.newestVersion())
        {
            throw new VersionUnavailableException("version=" + version + " is not available in " + directory, version, range);
        }
        final long[] journalBounds = journalBounds();
        final long firstJournal = journalBounds[0] == 0 ? journalBounds[1] + 1 : journalBounds[0];
        final Map<Long, Path> files = new TreeMap<>();
        for (final CheckpointFile file : checkpoints())
        {
            files.put(file.checkpointId(), file.file());
        }
        final List<Chain> candidates = new ArrayList<>(chains(false));
        candidates.sort((a, b) -> Long.compare(b.stateVersion(), a.stateVersion()));
        final StringBuilder rejected = new StringBuilder();
        for (final Chain chain : candidates)
        {
            if (!chain.usable() || chain.stateVersion() > version ||
                (chain.stateVersion() < version && chain.stateVersion() + 1 < firstJournal))
            {
                continue;
            }
            final ChainFiles opened;
            try
            {
                opened = ChainFiles.open(chain.headId(), files, false, false);
            }
            catch (final RuntimeException ex)
            {
                rejected.append(" ckpt id=").append(chain.headId()).append(": ").append(ex.getMessage()).append(';');
                continue;
            }
            try
            {
                return replayOnto(opened, version);
            }
            catch (final CheckpointException ex)
            {
                rejected.append(" ckpt id=").append(chain.headId()).append(": ").append(ex.getMessage()).append(';');
            }
        }
        if (firstJournal <= 1)
        {
            return replayOnto(null, version);
        }
        throw new VersionUnavailableException("no usable checkpoint for version=" + version + " in " + checkpointDirectory +
            ":" + rejected + " run `engram verify " + directory + "`", version, range);
    }

    private StateSnapshot replayOnto(final ChainFiles chain, final long version)
    {
        final long from = chain == null ? 1 : chain.stateVersion() + 1;
        final ReadOnlyJournal reader = new ReadOnlyJournal(cycleFiles, rollCycle);
        Overlay overlay = null;
        try
        {
            overlay = new Overlay(1024, reader.mapped());
            final TailIndexer indexer = new TailIndexer(overlay, chain == null ? StateView.EMPTY : chain);
            final long[] timestamp = {-1};
            long frames = 0;
            if (version >= from)
            {
                final ReadOnlyJournal.Walk walk = reader.walk(from, version, frame ->
                {
                    indexer.onFrame(frame);
                    timestamp[0] = frame.timestampEpochNs();
                }, null);
                if (walk.lastVersion < version)
                {
                    throw new IllegalStateException("the journal in " + journalDirectory + " ends at version=" +
                        walk.lastVersion + ", before version=" + version);
                }
                frames = version - from + 1;
            }
            return new StateSnapshot(version, timestamp[0], chain, overlay, reader.mapped(), frames, snapshot -> { });
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
            reader.close();
            throw ex;
        }
    }

    /**
     * The state at the last version whose delta was stamped at or before {@code instant} (version 0 if the
     * journal starts at version 1 and its first delta is later).
     */
    public StateSnapshot stateAt(final Instant instant)
    {
        final long epochNs = VersionHistory.epochNs(instant);
        final long[] found = {0, -1};
        try (ReadOnlyJournal reader = new ReadOnlyJournal(cycleFiles, rollCycle))
        {
            reader.walk(1, Long.MAX_VALUE, frame ->
            {
                if (frame.timestampEpochNs() <= epochNs)
                {
                    found[0] = frame.version();
                }
                if (found[1] < 0)
                {
                    found[1] = frame.version();
                }
            }, null);
        }
        if (found[0] == 0 && found[1] > 1)
        {
            throw new VersionUnavailableException("instant=" + instant + " precedes the oldest delta in the journal " +
                "(version=" + found[1] + ")", -1, historyRange());
        }
        return stateAt(found[0]);
    }

    /**
     * Every op on {@code key} the journal holds.
     */
    public KeyHistory history(final String key)
    {
        final int keyLength = Utf8.encodedLength(key);
        if (keyLength < 1 || keyLength > CheckpointEntryDescriptor.MAX_KEY_LENGTH)
        {
            throw new IllegalArgumentException("key must be 1.." + CheckpointEntryDescriptor.MAX_KEY_LENGTH +
                " UTF-8 bytes: length=" + keyLength);
        }
        final UnsafeBuffer wanted = new UnsafeBuffer(new byte[keyLength]);
        Utf8.encode(key, wanted, 0);
        final List<KeyHistory.Change> changes = new ArrayList<>();
        final ReadOnlyJournal.Walk walk;
        try (ReadOnlyJournal reader = new ReadOnlyJournal(cycleFiles, rollCycle))
        {
            walk = reader.walk(1, Long.MAX_VALUE, frame ->
            {
                while (frame.nextOp())
                {
                    if (VersionHistory.keyEquals(frame, wanted, keyLength))
                    {
                        changes.add(new KeyHistory.Change(frame.version(), frame.timestampEpochNs(), frame.opType()));
                    }
                }
            }, null);
        }
        return new KeyHistory(key, walk.firstVersion, walk.lastVersion, changes);
    }

    /**
     * Keys added, changed (by value) and removed going from the state at {@code fromVersion} to the state at
     * {@code toVersion}: the keys the deltas between them touched, each compared in the two states.
     */
    public StateDiff diff(final long fromVersion, final long toVersion)
    {
        final List<String> added = new ArrayList<>();
        final List<String> changed = new ArrayList<>();
        final List<String> removed = new ArrayList<>();
        try (StateSnapshot before = stateAt(fromVersion); StateSnapshot after = stateAt(toVersion))
        {
            final long low = Math.min(fromVersion, toVersion);
            final long high = Math.max(fromVersion, toVersion);
            final Set<String> touched = new HashSet<>();
            if (high > low)
            {
                try (ReadOnlyJournal reader = new ReadOnlyJournal(cycleFiles, rollCycle))
                {
                    final ReadOnlyJournal.Walk walk = reader.walk(low + 1, high, frame ->
                    {
                        while (frame.nextOp())
                        {
                            touched.add(frame.key());
                        }
                    }, null);
                    if (walk.lastVersion < high)
                    {
                        throw new IllegalStateException("the journal ends at version=" + walk.lastVersion + ", before " + high);
                    }
                }
            }
            for (final String key : touched)
            {
                final byte[] a = before.get(key);
                final byte[] b = after.get(key);
                if (a == null && b != null)
                {
                    added.add(key);
                }
                else if (a != null && b == null)
                {
                    removed.add(key);
                }
                else if (a != null && !java.util.Arrays.equals(a, b))
                {
                    changed.add(key);
                }
            }
            Collections.sort(added);
            Collections.sort(changed);
            Collections.sort(removed);
            return new StateDiff(fromVersion, toVersion, added, changed, removed, touched.size());
        }
    }

    /**
     * Hand every valid delta frame with a version in {@code [fromVersion, toVersion]} to {@code handler}, in version
     * order (the frame is a view valid only during the call).
     *
     * @return the last version walked.
     */
    public long frames(final long fromVersion, final long toVersion, final FrameHandler handler)
    {
        try (ReadOnlyJournal reader = new ReadOnlyJournal(cycleFiles, rollCycle))
        {
            return reader.walk(fromVersion, toVersion, handler, null).lastVersion;
        }
    }

    /**
     * Check everything that carries a check: every journal frame's CRC32C and the dense versions, the manifest and
     * the clean-shutdown record against the journal's end; every checkpoint file's header, footer, block table, every
     * block's CRC32C, its entries, its in-file index and its Merkle root; every chain's members; every snapshot index
     * map against its seal; the tag file. Goes on past damage, naming each (file, offset, what).
     */
    public VerifyReport verify(final Progress progress)
    {
        final Progress sink = progress == null ? Progress.NONE : progress;
        final List<StoreFinding> damage = new ArrayList<>();
        final List<StoreFinding> notes = new ArrayList<>();
        final JournalSummary summary = journal(sink);
        damage.addAll(summary.damage());
        long journalBytes = 0;
        for (final CycleFile cycle : summary.cycles())
        {
            journalBytes += cycle.dataEnd();
        }
        final long written = summary.lastVersion();
        final long clean = summary.cleanShutdownVersion();
        if (summary.tornTail() != null)
        {
            if (clean > written || summary.manifestLastVersion() > written)
            {
                damage.add(new StoreFinding(summary.tornTail().file(), summary.tornTail().offset(),
                    summary.tornTail().what() + "; but " + (clean > written ? "the clean-shutdown record" : "the manifest") +
                    " says version=" + Math.max(clean, summary.manifestLastVersion()) + " was written: damage, not a crash"));
            }
            else
            {
                notes.add(summary.tornTail());
            }
        }
        else if (clean > written)
        {
            damage.add(new StoreFinding(directory.resolve(CleanShutdownRecord.FILE_NAME), -1, "the clean-shutdown record says " +
                "version=" + clean + " was written, the journal ends at version=" + written + " (journal files lost?)"));
        }
        if (summary.manifestLastVersion() > written)
        {
            damage.add(new StoreFinding(journalDirectory, -1, "the journal manifest records version=" +
                summary.manifestLastVersion() + " as written, the journal ends at version=" + written));
        }
        if (summary.unfinishedWrite() != null)
        {
            notes.add(summary.unfinishedWrite());
        }
        checkManifest(summary, damage);
        if (Files.exists(directory.resolve(CleanShutdownRecord.FILE_NAME)) && clean < 0)
        {
            notes.add(new StoreFinding(directory.resolve(CleanShutdownRecord.FILE_NAME), -1,
                "clean-shutdown record without a readable version (an older marker, or damaged)"));
        }

        final List<CheckpointFile> files = checkpoints();
        long totalBytes = 0;
        for (final CheckpointFile file : files)
        {
            totalBytes += file.file().toFile().length();
        }
        long doneBytes = 0;
        long blocks = 0;
        sink.update("checkpoints", 0, totalBytes, 0);
        for (final CheckpointFile file : files)
        {
            blocks += verifyCheckpoint(file.file(), damage);
            doneBytes += file.file().toFile().length();
            sink.update("checkpoints", doneBytes, totalBytes, blocks);
        }
        for (final Chain chain : chains())
        {
            if (!chain.usable() && chain.problem().contains("is missing"))
            {
                damage.add(new StoreFinding(checkpointDirectory.resolve(CheckpointFiles.checkpointFileName(chain.headId())), -1,
                    "its chain cannot be read: " + chain.problem()));
            }
        }
        long maps = 0;
        for (final Path map : listCheckpointDirectory())
        {
            final String name = map.getFileName().toString();
            if (name.endsWith(CheckpointFiles.TMP_SUFFIX))
            {
                notes.add(new StoreFinding(map, -1, "temp file of an unfinished write (deleted by the next open)"));
                continue;
            }
            if (!name.endsWith(CheckpointFiles.MAP_SUFFIX))
            {
                continue;
            }
            final int kind = name.startsWith(CheckpointFiles.CATALOG_PREFIX) ? MapSealDescriptor.KIND_CATALOG :
                name.startsWith(CheckpointFiles.KEY_INDEX_PREFIX) ? MapSealDescriptor.KIND_KEY_INDEX : -1;
            if (kind < 0)
            {
                continue;
            }
            maps++;
            try
            {
                MapSeal.verify(map, kind);
            }
            catch (final SnapshotIndexDamagedException ex)
            {
                damage.add(new StoreFinding(Path.of(ex.file()), -1, ex.getMessage() +
                    " (an index map: the next open rebuilds it from the checkpoint files)"));
            }
        }
        try
        {
            tags();
        }
        catch (final TagFileException ex)
        {
            damage.add(new StoreFinding(ex.file(), ex.offset(), ex.getMessage()));
        }
        return new VerifyReport(List.copyOf(damage), List.copyOf(notes), summary.frames(), journalBytes, files.size(), blocks,
            totalBytes, maps);
    }

    private void checkManifest(final JournalSummary summary, final List<StoreFinding> damage)
    {
        if (!Files.isDirectory(journalDirectory))
        {
            return;
        }
        final JournalManifest manifest;
        try
        {
            manifest = JournalManifest.read(journalDirectory);
        }
        catch (final RuntimeException ex)
        {
            damage.add(new StoreFinding(journalDirectory, -1, "journal manifest: " + ex.getMessage()));
            return;
        }
        if (manifest == null)
        {
            return;
        }
        final Map<Integer, CycleFile> byCycle = new TreeMap<>();
        for (final CycleFile cycle : summary.cycles())
        {
            byCycle.put(cycle.cycle(), cycle);
        }
        for (final JournalManifest.Entry entry : manifest.entries())
        {
            final CycleFile cycle = byCycle.get(entry.cycle());
            final File expected = cycleFiles.fileFor(entry.cycle());
            if (cycle == null)
            {
                damage.add(new StoreFinding(expected.toPath(), -1, "listed in the journal manifest (versions from " +
                    entry.firstVersion() + ") but missing"));
            }
            else if (cycle.frames() == 0 || cycle.firstVersion() != entry.firstVersion())
            {
                damage.add(new StoreFinding(expected.toPath(), -1, "the journal manifest says it starts at version=" +
                    entry.firstVersion() + ", it " + (cycle.frames() == 0 ? "holds no valid frame" :
                    "starts at version=" + cycle.firstVersion())));
            }
        }
    }

    private List<Path> listCheckpointDirectory()
    {
        if (!Files.isDirectory(checkpointDirectory))
        {
            return List.of();
        }
        try (Stream<Path> stream = Files.list(checkpointDirectory))
        {
            return stream.sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new CheckpointException("cannot list " + checkpointDirectory + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * @return blocks checked.
     */
    private static long verifyCheckpoint(final Path file, final List<StoreFinding> damage)
    {
        final MappedCheckpoint checkpoint;
        try
        {
            checkpoint = MappedCheckpoint.open(file, true);
        }
        catch (final RuntimeException ex)
        {
            damage.add(finding(file, ex));
            return 0;
        }
        try
        {
            boolean intact = true;
            try
            {
                checkpoint.verifyDeferred();
            }
            catch (final RuntimeException ex)
            {
                damage.add(finding(file, ex));
                intact = false;
            }
            try
            {
                checkpoint.verifyMerkleRoot();
            }
            catch (final RuntimeException ex)
            {
                damage.add(finding(file, ex));
                intact = false;
            }
            long blocks = 0;
            if (intact)
            {
                for (int b = 0; b < checkpoint.blockCount(); b++)
                {
                    try
                    {
                        checkpoint.verifyBlock(b);
                    }
                    catch (final RuntimeException ex)
                    {
                        damage.add(finding(file, ex));
                        intact = false;
                    }
                    blocks++;
                }
            }
            if (intact)
            {
                try
                {
                    checkpoint.forEachEntry(entry -> { });   // entry bounds and counts, zstd blocks decompressed
                }
                catch (final RuntimeException ex)
                {
                    damage.add(finding(file, ex));
                }
            }
            return blocks;
        }
        finally
        {
            checkpoint.close();
        }
    }

    private static StoreFinding finding(final Path file, final RuntimeException ex)
    {
        if (ex instanceof CheckpointCorruptionException corruption)
        {
            return new StoreFinding(Path.of(corruption.file()), corruption.offset(), corruption.what());
        }
        return new StoreFinding(file, -1, ex.getMessage());
    }

    @Override
    public void close()
    {
        // nothing held between calls: every mapping is closed by the call (or the snapshot) that made it
    }
}
