package dev.engram.journal.internal;

import dev.engram.journal.DeltaFrame;
import dev.engram.journal.FrameHandler;
import dev.engram.journal.JournalReader;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.util.Map;
import java.util.TreeMap;

/**
 * Recovery's fast replay: walks the documents of the mapped cycle files directly
 * ({@link ChronicleDocumentHeader}), starting at a frame whose place is known (a checkpoint's journal
 * hint) or at the start of the journal, without the Chronicle queue being open. When retention has removed
 * the hint's cycle file, the scan starts at the next cycle and its first frame must be the next version. It only handles the
 * journal's ordinary shape: complete frames that verify, with dense versions, up to the end of the written
 * data. Anything else — a frame failing its check (a torn tail), a trim frame, a gap, a hint that does not
 * hold the frame it names, a cycle file missing — ends the scan with {@link Outcome#UNSUPPORTED} and its
 * reason; the caller then replays with {@link JournalReader}, which handles every case.
 * <p>
 * The scan may run while the journal is being opened on another thread: it reads each header with a
 * volatile load and treats a header that is 0 or not complete as the end, so it never reads a document that
 * is still being written. The caller compares the scan's last version with the opened journal's.
 */
public final class JournalScanner
{
    /** How a scan ended. */
    public enum Outcome
    {
        /** Reached the end of the written data; every frame on the way was delivered. */
        COMPLETE,
        /** Stopped at something only {@link JournalReader} handles; see {@link Result#reason()}. */
        UNSUPPORTED
    }

    /**
     * What a scan did.
     *
     * @param outcome         how it ended.
     * @param framesDelivered frames handed to the handler.
     * @param lastVersion     the version of the last frame delivered (or of the start frame).
     * @param reason          why it stopped, for {@link Outcome#UNSUPPORTED}; else null.
     */
    public record Result(Outcome outcome, long framesDelivered, long lastVersion, String reason)
    {
    }

    private final CycleFiles files;
    private final JournalMappedFiles mapped;
    private final DeltaFrame frame = new DeltaFrame();
    private final UnsafeBuffer headerView = new UnsafeBuffer(0, 0);

    /**
     * @param files  the journal's cycle files.
     * @param mapped mappings to read them through (the same ones later reads of journal values use).
     */
    public JournalScanner(final CycleFiles files, final JournalMappedFiles mapped)
    {
        this.files = files;
        this.mapped = mapped;
    }

    /**
     * Deliver every frame after the one at a known place.
     *
     * @param cycle         cycle of the known frame.
     * @param framePosition file position of its body (after its document header).
     * @param version       its version: delivery starts at {@code version + 1}.
     * @param handler       receives the frames, in version order.
     */
    public Result scanAfter(final int cycle, final long framePosition, final long version, final FrameHandler handler)
    {
        final TreeMap<Integer, File> cycles = files.list();
        if (!cycles.containsKey(cycle))
        {
            // retention may have removed the cycle holding the hint's frame when it was the last frame there:
            // then the next version must be the first frame of the next cycle (the scan checks it)
            final Map.Entry<Integer, File> next = cycles.higherEntry(cycle);
            if (next == null || next.getValue().length() < ChronicleDocumentHeader.HEADER_LENGTH)
            {
                return unsupported(0, version, "hint names cycle=" + cycle + ", which has no file, and no later cycle continues");
            }
            return scan(cycles, next.getKey(), 0, version, handler);
        }
        final long headerPosition = framePosition - ChronicleDocumentHeader.HEADER_LENGTH;
        final long fileLength = cycles.get(cycle).length();
        if (headerPosition < 0 || (headerPosition & 3) != 0 || framePosition > fileLength)
        {
            return unsupported(0, version, "hint position=" + framePosition + " is not a document in cycle=" + cycle);
        }
        final int header = headerAt(mapped.address(cycle, headerPosition, ChronicleDocumentHeader.HEADER_LENGTH));
        if ((header & (ChronicleDocumentHeader.NOT_COMPLETE | ChronicleDocumentHeader.META_DATA)) != 0 ||
            header == ChronicleDocumentHeader.NOT_INITIALIZED ||
            framePosition + (header & ChronicleDocumentHeader.LENGTH_MASK) > fileLength)
        {
            return unsupported(0, version, "hint position=" + framePosition + " in cycle=" + cycle + " holds no complete frame");
        }
        final int length = header & ChronicleDocumentHeader.LENGTH_MASK;
        frame.wrap(mapped.address(cycle, framePosition, length), length);
        if (frame.verify() != DeltaFrame.Check.OK || frame.isTrim() || frame.version() != version)
        {
            return unsupported(0, version, "hint position=" + framePosition + " in cycle=" + cycle +
                " does not hold a valid frame of version=" + version);
        }
        return scan(cycles, cycle, ChronicleDocumentHeader.nextHeaderPosition(headerPosition, header), version, handler);
    }

    /**
     * Deliver every frame from the start of the journal, which must begin at version 1.
     */
    public Result scanFromStart(final FrameHandler handler)
    {
        final TreeMap<Integer, File> cycles = files.list();
        if (cycles.isEmpty())
        {
            return new Result(Outcome.COMPLETE, 0, 0, null);
        }
        return scan(cycles, cycles.firstKey(), 0, 0, handler);
    }

    /**
     * A rough count of the frames after a known one, to size what the scan fills: the bytes after it in its
     * cycle and every later cycle file (files are preallocated, so this counts some unwritten space),
     * divided by the size of the document after the known frame (else the known frame's); from the start
     * (cycle -1), bytes / 128.
     */
    public long estimateFramesAfter(final int cycle, final long framePosition)
    {
        long bytes = 0;
        for (final Map.Entry<Integer, File> entry : files.list().entrySet())
        {
            if (entry.getKey() > cycle)
            {
                bytes += entry.getValue().length();
            }
            else if (entry.getKey() == cycle)
            {
                bytes += Math.max(0, entry.getValue().length() - framePosition);
            }
        }
        long documentLength = 128;
        if (cycle >= 0 && framePosition >= ChronicleDocumentHeader.HEADER_LENGTH)
        {
            try
            {
                // the first document after the known one: tail frames are what is being counted
                final long knownHeaderPosition = framePosition - ChronicleDocumentHeader.HEADER_LENGTH;
                final int known = headerAt(mapped.address(cycle, knownHeaderPosition, ChronicleDocumentHeader.HEADER_LENGTH));
                documentLength = Math.max(16, ChronicleDocumentHeader.HEADER_LENGTH + (known & ChronicleDocumentHeader.LENGTH_MASK));
                final long nextHeaderPosition = ChronicleDocumentHeader.nextHeaderPosition(knownHeaderPosition, known);
                final int next = headerAt(mapped.address(cycle, nextHeaderPosition, ChronicleDocumentHeader.HEADER_LENGTH));
                if (next != ChronicleDocumentHeader.NOT_INITIALIZED && (next & ChronicleDocumentHeader.NOT_COMPLETE) == 0)
                {
                    documentLength = Math.max(16, ChronicleDocumentHeader.HEADER_LENGTH + (next & ChronicleDocumentHeader.LENGTH_MASK));
                }
            }
            catch (final RuntimeException ex)
            {
                // only an estimate: the scan itself reports what is wrong with the place
            }
        }
        return bytes / documentLength;
    }

    private Result scan(
        final TreeMap<Integer, File> cycles, final int firstCycle, final long firstHeaderPosition, final long previousVersion,
        final FrameHandler handler)
    {
        long delivered = 0;
        long lastVersion = previousVersion;
        int cycle = firstCycle;
        long position = firstHeaderPosition;
        long fileLength = cycles.get(cycle).length();
        long base = baseAddress(cycle, fileLength);
        while (true)
        {
            final int header = position + ChronicleDocumentHeader.HEADER_LENGTH > fileLength ? 0 :
                headerAt(base + position);
            if (header == ChronicleDocumentHeader.END_OF_DATA)
            {
                final Map.Entry<Integer, File> next = cycles.higherEntry(cycle);
                if (next == null)
                {
                    return new Result(Outcome.COMPLETE, delivered, lastVersion, null);
                }
                cycle = next.getKey();
                position = 0;
                fileLength = next.getValue().length();
                if (fileLength < ChronicleDocumentHeader.HEADER_LENGTH)
                {
                    return unsupported(delivered, lastVersion, "cycle file=" + next.getValue() + " is empty");
                }
                base = baseAddress(cycle, fileLength);
                continue;
            }
            if (header == ChronicleDocumentHeader.NOT_INITIALIZED || (header & ChronicleDocumentHeader.NOT_COMPLETE) != 0)
            {
                // the end of the written data (a not-complete document was being written by the dead process)
                if (cycles.higherKey(cycle) != null)
                {
                    return unsupported(delivered, lastVersion, "cycle=" + cycle + " ends at position=" + position +
                        " without an end-of-data mark, but later cycle files exist");
                }
                return new Result(Outcome.COMPLETE, delivered, lastVersion, null);
            }
            final int length = header & ChronicleDocumentHeader.LENGTH_MASK;
            final long bodyPosition = position + ChronicleDocumentHeader.HEADER_LENGTH;
            if (bodyPosition + length > fileLength)
            {
                return unsupported(delivered, lastVersion, "document at position=" + position + " in cycle=" + cycle +
                    " runs past the end of its file");
            }
            if ((header & ChronicleDocumentHeader.META_DATA) == 0)
            {
                frame.wrap(base + bodyPosition, length);
                if (frame.verify() != DeltaFrame.Check.OK)
                {
                    return unsupported(delivered, lastVersion, "frame at position=" + bodyPosition + " in cycle=" + cycle +
                        " fails its check (" + frame.verify() + ")");
                }
                if (frame.isTrim())
                {
                    return unsupported(delivered, lastVersion, "trim frame at position=" + bodyPosition + " in cycle=" + cycle);
                }
                final long version = frame.version();
                if (lastVersion == 0 ? version != 1 : version != lastVersion + 1)
                {
                    return unsupported(delivered, lastVersion, "expected version=" + (lastVersion + 1) + " found version=" +
                        version + " at position=" + bodyPosition + " in cycle=" + cycle);
                }
                frame.location(cycle, bodyPosition);
                handler.onFrame(frame);
                delivered++;
                lastVersion = version;
            }
            position = ChronicleDocumentHeader.nextHeaderPosition(position, header);
        }
    }

    /**
     * @return the address of position 0 of a cycle file, mapped at least to {@code fileLength}.
     */
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

    private static Result unsupported(final long delivered, final long lastVersion, final String reason)
    {
        return new Result(Outcome.UNSUPPORTED, delivered, lastVersion, reason);
    }
}
