package dev.engram.recovery.internal.history;

import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.internal.checkpoint.CheckpointFileChecks;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import dev.engram.recovery.internal.checkpoint.CheckpointWriterContext;
import dev.engram.recovery.internal.checkpoint.MappedCheckpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * History anchors: delta checkpoint files kept for {@code stateAt} alone, in {@code <state dir>/history-anchors/
 * <head id>-<head created ms>/}, one folder per published checkpoint head. The anchors of a head form a chain on
 * top of it — each a delta (the keys changed since the one before, their values at its version) of the one before,
 * one every {@code historyAnchorEveryFrames} versions — in the ordinary checkpoint format
 * (docs/checkpoint-format.md), so a past state maps the head's chain plus its anchors up to the version and
 * replays at most one anchor interval of journal instead of up to a whole checkpoint interval. Recovery never
 * reads them. Built by the {@link HistoryFollower} thread (through {@link Builder}); a folder whose head is gone
 * is deleted; anchors past the journal's end at open (a lost tail) are deleted before any is used; an anchor that
 * fails to open is reported and deleted with the anchors above it, and {@code stateAt} replays from the head.
 */
final class HistoryAnchors
{
    /** Folder in the state directory. */
    static final String DIRECTORY_NAME = "history-anchors";

    /**
     * Writes the anchor at {@code version} on top of {@code top} (the head or its newest anchor; null: the empty
     * state, then the anchor is a full checkpoint); {@code head} null for the empty state.
     */
    @FunctionalInterface
    interface Builder
    {
        void build(CheckpointInfo head, CheckpointInfo top, long version, Path into, long anchorId);
    }

    private final Path root;
    private final long every;
    private final Supplier<List<CheckpointInfo>> heads;
    private final LongSupplier writtenVersion;
    private final Consumer<String> onReport;
    private Builder builder;
    private final Map<Path, CheckpointInfo> infos = new ConcurrentHashMap<>();
    private volatile boolean staleDropped;
    private final LongSupplier firstJournalVersion;
    /** Anchors whose every block was checked in this process (written by it, or checked by the follower). */
    private final Set<Path> verified = ConcurrentHashMap.newKeySet();

    /**
     * @param firstJournalVersion the journal's first version (below 1: it holds no frame): while it is 1 the empty
     *                            state is a base; the anchors of a head whose next head is before it serve no replay
     *                            any more (their versions' frames are gone) and are deleted.
     */
    HistoryAnchors(final Path root, final long every, final Supplier<List<CheckpointInfo>> heads,
        final LongSupplier writtenVersion, final LongSupplier firstJournalVersion, final Consumer<String> onReport)
    {
        this.firstJournalVersion = firstJournalVersion;
        this.root = root;
        this.every = every;
        this.heads = heads;
        this.writtenVersion = writtenVersion;
        this.onReport = onReport;
    }

    boolean isVerified(final Path anchor)
    {
        return verified.contains(anchor);
    }

    void markVerified(final Path anchor)
    {
        verified.add(anchor);
    }

    void builder(final Builder builder)
    {
        this.builder = builder;
    }

    Path root()
    {
        return root;
    }

    /** Folder of the anchors on the empty state (no checkpoint yet, the journal from version 1). */
    static final String EMPTY_BASE = "empty";

    /**
     * @param head a checkpoint, or null for the empty state.
     */
    static Path directoryOf(final Path root, final CheckpointInfo head)
    {
        return root.resolve(head == null ? EMPTY_BASE : head.checkpointId() + "-" + head.createdEpochMs());
    }

    /**
     * Delete every anchor with a version past {@code writtenAtOpen} (the follower, before anchors are used or
     * built: such anchors were built from journal frames a lossy open removed).
     */
    void dropStale(final long writtenAtOpen)
    {
        for (final Path folder : folders())
        {
            for (final Path file : CheckpointFiles.listCheckpoints(folder))
            {
                final CheckpointInfo info = info(file);
                if (info == null || info.stateVersion() > writtenAtOpen)
                {
                    onReport.accept("history anchor " + file + (info == null ? " is unreadable" :
                        " is stale (version=" + info.stateVersion() + " > the journal's end at open, version=" +
                        writtenAtOpen + ")") + "; deleted with the anchors above it");
                    deleteFrom(folder, info == null ? 0 : info.stateVersion(), false);
                }
            }
            deleteFrom(folder, Long.MAX_VALUE, true);   // temp files of a build that did not finish
            verifyAll(folder);
        }
        staleDropped = true;
    }

    /**
     * The anchors of {@code head} with versions at or before {@code version}, oldest first, each the delta of the
     * one before (the first of the head): what {@code stateAt(version)} maps on top of the head's chain. On the
     * empty state ({@code head} null) the first anchor is a full checkpoint. Empty until {@link #dropStale} has run.
     */
    List<CheckpointInfo> chainFor(final CheckpointInfo head, final long version)
    {
        final List<CheckpointInfo> chain = new ArrayList<>();
        if (!staleDropped)
        {
            return chain;
        }
        final Map<Long, CheckpointInfo> byParent = new HashMap<>();
        CheckpointInfo first = null;
        for (final Path file : CheckpointFiles.listCheckpoints(directoryOf(root, head)))
        {
            final CheckpointInfo info = info(file);
            if (info != null && info.isDelta())
            {
                byParent.put(info.parentId(), info);
            }
            else if (info != null && head == null && (first == null || info.checkpointId() < first.checkpointId()))
            {
                first = info;
            }
        }
        CheckpointInfo top = head;
        if (head == null)
        {
            if (first == null || first.stateVersion() > version)
            {
                return chain;
            }
            chain.add(first);
            top = first;
        }
        while (true)
        {
            final CheckpointInfo next = byParent.get(top.checkpointId());
            if (next == null || next.parentStateVersion() != top.stateVersion() || next.stateVersion() > version ||
                next.baseId() != top.baseId())
            {
                return chain;
            }
            chain.add(next);
            top = next;
        }
    }

    /**
     * Check every block of the anchors in {@code folder} (each once per process, before any is used): a damaged one
     * is rejected with those above it.
     */
    private void verifyAll(final Path folder)
    {
        final List<CheckpointInfo> found = new ArrayList<>();
        for (final Path file : CheckpointFiles.listCheckpoints(folder))
        {
            final CheckpointInfo info = info(file);
            if (info != null)
            {
                found.add(info);
            }
        }
        found.sort(Comparator.comparingLong(CheckpointInfo::stateVersion));
        for (final CheckpointInfo anchor : found)
        {
            try (MappedCheckpoint mapped = MappedCheckpoint.open(anchor.path()))
            {
                mapped.verifyAllBlocks();
                verified.add(anchor.path());
            }
            catch (final RuntimeException ex)
            {
                onReport.accept("history anchor " + anchor.path() + " rejected: " + ex.getMessage() +
                    "; deleted with the anchors above it, rebuilt from the journal");
                deleteFrom(folder, anchor.stateVersion(), false);
                return;
            }
        }
    }

    /**
     * An anchor failed to open or read: report it and delete it with every anchor above it.
     */
    void reject(final CheckpointInfo anchor, final CheckpointInfo head, final String why)
    {
        onReport.accept("history anchor " + anchor.path() + " rejected: " + why +
            "; deleted with the anchors above it (stateAt replays from the checkpoint meanwhile)");
        deleteFrom(directoryOf(root, head), anchor.stateVersion(), false);
    }

    /**
     * Build the next anchor that is due, if any: for each checkpoint (newest first), {@code every} versions after its
     * newest anchor, while that is before the next checkpoint's version (which then serves {@code stateAt}) and
     * the journal has it. Also deletes the folders of checkpoints that are gone.
     *
     * @return true if it built one.
     */
    boolean buildDue()
    {
        if (builder == null || !staleDropped)
        {
            return false;
        }
        final List<CheckpointInfo> listed = new ArrayList<>(heads.get());
        final long written = writtenVersion.getAsLong();
        // an anchor replays the journal from its top: retention may have removed those frames (no history window)
        final long first = firstJournalVersion.getAsLong();
        removeOrphans(listed, first, written);
        listed.sort(Comparator.comparingLong(CheckpointInfo::stateVersion).thenComparingLong(CheckpointInfo::checkpointId)
            .reversed());
        if (emptyBaseUsable(first, written))
        {
            listed.add(null);   // the empty state serves the versions before the oldest checkpoint
        }
        long nextHeadVersion = Long.MAX_VALUE;
        for (final CheckpointInfo head : listed)
        {
            final List<CheckpointInfo> chain = chainFor(head, Long.MAX_VALUE);
            final CheckpointInfo top = chain.isEmpty() ? head : chain.get(chain.size() - 1);
            final long version = (top == null ? 0 : top.stateVersion()) + every;
            final long servedUntil = nextHeadVersion;
            if (head != null && head.stateVersion() < nextHeadVersion)
            {
                nextHeadVersion = head.stateVersion();
            }
            if (version > written || version >= servedUntil || (top == null ? 0 : top.stateVersion()) + 1 < first ||
                (top != null && top.chainOrdinal() + 1 > CheckpointWriterContext.MAX_CHAIN_ORDINAL))
            {
                continue;
            }
            build(head, top, version);
            return true;
        }
        return false;
    }

    private void build(final CheckpointInfo head, final CheckpointInfo top, final long version)
    {
        final Path folder = directoryOf(root, head);
        final long anchorId = top == null ? 1 : top.checkpointId() + 1;
        final Path file = folder.resolve(CheckpointFiles.checkpointFileName(anchorId));
        try
        {
            Files.createDirectories(folder);
            // a leftover of a chain that no longer links (rejected above it, or stale) would block the name
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot prepare " + file, ex);
        }
        infos.remove(file);
        builder.build(head, top, version, folder, anchorId);
    }

    private CheckpointInfo info(final Path file)
    {
        CheckpointInfo info = infos.get(file);
        if (info == null)
        {
            try
            {
                info = CheckpointFileChecks.readInfo(file);
            }
            catch (final RuntimeException ex)
            {
                return null;
            }
            infos.put(file, info);
        }
        return info;
    }

    private List<Path> folders()
    {
        final List<Path> folders = new ArrayList<>();
        if (!Files.isDirectory(root))
        {
            return folders;
        }
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(root))
        {
            for (final Path folder : listing)
            {
                if (Files.isDirectory(folder))
                {
                    folders.add(folder);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + root, ex);
        }
        return folders;
    }

    /**
     * @return true while the journal still starts at version 1 (or holds nothing and nothing was written): the empty
     *         state is a base ({@code HistoryRetention}'s range starts at 0 then).
     */
    private static boolean emptyBaseUsable(final long firstJournal, final long written)
    {
        return (firstJournal < 1 ? written + 1 : firstJournal) <= 1;
    }

    private void removeOrphans(final List<CheckpointInfo> listed, final long first, final long written)
    {
        final Set<Path> live = new HashSet<>();
        for (final CheckpointInfo head : listed)
        {
            // a head's anchors serve the versions up to the next head; once that is before the journal's first
            // version, no version they cover can be replayed to (issue 15: 1.7 GB of anchors kept for a 1 GiB state)
            long next = Long.MAX_VALUE;
            for (final CheckpointInfo other : listed)
            {
                if (other.stateVersion() > head.stateVersion())
                {
                    next = Math.min(next, other.stateVersion());
                }
            }
            if (next == Long.MAX_VALUE || next >= first)
            {
                live.add(directoryOf(root, head));
            }
        }
        if (emptyBaseUsable(first, written))
        {
            live.add(directoryOf(root, null));
        }
        for (final Path folder : folders())
        {
            if (!live.contains(folder))
            {
                deleteFrom(folder, Long.MIN_VALUE, true);
                try
                {
                    Files.deleteIfExists(folder);
                }
                catch (final IOException ex)
                {
                    onReport.accept("cannot delete history anchor folder " + folder + ": " + ex);
                }
            }
        }
    }

    /**
     * Delete the anchors in {@code folder} with versions at or after {@code fromVersion}, unreadable ones, and
     * with {@code withOtherFiles} every other file (temp files: only on the follower thread, which writes them).
     */
    private void deleteFrom(final Path folder, final long fromVersion, final boolean withOtherFiles)
    {
        try (Stream<Path> files = Files.list(folder))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                final String name = file.getFileName().toString();
                final boolean anchor = name.endsWith(CheckpointFiles.CHECKPOINT_SUFFIX);
                if (!anchor && !withOtherFiles)
                {
                    continue;
                }
                final CheckpointInfo info = anchor ? info(file) : null;
                if (info == null || info.stateVersion() >= fromVersion)
                {
                    infos.remove(file);
                    verified.remove(file);
                    Files.deleteIfExists(file);
                }
            }
        }
        catch (final java.nio.file.NoSuchFileException ex)
        {
            // already gone
        }
        catch (final IOException ex)
        {
            onReport.accept("cannot delete history anchors in " + folder + ": " + ex);
        }
    }
}
