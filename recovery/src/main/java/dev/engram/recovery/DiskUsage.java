package dev.engram.recovery;

import dev.engram.journal.internal.FileSpace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What a state directory takes on disk, by part. Every figure counts the bytes of its files that hold data (holes left
 * out: Chronicle's cycle files and index maps are sparse, and their lengths say little), measured when it was made.
 *
 * @param journalBytes         {@code journal/}: cycle files, manifest, Chronicle's metadata.
 * @param journalReservedBytes blocks reserved ahead of the journal writer in the cycle file being written (allocated,
 *                             no data yet: a full disk then stops the writer with an exception, not a SIGBUS); 0 when
 *                             not known (read from the files alone).
 * @param checkpointBytes      checkpoint files ({@code checkpoints/*.ckp}, temp files included).
 * @param indexMapBytes        the snapshot index maps beside them ({@code checkpoints/*.cm} and their seals).
 * @param historyIndexBytes    the key history index ({@code history-index/}).
 * @param historyAnchorBytes   the history anchors ({@code history-anchors/}).
 * @param otherBytes           everything else (tags, locks, the clean-shutdown record).
 * @param liveStateBytes       an estimate of the state's own size: the raw (uncompressed) entry bytes of the current
 *                             chain's full checkpoint, i.e. the state at its last full checkpoint; 0 before the first.
 */
public record DiskUsage(long journalBytes, long journalReservedBytes, long checkpointBytes, long indexMapBytes,
    long historyIndexBytes, long historyAnchorBytes, long otherBytes, long liveStateBytes)
{
    /** Folder of the key history index under a state directory. */
    static final String HISTORY_INDEX = "history-index";
    /** Folder of the history anchors under a state directory. */
    static final String HISTORY_ANCHORS = "history-anchors";

    /**
     * @return every part added up.
     */
    public long totalBytes()
    {
        return journalBytes + journalReservedBytes + checkpointBytes + indexMapBytes + historyIndexBytes +
            historyAnchorBytes + otherBytes;
    }

    /**
     * @return {@link #totalBytes()} over {@link #liveStateBytes()}, or NaN when the live size is not known.
     */
    public double ratioToLiveState()
    {
        return liveStateBytes <= 0 ? Double.NaN : (double)totalBytes() / liveStateBytes;
    }

    /**
     * @return one line, e.g. {@code 92.0 MiB (2.3 x live state 40.0 MiB): journal 30.1 MiB (+ 17.0 MiB reserved), ...}.
     */
    public String describe()
    {
        return mib(totalBytes()) + (liveStateBytes > 0 ? String.format(Locale.ROOT, " (%.1f x live state %s)",
            ratioToLiveState(), mib(liveStateBytes)) : "") + ": journal " + mib(journalBytes) +
            (journalReservedBytes > 0 ? " (+ " + mib(journalReservedBytes) + " reserved)" : "") + ", checkpoints " +
            mib(checkpointBytes) + ", index maps " + mib(indexMapBytes) + ", history index " + mib(historyIndexBytes) +
            ", history anchors " + mib(historyAnchorBytes) + ", other " + mib(otherBytes);
    }

    private static String mib(final long bytes)
    {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /**
     * Measure a state directory (read-only: files are opened for reading only; a file removed meanwhile counts 0).
     *
     * @param stateDirectory       the state directory.
     * @param journalReservedBytes see {@link #journalReservedBytes()} (0 if not known).
     * @param liveStateBytes       see {@link #liveStateBytes()} (0 if not known).
     * @return the parts.
     */
    public static DiskUsage of(final Path stateDirectory, final long journalReservedBytes, final long liveStateBytes)
    {
        final Path journal = stateDirectory.resolve("journal");
        final Path checkpoints = stateDirectory.resolve("checkpoints");
        final Path historyIndex = stateDirectory.resolve(HISTORY_INDEX);
        final Path anchors = stateDirectory.resolve(HISTORY_ANCHORS);
        long checkpointBytes = 0;
        long indexMaps = 0;
        long other = 0;
        try (Stream<Path> files = Files.walk(stateDirectory))
        {
            for (final Path file : (Iterable<Path>)files::iterator)
            {
                if (file.startsWith(journal) || file.startsWith(historyIndex) || file.startsWith(anchors) ||
                    !FileSpace.isRegularFile(file))
                {
                    continue;
                }
                final long bytes = FileSpace.dataBytes(file);
                final String name = file.getFileName().toString();
                if (file.startsWith(checkpoints) && (name.endsWith(".cm") || name.endsWith(".cm.seal")))
                {
                    indexMaps += bytes;
                }
                else if (file.startsWith(checkpoints))
                {
                    checkpointBytes += bytes;
                }
                else
                {
                    other += bytes;
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot measure the disk use of " + stateDirectory + ": " + ex.getMessage(), ex);
        }
        catch (final UncheckedIOException ex)
        {
            // a folder removed while walked (retention): what was counted stands
        }
        return new DiskUsage(FileSpace.dataBytesUnder(journal), journalReservedBytes, checkpointBytes, indexMaps,
            FileSpace.dataBytesUnder(historyIndex), FileSpace.dataBytesUnder(anchors), other, liveStateBytes);
    }
}
