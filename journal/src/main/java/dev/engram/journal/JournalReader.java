package dev.engram.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.util.NavigableSet;

/**
 * Replays journal frames in version order, from a version or from the start, without allocating per
 * frame: each excerpt is verified in place in the mapped cycle file and handed to a {@link FrameHandler}.
 * <ul>
 *   <li>Versions must be dense: a gap is corruption.</li>
 *   <li>Frames failing their check at the very end are a torn tail: replay ends cleanly before them and
 *       says so in the {@link ReplayResult}.</li>
 *   <li>A failing frame followed by a valid one is corruption ({@link JournalCorruptionException} naming
 *       the file and position), unless a trim frame written by a later open retired exactly those frames.</li>
 *   <li>Chronicle keeps no checksums and may stop reading early without a word (a damaged header): the
 *       replay compares where it stopped with the queue's last index, read before it began.</li>
 * </ul>
 * A reader belongs to the thread that uses it (Chronicle tailers are single-threaded).
 */
public final class JournalReader implements AutoCloseable
{
    private final ChronicleJournalStore store;
    private final DeltaFrame frame = new DeltaFrame();
    private ExcerptTailer tailer;

    JournalReader(final ChronicleJournalStore store)
    {
        this.store = store;
    }

    /**
     * Replay every frame from {@code fromVersion} to the end.
     *
     * @param fromVersion first version to deliver (0 or 1: from the start).
     * @param handler     receives each frame.
     * @return what was delivered and whether the journal ends in a torn tail.
     */
    public ReplayResult replay(final long fromVersion, final FrameHandler handler)
    {
        return replay(fromVersion, Long.MAX_VALUE, handler);
    }

    /**
     * Replay frames with versions in {@code [fromVersion, toVersion]}.
     *
     * @param fromVersion first version to deliver (0 or 1: from the start).
     * @param toVersion   last version to deliver.
     * @param handler     receives each frame.
     * @return what was delivered and whether the journal ends in a torn tail.
     */
    public ReplayResult replay(final long fromVersion, final long toVersion, final FrameHandler handler)
    {
        if (fromVersion < 0 || toVersion < fromVersion)
        {
            throw new IllegalArgumentException("bad version range: fromVersion=" + fromVersion + " toVersion=" + toVersion);
        }
        final long expectedLastIndex = store.queue().lastIndex();
        final ExcerptTailer tailer = tailer();
        tailer.direction(TailerDirection.FORWARD);
        final boolean fromStart = fromVersion <= 1;
        if (fromStart)
        {
            tailer.toStart();
        }
        else if (!seek(tailer, fromVersion))
        {
            return new ReplayResult();
        }

        final ReplayResult result = new ReplayResult();
        long previousVersion = -1;
        long lastReadIndex = -1;
        long badFirstIndex = -1;
        long badLastIndex = -1;
        File badFile = null;
        long badPosition = -1;
        boolean stoppedAtToVersion = false;

        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                final long index = dc.index();
                lastReadIndex = index;
                result.excerptsRead++;
                final Bytes<?> bytes = dc.wire().bytes();
                final long position = bytes.readPosition();
                final int length = (int)bytes.readRemaining();
                frame.wrap(bytes.addressForRead(position), length);
                final DeltaFrame.Check check = frame.verify();
                if (check != DeltaFrame.Check.OK)
                {
                    refuseNewerFormat(check, tailer, position);
                    if (badFirstIndex < 0)
                    {
                        badFirstIndex = index;
                        badFile = store.fileForCycle(tailer.cycle());
                        badPosition = position;
                        result.tornCheck = check;
                        result.tornFrames = 0;
                        result.tornBytes = 0;
                    }
                    badLastIndex = index;
                    result.tornFrames++;
                    result.tornBytes += length;
                    continue;
                }
                if (frame.isTrim())
                {
                    if (badFirstIndex >= 0)
                    {
                        if (frame.trimFirstIndex() != badFirstIndex || frame.trimLastIndex() != badLastIndex)
                        {
                            throw new JournalCorruptionException("damaged frame (" + result.tornCheck +
                                ") not covered by the trim frame that follows it", badFile, badPosition, badFirstIndex);
                        }
                        result.trimmedTornFrames += result.tornFrames;
                        badFirstIndex = -1;
                        result.tornCheck = null;
                        result.tornFrames = 0;
                        result.tornBytes = 0;
                    }
                    continue;
                }
                if (badFirstIndex >= 0)
                {
                    throw new JournalCorruptionException("damaged frame (" + result.tornCheck +
                        ") followed by valid frames", badFile, badPosition, badFirstIndex);
                }
                final long version = frame.version();
                if (version < fromVersion)
                {
                    continue;
                }
                if (previousVersion < 0)
                {
                    if (!fromStart && version != fromVersion)
                    {
                        throw new JournalCorruptionException("version=" + fromVersion + " missing: first frame found has version=" +
                            version, store.fileForCycle(tailer.cycle()), position, index);
                    }
                }
                else if (version != previousVersion + 1)
                {
                    throw new JournalCorruptionException("version gap: expected version=" + (previousVersion + 1) +
                        " found version=" + version, store.fileForCycle(tailer.cycle()), position, index);
                }
                if (version > toVersion)
                {
                    stoppedAtToVersion = true;
                    break;
                }
                frame.location(tailer.cycle(), position);
                handler.onFrame(frame);
                if (result.framesDelivered == 0)
                {
                    result.firstVersion = version;
                }
                result.framesDelivered++;
                result.lastVersion = version;
                previousVersion = version;
            }
        }

        if (badFirstIndex >= 0)
        {
            result.tornTail = true;
            result.tornFile = String.valueOf(badFile);
            result.tornPosition = badPosition;
        }
        // where the scan ended: the last excerpt read, or (when positioned after the last one) the one before
        final long scannedTo = Math.max(lastReadIndex, tailer.index() - 1);
        if (!stoppedAtToVersion && expectedLastIndex >= 0 && scannedTo < expectedLastIndex)
        {
            throw new JournalCorruptionException("journal scan stopped early: last readable index=0x" +
                Long.toHexString(lastReadIndex) + " but the queue's last index=0x" + Long.toHexString(expectedLastIndex),
                store.fileForCycle(tailer.cycle()), -1, lastReadIndex);
        }
        return result;
    }

    private long followNextVersion = -1;

    /**
     * Start following the journal live from {@code fromVersion}; then call {@link #poll(FrameHandler, int)}.
     *
     * @param fromVersion the first version {@link #poll} will deliver.
     */
    public void follow(final long fromVersion)
    {
        final ExcerptTailer tailer = tailer();
        tailer.direction(TailerDirection.FORWARD);
        if (fromVersion <= 1 || !seek(tailer, fromVersion))
        {
            if (fromVersion <= 1)
            {
                tailer.toStart();
            }
            else
            {
                tailer.toEnd();
            }
        }
        followNextVersion = Math.max(1, fromVersion);
    }

    /**
     * Deliver up to {@code limit} frames that have been written since the last poll, in version order.
     * A frame that fails its check while following is corruption (the writer only publishes whole frames).
     *
     * @return frames delivered.
     */
    public int poll(final FrameHandler handler, final int limit)
    {
        if (followNextVersion < 0)
        {
            throw new IllegalStateException("call follow(fromVersion) before poll");
        }
        final ExcerptTailer tailer = tailer();
        int delivered = 0;
        while (delivered < limit)
        {
            long badIndex = -1;
            long badPosition = -1;
            File badFile = null;
            DeltaFrame.Check badCheck = null;
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                final long position = bytes.readPosition();
                frame.wrap(bytes.addressForRead(position), (int)bytes.readRemaining());
                final DeltaFrame.Check check = frame.verify();
                if (check != DeltaFrame.Check.OK)
                {
                    refuseNewerFormat(check, tailer, position);
                    badIndex = dc.index();
                    badPosition = position;
                    badFile = store.fileForCycle(tailer.cycle());
                    badCheck = check;
                }
                else if (!frame.isTrim() && frame.version() >= followNextVersion)
                {
                    if (frame.version() != followNextVersion)
                    {
                        throw new JournalCorruptionException("version gap while following: expected version=" +
                            followNextVersion + " found version=" + frame.version(), store.fileForCycle(tailer.cycle()),
                            position, dc.index());
                    }
                    frame.location(tailer.cycle(), position);
                    handler.onFrame(frame);
                    followNextVersion++;
                    delivered++;
                }
            }
            if (badCheck != null && !skipRetired(tailer, badIndex, badCheck, badFile, badPosition))
            {
                break;      // not decided yet: the tailer is back at the damaged frame, poll again later
            }
        }
        return delivered;
    }

    /**
     * While following, a frame failed its check: it may be a torn tail that a later open retired with a trim
     * frame (the frames stay in the file). Read on: a trim frame covering exactly the failing frames means skip
     * them (true, the tailer is after the trim frame); a valid data frame first is corruption; the end of the
     * journal first leaves the tailer at the failing frame (false) so a later poll decides.
     */
    private boolean skipRetired(final ExcerptTailer tailer, final long badFirstIndex, final DeltaFrame.Check check,
        final File badFile, final long badPosition)
    {
        long badLastIndex = badFirstIndex;
        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    tailer.moveToIndex(badFirstIndex);
                    return false;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                frame.wrap(bytes.addressForRead(bytes.readPosition()), (int)bytes.readRemaining());
                if (frame.verify() != DeltaFrame.Check.OK)
                {
                    badLastIndex = dc.index();
                    continue;
                }
                if (frame.isTrim() && frame.trimFirstIndex() == badFirstIndex && frame.trimLastIndex() == badLastIndex)
                {
                    return true;
                }
                throw new JournalCorruptionException("damaged frame (" + check + ") while following the journal" +
                    (frame.isTrim() ? ", not covered by the trim frame after it" : ", followed by valid frames"),
                    badFile, badPosition, badFirstIndex);
            }
        }
    }

    /**
     * Position the tailer so the next read is at or shortly before {@code version}.
     *
     * @return false if the journal holds nothing at or after the version.
     */
    private boolean seek(final ExcerptTailer tailer, final long version)
    {
        final NavigableSet<Long> cycles = store.cycles();
        long oldestFirstVersion = -1;
        for (final Long cycle : cycles.descendingSet())
        {
            final long firstVersion = firstVersionOf(tailer, cycle.intValue());
            if (firstVersion < 0)
            {
                continue;
            }
            oldestFirstVersion = firstVersion;
            if (firstVersion <= version)
            {
                final long estimate = store.rollCycle().toIndex(cycle.intValue(), version - firstVersion);
                // the excerpt holding the version, or (for the version after the last) the one before it; the
                // version field is only used to position: frames delivered later are still fully verified,
                // and frames skipped here (older than the version asked for) are not needed
                if (tailer.moveToIndex(estimate) && rawVersionAtTailer(tailer) == version)
                {
                    tailer.moveToIndex(estimate);
                }
                else if (version > firstVersion && tailer.moveToIndex(estimate - 1) && rawVersionAtTailer(tailer) == version - 1)
                {
                    return true;
                }
                else
                {
                    tailer.moveToCycle(cycle.intValue());
                }
                return true;
            }
        }
        if (oldestFirstVersion > version)
        {
            throw new JournalException("version=" + version + " is no longer in the journal: first available version=" +
                oldestFirstVersion + " (older cycles were removed by retention)");
        }
        return false;
    }

    /**
     * @return the version of the first delta frame in a cycle, or -1 if it holds none.
     */
    long firstVersionOf(final ExcerptTailer tailer, final int cycle)
    {
        if (!tailer.moveToCycle(cycle))
        {
            return -1;
        }
        while (true)
        {
            final long version = versionAtTailer(tailer);
            if (version == Long.MIN_VALUE || tailer.cycle() != cycle)
            {
                return -1;
            }
            if (version >= 0)
            {
                return version;
            }
        }
    }

    /**
     * Read one excerpt.
     *
     * @return its version if a valid delta frame, -1 if a trim or bad frame, Long.MIN_VALUE at the end.
     */
    private long versionAtTailer(final ExcerptTailer tailer)
    {
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                return Long.MIN_VALUE;
            }
            final Bytes<?> bytes = dc.wire().bytes();
            frame.wrap(bytes.addressForRead(bytes.readPosition()), (int)bytes.readRemaining());
            if (frame.verify() != DeltaFrame.Check.OK || frame.isTrim())
            {
                return -1;
            }
            return frame.version();
        }
    }

    /**
     * Read one excerpt's version field without verifying the frame (positioning only).
     *
     * @return the version field, or Long.MIN_VALUE at the end or for an excerpt too short to hold one.
     */
    private static long rawVersionAtTailer(final ExcerptTailer tailer)
    {
        try (DocumentContext dc = tailer.readingDocument())
        {
            if (!dc.isPresent())
            {
                return Long.MIN_VALUE;
            }
            final Bytes<?> bytes = dc.wire().bytes();
            if (bytes.readRemaining() < DeltaFrameDescriptor.HEADER_LENGTH)
            {
                return Long.MIN_VALUE;
            }
            return bytes.readLong(bytes.readPosition() + DeltaFrameDescriptor.VERSION_OFFSET);
        }
    }

    /**
     * @return the version of the first frame in the journal, or -1 if it holds none.
     */
    public long firstVersion()
    {
        for (final Long cycle : store.cycles())
        {
            final long version = firstVersionOf(tailer(), cycle.intValue());
            if (version >= 0)
            {
                return version;
            }
        }
        return -1;
    }

    /**
     * What the end of the journal holds: the last valid version and any torn frames after it.
     */
    TailScan scanTail()
    {
        final ExcerptTailer tailer = tailer();
        tailer.direction(TailerDirection.BACKWARD).toEnd();
        final TailScan scan = new TailScan();
        while (true)
        {
            try (DocumentContext dc = tailer.readingDocument())
            {
                if (!dc.isPresent())
                {
                    break;
                }
                final Bytes<?> bytes = dc.wire().bytes();
                final long position = bytes.readPosition();
                final int length = (int)bytes.readRemaining();
                frame.wrap(bytes.addressForRead(position), length);
                final DeltaFrame.Check check = frame.verify();
                refuseNewerFormat(check, tailer, position);
                if (check == DeltaFrame.Check.OK)
                {
                    scan.lastVersion = frame.version();
                    scan.lastValidIndex = dc.index();
                    break;
                }
                if (scan.tornLastIndex < 0)
                {
                    scan.tornLastIndex = dc.index();
                }
                scan.tornFirstIndex = dc.index();
                scan.tornFrames++;
                scan.tornBytes += length;
                scan.tornCheck = check;
                scan.tornFile = String.valueOf(store.fileForCycle(tailer.cycle()));
                scan.tornPosition = position;
            }
        }
        tailer.direction(TailerDirection.FORWARD);
        return scan;
    }

    private void refuseNewerFormat(final DeltaFrame.Check check, final ExcerptTailer tailer, final long position)
    {
        if (check == DeltaFrame.Check.BAD_FORMAT_VERSION && frame.formatVersion() > DeltaFrameDescriptor.FORMAT_VERSION)
        {
            throw new JournalFormatException(frame.formatVersion(), store.fileForCycle(tailer.cycle()), position);
        }
    }

    private ExcerptTailer tailer()
    {
        if (tailer == null)
        {
            tailer = store.queue().createTailer();
        }
        return tailer;
    }

    @Override
    public void close()
    {
        if (tailer != null)
        {
            tailer.close();
            tailer = null;
        }
    }

    /**
     * The end of the journal as found at open.
     */
    static final class TailScan
    {
        long lastVersion;
        long lastValidIndex = -1;
        long tornFirstIndex = -1;
        long tornLastIndex = -1;
        int tornFrames;
        long tornBytes;
        DeltaFrame.Check tornCheck;
        String tornFile;
        long tornPosition = -1;
    }
}
