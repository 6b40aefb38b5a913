package dev.engram.harness.latency;

import dev.engram.bench.AppendPayload;
import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import dev.engram.journal.JournalReader;
import dev.engram.journal.ReplayResult;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Appends through {@link Journal#append(Delta)}; the caller's cost is the copy into the ring, the journal
 * thread writes the frame into Chronicle. Verification waits for {@link Journal#writtenVersion()} and
 * replays the journal: every version 1..N must come back once, in order, with a valid checksum.
 */
final class EngramAppendTarget implements AppendTarget
{
    static final String NAME = "Engram Journal.append";

    /** The name Journal gives its writer thread; used only to read that thread's CPU time. */
    private static final String WRITER_THREAD_NAME = "engram-journal-writer";

    private final Journal journal;
    private final long writerThreadId;
    private final int frameLength;

    EngramAppendTarget(final Path directory, final int ringSlotCount)
    {
        this(directory, ringSlotCount, AppendPayload.FRAME_LENGTH, -1);
    }

    /**
     * @param ringArenaLength the ring's arena (frames over a slot); -1 = the journal's default, 0 = none.
     */
    EngramAppendTarget(final Path directory, final int ringSlotCount, final int frameLength, final int ringArenaLength)
    {
        this.frameLength = frameLength;
        final JournalContext ctx = new JournalContext().directory(directory);
        if (ringSlotCount > 0)
        {
            ctx.ringSlotCount(ringSlotCount);
        }
        if (ringArenaLength >= 0)
        {
            ctx.ringArenaLength(ringArenaLength);
        }
        this.journal = Journal.open(ctx);
        if (journal.openReport().lastVersion() != 0)
        {
            journal.close();
            throw new IllegalStateException("benchmark journal directory is not empty: " + directory);
        }
        this.writerThreadId = ThreadStats.threadIdByName(WRITER_THREAD_NAME);
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public ProducerAppender newProducerAppender()
    {
        final Delta delta = AppendPayload.newDelta(frameLength);
        final Journal journal = this.journal;
        return new ProducerAppender()
        {
            @Override
            public long append()
            {
                return journal.append(delta);
            }

            @Override
            public void close()
            {
            }
        };
    }

    @Override
    public long awaitWrittenNs(final long lastId, final long timeoutNs)
    {
        return journal.awaitWritten(lastId, timeoutNs, TimeUnit.NANOSECONDS) ? System.nanoTime() : -1;
    }

    @Override
    public SelfCheck verify(final long appends, final long lastId)
    {
        final long written = journal.writtenVersion();
        final long lastAppended = journal.lastAppendedVersion();
        final ReplayResult replay;
        try (JournalReader reader = journal.newReader())
        {
            replay = reader.replay(1, frame -> { });
        }
        final boolean passed = lastId == appends && lastAppended == appends && written == appends &&
            replay.framesDelivered() == appends && replay.lastVersion() == appends && !replay.tornTail() &&
            (appends == 0 || replay.firstVersion() == 1);
        return SelfCheck.of(passed, String.format(
            "appends=%d lastVersion=%d lastAppendedVersion=%d writtenVersion=%d replayed=%d (versions %d..%d, tornTail=%b), " +
                "copied to the heap=%d",
            appends, lastId, lastAppended, written, replay.framesDelivered(), replay.firstVersion(), replay.lastVersion(),
            replay.tornTail(), journal.heapFrameCount()));
    }

    @Override
    public long backPressureEvents()
    {
        return journal.backPressureEvents();
    }

    @Override
    public long ringOccupancy()
    {
        return journal.ringOccupancy();
    }

    @Override
    public long writerThreadId()
    {
        return writerThreadId;
    }

    @Override
    public void close()
    {
        journal.close();
    }
}
