package dev.engram.recovery.internal.procedure;

import dev.engram.journal.internal.ChronicleDocumentHeader;
import dev.engram.journal.internal.CycleFiles;
import dev.engram.journal.DeltaFrame;
import dev.engram.journal.DeltaFrameDescriptor;
import dev.engram.journal.FrameHandler;
import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.recovery.ReadOnlyState;
import dev.engram.recovery.StoreFinding;
import dev.engram.recovery.internal.overlay.Overlay;
import net.openhft.chronicle.queue.RollCycle;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A read-only walk over every document of the journal's cycle files (for {@link ReadOnlyState}): no Chronicle
 * queue is opened, nothing is written, no lock is taken. Unlike recovery's fast scan it goes on past what only
 * {@code Journal.open} would repair, and says what it met: frames failing their check that a trim frame retired
 * (skipped and counted), failing frames followed by valid ones (damage), a version gap (damage), and failing
 * frames at the very end (a torn tail: a crash's unfinished write, retired by the next normal open).
 */
public final class ReadOnlyJournal implements AutoCloseable
{
    /** Receives the walk's progress: bytes of cycle files walked so far, out of the total. */
    public interface BytesProgress
    {
        void update(long bytesDone, long bytesTotal, long frames);
    }

    /** One cycle file as walked. */
    public record CycleSummary(File file, int cycle, long fileLength, long dataEnd, long frames, long firstVersion,
        long lastVersion)
    {
    }

    /** What a walk met. */
    public static final class Walk
    {
        public long firstVersion;
        public long lastVersion;
        public long firstTimestampNs = -1;
        public long lastTimestampNs = -1;
        public long frames;
        public long trimFrames;
        public long retiredFrames;
        long bytesWalked;
        public final List<StoreFinding> damage = new ArrayList<>();
        public StoreFinding tornTail;
        public StoreFinding unfinished;
        public final List<CycleSummary> cycles = new ArrayList<>();
    }

    private final CycleFiles files;
    private final JournalMappedFiles mapped;
    private final RollCycle rollCycle;
    private final DeltaFrame frame = new DeltaFrame();
    private final UnsafeBuffer headerView = new UnsafeBuffer(0, 0);

    public ReadOnlyJournal(final CycleFiles files, final RollCycle rollCycle)
    {
        this.files = files;
        this.mapped = new JournalMappedFiles(files);
        this.rollCycle = rollCycle;
    }

    public JournalMappedFiles mapped()
    {
        return mapped;
    }

    public TreeMap<Integer, File> cycleFiles()
    {
        return files.list();
    }

    /**
     * Walk the journal, handing every valid delta frame with a version in {@code [fromVersion, toVersion]} to the
     * handler (in version order, its location set, so an {@link Overlay} can refer to its values).
     *
     * @param fromVersion first version wanted; the walk starts at the cycle holding it (the whole journal is
     *                    walked when it is 1 or less).
     * @param toVersion   last version wanted; the walk stops after it.
     */
    public Walk walk(final long fromVersion, final long toVersion, final FrameHandler handler, final BytesProgress progress)
    {
        final Walk walk = new Walk();
        final TreeMap<Integer, File> cycles = files.list();
        long total = 0;
        for (final File file : cycles.values())
        {
            total += file.length();
        }
        Integer startCycle = cycles.isEmpty() ? null : cycles.firstKey();
        if (fromVersion > 1)
        {
            for (final Map.Entry<Integer, File> entry : cycles.entrySet())
            {
                final long first = firstVersionOf(entry.getKey(), entry.getValue());
                if (first > 0 && first <= fromVersion)
                {
                    startCycle = entry.getKey();
                }
            }
        }
        if (startCycle == null)
        {
            return walk;
        }
        long doneBefore = 0;
        for (final Map.Entry<Integer, File> entry : cycles.headMap(startCycle).entrySet())
        {
            doneBefore += entry.getValue().length();
        }
        Pending pending = null;
        long lastReport = 0;
        boolean stop = false;
        for (final Map.Entry<Integer, File> entry : cycles.tailMap(startCycle, true).entrySet())
        {
            if (stop)
            {
                break;
            }
            final int cycle = entry.getKey();
            final File file = entry.getValue();
            final long fileLength = file.length();
            long cycleFrames = 0;
            long cycleFirst = 0;
            long cycleLast = 0;
            long position = 0;
            long sequence = 0;
            if (fileLength >= ChronicleDocumentHeader.HEADER_LENGTH)
            {
                final long base = baseAddress(cycle, fileLength);
                while (position + ChronicleDocumentHeader.HEADER_LENGTH <= fileLength)
                {
                    final int header = headerAt(base + position);
                    if (header == ChronicleDocumentHeader.END_OF_DATA || header == ChronicleDocumentHeader.NOT_INITIALIZED)
                    {
                        break;   // end of this cycle's data
                    }
                    if ((header & ChronicleDocumentHeader.NOT_COMPLETE) != 0)
                    {
                        walk.unfinished = new StoreFinding(file.toPath(), position, "a journal document whose header is " +
                            "not complete (0x" + Integer.toHexString(header) + "): a write cut short by a crash, or being " +
                            "written now; the reads end before it");
                        break;
                    }
                    final int length = header & ChronicleDocumentHeader.LENGTH_MASK;
                    final long body = position + ChronicleDocumentHeader.HEADER_LENGTH;
                    if (body + length > fileLength)
                    {
                        walk.damage.add(new StoreFinding(file.toPath(), position, "journal document of length " + length +
                            " runs past the end of the file (length " + fileLength + ")"));
                        break;
                    }
                    if ((header & ChronicleDocumentHeader.META_DATA) == 0)
                    {
                        final long index = rollCycle.toIndex(cycle, sequence++);
                        frame.wrap(base + body, length);
                        final DeltaFrame.Check check = frame.verify();
                        if (check != DeltaFrame.Check.OK)
                        {
                            pending = pending == null ? new Pending(file, body, index, length, check) : pending.extend(index, length);
                        }
                        else if (frame.isTrim())
                        {
                            walk.trimFrames++;
                            final long first = frame.buffer().getLong(DeltaFrameDescriptor.TRIM_FIRST_INDEX_OFFSET,
                                java.nio.ByteOrder.LITTLE_ENDIAN);
                            final long last = frame.buffer().getLong(DeltaFrameDescriptor.TRIM_LAST_INDEX_OFFSET,
                                java.nio.ByteOrder.LITTLE_ENDIAN);
                            if (pending != null)
                            {
                                if (first == pending.firstIndex && last == pending.lastIndex)
                                {
                                    walk.retiredFrames += pending.count;
                                }
                                else
                                {
                                    walk.damage.add(pending.finding("not covered by the trim frame after it (it retires " +
                                        "Chronicle indexes " + first + ".." + last + ")"));
                                }
                                pending = null;
                            }
                        }
                        else
                        {
                            final long version = frame.version();
                            final boolean afterDamage = pending != null;
                            if (afterDamage)
                            {
                                walk.damage.add(pending.finding("followed by a valid frame of version=" + version +
                                    " (damage inside the journal, not a torn tail)"));
                                pending = null;
                            }
                            // the damaged frames held the versions in between: their gap is not reported again
                            if (walk.lastVersion != 0 && version != walk.lastVersion + 1 && !(afterDamage && version > walk.lastVersion))
                            {
                                walk.damage.add(new StoreFinding(file.toPath(), body, "expected version=" +
                                    (walk.lastVersion + 1) + " found version=" + version + " (a gap or repeat in the journal)"));
                            }
                            if (walk.firstVersion == 0)
                            {
                                walk.firstVersion = version;
                                walk.firstTimestampNs = frame.timestampEpochNs();
                            }
                            walk.lastVersion = version;
                            walk.lastTimestampNs = frame.timestampEpochNs();
                            walk.frames++;
                            cycleFrames++;
                            cycleFirst = cycleFirst == 0 ? version : cycleFirst;
                            cycleLast = version;
                            if (version >= fromVersion && version <= toVersion)
                            {
                                frame.location(cycle, body);
                                handler.onFrame(frame);
                            }
                            if (version >= toVersion)
                            {
                                stop = true;
                                position = ChronicleDocumentHeader.nextHeaderPosition(position, header);
                                break;
                            }
                        }
                    }
                    position = ChronicleDocumentHeader.nextHeaderPosition(position, header);
                    if (progress != null && position - lastReport > (4 << 20))
                    {
                        lastReport = position;
                        progress.update(doneBefore + position, total, walk.frames);
                    }
                }
            }
            walk.cycles.add(new CycleSummary(file, cycle, fileLength, position, cycleFrames, cycleFirst, cycleLast));
            doneBefore += fileLength;
            lastReport = 0;
            walk.bytesWalked += position;
            if (progress != null)
            {
                progress.update(doneBefore, total, walk.frames);
            }
        }
        if (pending != null)
        {
            walk.tornTail = pending.finding("at the end of the journal: a torn tail (a write cut short by a crash), " +
                "retired by the next normal open");
        }
        return walk;
    }

    /**
     * The first and last versions the journal holds without walking all of it: the first frame of the first cycle file
     * holding one, and a walk of the last such file only.
     *
     * @return {first, last}, {0, 0} if it holds no frame.
     */
    public long[] bounds()
    {
        final TreeMap<Integer, File> cycles = files.list();
        long first = 0;
        long lastCycleFirst = 0;
        for (final Map.Entry<Integer, File> entry : cycles.entrySet())
        {
            final long version = firstVersionOf(entry.getKey(), entry.getValue());
            if (version > 0)
            {
                first = first == 0 ? version : first;
                lastCycleFirst = version;
            }
        }
        if (first == 0)
        {
            return new long[] {0, 0};
        }
        final Walk walk = walk(lastCycleFirst, Long.MAX_VALUE, frame -> { }, null);
        return new long[] {first, walk.lastVersion};
    }

    /**
     * The journal's last version as its own open will find it at most: the version of the last frame that passes its
     * check, found from the end (each cycle file's document headers walked, newest file first, then its frames
     * checked backwards), so frames are not checked one by one over the whole tail. Frames failing their check after
     * it are a torn tail or damage; either way the journal holds no later version. A trim frame carries the version
     * it follows.
     *
     * @return the last version, 0 if no cycle file holds a valid frame.
     */
    long lastVersionFromTheEnd()
    {
        final TreeMap<Integer, File> cycles = files.list();
        long[] positions = new long[1024];
        for (final Map.Entry<Integer, File> entry : cycles.descendingMap().entrySet())
        {
            final File file = entry.getValue();
            final long fileLength = file.length();
            if (fileLength < ChronicleDocumentHeader.HEADER_LENGTH)
            {
                continue;
            }
            final long base = baseAddress(entry.getKey(), fileLength);
            int count = 0;
            long position = 0;
            while (position + ChronicleDocumentHeader.HEADER_LENGTH <= fileLength)
            {
                final int header = headerAt(base + position);
                if (header == ChronicleDocumentHeader.END_OF_DATA || header == ChronicleDocumentHeader.NOT_INITIALIZED ||
                    (header & ChronicleDocumentHeader.NOT_COMPLETE) != 0)
                {
                    break;
                }
                final int length = header & ChronicleDocumentHeader.LENGTH_MASK;
                if (position + ChronicleDocumentHeader.HEADER_LENGTH + length > fileLength)
                {
                    break;
                }
                if ((header & ChronicleDocumentHeader.META_DATA) == 0)
                {
                    if (count == positions.length)
                    {
                        positions = java.util.Arrays.copyOf(positions, count * 2);
                    }
                    positions[count++] = position;
                }
                position = ChronicleDocumentHeader.nextHeaderPosition(position, header);
            }
            for (int i = count - 1; i >= 0; i--)
            {
                final int header = headerAt(base + positions[i]);
                frame.wrap(base + positions[i] + ChronicleDocumentHeader.HEADER_LENGTH, header & ChronicleDocumentHeader.LENGTH_MASK);
                if (frame.verify() == DeltaFrame.Check.OK)
                {
                    return frame.version();
                }
            }
        }
        return 0;
    }

    /**
     * @return the version of the first valid delta frame in a cycle file, or 0 if it holds none.
     */
    private long firstVersionOf(final int cycle, final File file)
    {
        final long fileLength = file.length();
        if (fileLength < ChronicleDocumentHeader.HEADER_LENGTH)
        {
            return 0;
        }
        final long base = baseAddress(cycle, fileLength);
        long position = 0;
        while (position + ChronicleDocumentHeader.HEADER_LENGTH <= fileLength)
        {
            final int header = headerAt(base + position);
            if (header == ChronicleDocumentHeader.END_OF_DATA || header == ChronicleDocumentHeader.NOT_INITIALIZED ||
                (header & ChronicleDocumentHeader.NOT_COMPLETE) != 0)
            {
                return 0;
            }
            final int length = header & ChronicleDocumentHeader.LENGTH_MASK;
            final long body = position + ChronicleDocumentHeader.HEADER_LENGTH;
            if (body + length > fileLength)
            {
                return 0;
            }
            if ((header & ChronicleDocumentHeader.META_DATA) == 0)
            {
                frame.wrap(base + body, length);
                if (frame.verify() == DeltaFrame.Check.OK && !frame.isTrim())
                {
                    return frame.version();
                }
            }
            position = ChronicleDocumentHeader.nextHeaderPosition(position, header);
        }
        return 0;
    }

    private long baseAddress(final int cycle, final long fileLength)
    {
        final long last = fileLength - ChronicleDocumentHeader.HEADER_LENGTH;
        return mapped.address(cycle, last, ChronicleDocumentHeader.HEADER_LENGTH) - last;
    }

    private int headerAt(final long address)
    {
        headerView.wrap(address, ChronicleDocumentHeader.HEADER_LENGTH);
        return headerView.getIntVolatile(0);
    }

    @Override
    public void close()
    {
        mapped.close();
    }

    /** Frames failing their check, in a row, not yet explained. */
    private static final class Pending
    {
        final File file;
        final long position;
        final long firstIndex;
        final DeltaFrame.Check check;
        long lastIndex;
        long count = 1;
        long bytes;

        Pending(final File file, final long position, final long index, final int length, final DeltaFrame.Check check)
        {
            this.file = file;
            this.position = position;
            this.firstIndex = index;
            this.lastIndex = index;
            this.bytes = length;
            this.check = check;
        }

        Pending extend(final long index, final int length)
        {
            lastIndex = index;
            count++;
            bytes += length;
            return this;
        }

        StoreFinding finding(final String context)
        {
            return new StoreFinding(file.toPath(), position, count + " journal frame(s), " + bytes + " bytes, fail " +
                "their check (" + check + ") " + context);
        }
    }
}
