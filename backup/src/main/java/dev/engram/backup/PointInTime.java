package dev.engram.backup;

import dev.engram.backup.internal.format.Manifest;
import dev.engram.backup.internal.format.Sealer;
import dev.engram.backup.internal.repository.ChunkIndex;
import dev.engram.backup.internal.repository.ChunkReader;
import dev.engram.backup.internal.source.FileChunker;
import dev.engram.backup.internal.source.JournalCut;
import dev.engram.backup.storage.BackupStorage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Point-in-time restore: the backup that holds a version (or the frames up to an instant), restored, then its
 * journal ended right after that version ({@link JournalCut}), so the store opens at exactly it: the state
 * {@code Engram.stateAt(version)} of the source gave.
 * <p>
 * What a backup holds: its state version V, and from its newest checkpoint's version S (read from the checkpoint
 * header's first chunk, docs/checkpoint-format.md: state version at 48) the journal after it, so every version in
 * [S, V]. An older chain a closed store's backup also holds is not used (its journal may not reach it).
 */
final class PointInTime
{
    private final BackupStorage storage;
    private final Sealer sealer;
    private final int parallelism;
    private final ProgressMeter meter;

    /**
     * @param parallelism a restore's threads
     * @param meter       counts a restore's work (each backup restored in turn adds its totals)
     */
    PointInTime(final BackupStorage storage, final Sealer sealer, final int parallelism, final ProgressMeter meter)
    {
        this.storage = storage;
        this.sealer = sealer;
        this.parallelism = parallelism;
        this.meter = meter;
    }

    List<VersionRange> ranges(final List<Manifest> manifests) throws IOException
    {
        final ChunkReader reader = new ChunkReader(storage, sealer, ChunkIndex.load(storage, sealer, false));
        final List<VersionRange> ranges = new ArrayList<>();
        for (final Manifest manifest : manifests)
        {
            ranges.add(range(reader, manifest));
        }
        return ranges;
    }

    RestoreResult restoreVersion(final List<Manifest> manifests, final long version, final Path directory)
        throws IOException
    {
        final List<VersionRange> ranges = ranges(manifests);
        VersionRange best = null;
        for (final VersionRange range : ranges)
        {
            if (range.contains(version) && (best == null || range.lastVersion() < best.lastVersion()))
            {
                best = range;
            }
        }
        if (best == null)
        {
            throw new BackupException("version " + version + " is not in what " + storage.describe() + " holds: " +
                describe(ranges));
        }
        final Manifest manifest = byId(manifests, best.backupId());
        return new Restore(storage, sealer, parallelism, meter).run(manifest, Backups.info(manifest), directory, restored ->
        {
            if (version < manifest.stateVersion())
            {
                JournalCut.cutAfter(restored, version);
            }
            return version;
        });
    }

    RestoreResult restoreInstant(final List<Manifest> manifests, final Instant instant, final Path directory)
        throws IOException
    {
        final List<VersionRange> ranges = ranges(manifests);
        final long epochNs = Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L) + instant.getNano();
        final List<Manifest> byVersion = manifests.stream()
            .sorted(Comparator.comparingLong(Manifest::stateVersion)).toList();
        int from = 0;
        while (from < byVersion.size() && byVersion.get(from).createdMillis() < Math.floorDiv(epochNs, 1_000_000L))
        {
            from++;
        }
        // a live backup's time is its newest frame's stamp (to the ms): the one before the first candidate holds only
        // frames at or before the instant, so its V may be the answer (when no later frame is); later ones are not
        final List<Manifest> candidates = from == byVersion.size() ? List.of() :
            byVersion.subList(Math.max(0, from - 1), byVersion.size());
        if (candidates.isEmpty())
        {
            throw new BackupException("instant " + instant + " is not in what " + storage.describe() + " holds: " +
                (manifests.isEmpty() ? "no backup" : "the newest backup was taken at " +
                Instant.ofEpochMilli(manifests.get(manifests.size() - 1).createdMillis()) + " (versions " +
                describe(ranges) + "); later states are not in the repository"));
        }
        Manifest whole = null;   // the previous candidate, all of whose frames are at or before the instant
        for (int i = 0; i < candidates.size(); i++)
        {
            final Manifest manifest = candidates.get(i);
            final VersionRange range = rangeOf(ranges, manifest.backupId());
            final boolean last = i == candidates.size() - 1;
            final Manifest previous = whole;
            try
            {
                return new Restore(storage, sealer, parallelism, meter).run(manifest, Backups.info(manifest), directory, restored ->
                {
                    final long version = JournalCut.lastVersionAtOrBefore(restored, epochNs);
                    if (version == manifest.stateVersion() && !last)
                    {
                        throw new LaterBackup();   // frames after it may be stamped before the instant too
                    }
                    if (previous != null && version == previous.stateVersion() && version < range.firstVersion())
                    {
                        throw new EarlierBackup();   // no frame after the previous one's V is: that V is the answer
                    }
                    if (version < range.firstVersion())
                    {
                        throw new BackupException("instant " + instant + " is not in what " + storage.describe() +
                            " holds: backup " + manifest.backupId() + ", the first whose frames reach it, holds versions " +
                            range + " and " + (version < 0 ? "its first frame is later" : "version " + version +
                            " (the last stamped at or before it) is before them") + "; all held: " + describe(ranges));
                    }
                    if (version < manifest.stateVersion())
                    {
                        JournalCut.cutAfter(restored, version);
                    }
                    return version;
                });
            }
            catch (final LaterBackup ex)
            {
                whole = manifest;   // the next candidate may hold more frames
            }
            catch (final EarlierBackup ex)
            {
                return new Restore(storage, sealer, parallelism, meter).run(previous, Backups.info(previous), directory);
            }
        }
        throw new IllegalStateException("unreachable: the last candidate never asks for a later one");
    }

    private static String describe(final List<VersionRange> ranges)
    {
        return ranges.isEmpty() ? "no backup" : "backups hold versions " +
            ranges.stream().map(VersionRange::toString).collect(Collectors.joining(", "));
    }

    private static VersionRange range(final ChunkReader reader, final Manifest manifest) throws IOException
    {
        long first = 0;
        for (final Manifest.File file : manifest.files())
        {
            if (FileChunker.isCheckpoint(file.path()) && !file.chunks().isEmpty() && file.chunks().get(0).rawLength() >= 56)
            {
                final byte[] header = reader.read(file.chunks().get(0).id());
                first = Math.max(first, ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getLong(48));
            }
        }
        return new VersionRange(manifest.backupId(), Math.min(first, manifest.stateVersion()), manifest.stateVersion());
    }

    private static Manifest byId(final List<Manifest> manifests, final long id)
    {
        return manifests.stream().filter(m -> m.backupId() == id).findFirst().orElseThrow();
    }

    private static VersionRange rangeOf(final List<VersionRange> ranges, final long id)
    {
        return ranges.stream().filter(r -> r.backupId() == id).findFirst().orElseThrow();
    }

    /** Thrown by a restore's last step to restore the previous backup whole (the restore removes what it wrote). */
    private static final class EarlierBackup extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        EarlierBackup()
        {
            super(null, null, false, false);
        }
    }

    /** Thrown by a restore's last step to try the next backup (the restore removes what it wrote). */
    private static final class LaterBackup extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        LaterBackup()
        {
            super(null, null, false, false);
        }
    }
}
