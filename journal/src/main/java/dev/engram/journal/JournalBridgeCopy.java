package dev.engram.journal;

import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static dev.engram.journal.DeltaFrameDescriptor.CRC_LENGTH;

/**
 * Moves a bridge's frames into the queue, once it is open and before the writer agent or the sync thread run: checks
 * that the frames the queue already holds (a copy cut short by a crash) are the bridge's, byte for byte, appends the
 * rest verbatim in version order (a new cycle's first frame is told to the manifest, as the writer agent does),
 * forces them when the bridge had forced any (a version synced in the bridge stays synced once the bridge is gone),
 * then removes the bridge.
 */
final class JournalBridgeCopy
{
    /** What the copy did: the queue now ends at {@link #lastVersion}, the last frame in {@link #cycle}. */
    record Result(long lastVersion, int cycle, long frames, long bytes, String description)
    {
    }

    private JournalBridgeCopy()
    {
    }

    /**
     * @param queueLastVersion the queue's last complete frame.
     * @param force            force the copied frames to disk before the bridge goes.
     * @param writtenAt        when each version was written to the bridge (epoch ms by the journal's clock: its frame
     *                         goes into the cycle current then), or null (a bridge a crash left: the clock now).
     * @return what was copied.
     * @throws JournalException if the bridge does not continue the queue (a gap) or disagrees with a frame it holds.
     */
    static Result copy(final ChronicleJournalStore store, final JournalBridgeContents bridge, final long queueLastVersion,
        final JournalManifestKeeper manifest, final int lastCycle, final boolean force,
        final java.util.function.LongUnaryOperator writtenAt)
    {
        check(store, bridge, queueLastVersion);
        final long first = queueLastVersion + 1;
        final long last = bridge.lastVersion();
        int cycle = lastCycle;
        long bytes = 0;
        final List<Integer> cycles = new ArrayList<>();
        if (last >= first)
        {
            final DeltaFrame frame = new DeltaFrame();
            try (ExcerptAppender appender = store.queue().createAppender())
            {
                for (long version = first; version <= last; version++)
                {
                    if (writtenAt != null)
                    {
                        store.clockOverride(writtenAt.applyAsLong(version));
                    }
                    bridge.frame(version, frame);
                    final int length = frame.frameLength();
                    final long frameEnd;
                    try (DocumentContext dc = appender.writingDocument())
                    {
                        dc.wire().bytes().write(BytesStore.wrap(frame.buffer().addressOffset(), length), 0L, (long)length);
                        frameEnd = dc.wire().bytes().writePosition();
                    }
                    bytes += length;
                    final int frameCycle = appender.cycle();
                    store.rollIfFull(frameCycle, frameEnd, length);
                    if (frameCycle != cycle)
                    {
                        cycle = frameCycle;
                        manifest.cycleStarted(cycle, version);
                    }
                    if (cycles.isEmpty() || cycles.get(cycles.size() - 1).intValue() != frameCycle)
                    {
                        cycles.add(frameCycle);
                    }
                }
            }
            finally
            {
                store.clockOverride(Long.MIN_VALUE);
            }
            if (force)
            {
                forceCycles(store, cycles);
            }
        }
        final long copied = Math.max(0, last - queueLastVersion);
        final String description = "bridge " + bridge.file().getFileName() + ": versions " + (bridge.baseVersion() + 1) +
            ".." + last + " (" + bridge.frameCount() + " frame(s)), " + copied + " copied into the queue" +
            (bridge.tornOffset() < 0 ? "" : "; a torn tail of " + (bridge.fileLength() - bridge.tornOffset()) +
                " byte(s) at offset " + bridge.tornOffset() + " dropped (a write the process did not finish)");
        return new Result(Math.max(last, queueLastVersion), cycle, copied, bytes, description);
    }

    /**
     * Check that the bridge continues the queue: no version missing between them, and the versions both hold are the
     * same frames.
     *
     * @throws JournalException naming the bridge and the offset where it disagrees.
     */
    static void check(final ChronicleJournalStore store, final JournalBridgeContents bridge, final long queueLastVersion)
    {
        if (bridge.baseVersion() > queueLastVersion)
        {
            throw new JournalException("journal bridge file " + bridge.file() + " continues after version=" +
                bridge.baseVersion() + " (its base version, offset " + JournalBridgeDescriptor.BASE_VERSION_OFFSET +
                ") but the queue in " + store.directory() + " ends at version=" + queueLastVersion + ": versions " +
                (queueLastVersion + 1) + ".." + bridge.baseVersion() + " are in neither; nothing was written. Restore the " +
                "journal from a backup, or move the bridge aside and reopen accepting the loss (acceptJournalLoss(true): its " +
                "versions are then lost, and reported)");
        }
        checkOverlap(store, bridge, queueLastVersion);
    }

    /**
     * The versions both hold (a copy a crash cut short) must be the same frames: the copy is verbatim, so their CRCs
     * agree.
     */
    private static void checkOverlap(final ChronicleJournalStore store, final JournalBridgeContents bridge,
        final long queueLastVersion)
    {
        final long from = bridge.baseVersion() + 1;
        final long to = Math.min(queueLastVersion, bridge.lastVersion());
        if (to < from)
        {
            return;
        }
        final DeltaFrame bridged = new DeltaFrame();
        try (JournalReader reader = new JournalReader(store))
        {
            final long[] next = {from};
            reader.replay(from, to, queued ->
            {
                final long version = queued.version();
                if (version != next[0])
                {
                    return;
                }
                bridge.frame(version, bridged);
                final int queuedCrc = queued.buffer().getInt(queued.frameLength() - CRC_LENGTH);
                final int bridgedCrc = bridged.buffer().getInt(bridged.frameLength() - CRC_LENGTH);
                if (queued.frameLength() != bridged.frameLength() || queuedCrc != bridgedCrc)
                {
                    throw new JournalException("journal bridge file " + bridge.file() + " holds at offset " +
                        bridge.offsetOf(version) + " a frame of version=" + version + " that differs from the queue's " +
                        "(length " + bridged.frameLength() + " vs " + queued.frameLength() + ", CRC32C " +
                        Integer.toHexString(bridgedCrc) + " vs " + Integer.toHexString(queuedCrc) + "): the bridge is " +
                        "not the one this queue was copied from; nothing was written. Move it aside and reopen accepting the " +
                        "loss (acceptJournalLoss(true): its versions after the queue's are then lost, and reported)");
                }
                next[0]++;
            });
            if (next[0] != to + 1)
            {
                throw new JournalException("journal in " + store.directory() + " ends at version=" + queueLastVersion +
                    " but its frames " + next[0] + ".." + to + " were not found to compare with the bridge file " +
                    bridge.file() + "; nothing was written");
            }
        }
    }

    private static void forceCycles(final ChronicleJournalStore store, final List<Integer> cycles)
    {
        try
        {
            for (final int cycle : cycles)
            {
                final File file = store.fileForCycle(cycle);
                if (file != null)
                {
                    try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.READ))
                    {
                        channel.force(false);
                    }
                }
            }
            try (FileChannel directory = FileChannel.open(store.directory(), StandardOpenOption.READ))
            {
                directory.force(true);
            }
        }
        catch (final IOException ex)
        {
            throw new JournalException("journal in " + store.directory() + " could not force the frames copied from its " +
                "bridge file: " + ex + "; the bridge is kept", ex);
        }
    }
}
