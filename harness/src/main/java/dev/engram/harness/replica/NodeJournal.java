package dev.engram.harness.replica;

import dev.engram.journal.DeltaFrame;
import dev.engram.journal.OpType;
import dev.engram.recovery.ReadOnlyState;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads what a node's journal holds at each version into a {@link SoakHistory}, with {@link ReadOnlyState} (read-only,
 * no lock: the node may be running, killed or frozen meanwhile). Each version's content is the soak write's key in it
 * and the digest of its ops ({@link SoakWrite.Digest}).
 */
final class NodeJournal
{
    private NodeJournal()
    {
    }

    /**
     * Read {@code node}'s frames from the version after the last one read up to {@code upTo}.
     *
     * @return the highest version read of this node so far (below {@code upTo} while its journal has not written
     * the rest yet).
     */
    static long readUpTo(final String node, final Path engramDirectory, final long upTo, final SoakHistory history)
    {
        final long from = history.readThrough(node) + 1;
        if (from > upTo || !Files.isDirectory(engramDirectory.resolve("journal")))
        {
            return from - 1;
        }
        try (ReadOnlyState state = ReadOnlyState.open(engramDirectory))
        {
            final long[] first = {0};
            state.frames(from, upTo, frame ->
            {
                first[0] = first[0] == 0 ? frame.version() : first[0];
                history.observe(node, frame.version(), content(frame));
            });
            // versions not read yet that the journal no longer holds because it starts after them (a snapshot install
            // replaced it, or retention removed them); a gap inside the journal stays a gap
            final long firstHeld = state.historyRange().firstJournalVersion();
            if (first[0] > from && firstHeld >= first[0])
            {
                history.unreadable(node, from, first[0] - 1);
            }
            else if (first[0] == 0 && firstHeld > from && state.historyRange().newestVersion() >= firstHeld)
            {
                history.unreadable(node, from, Math.min(firstHeld - 1, upTo));
            }
        }
        return history.readThrough(node);
    }

    /**
     * Read {@code node}'s whole journal again: what it holds at a version read before must not have changed
     * ({@link SoakHistory#reobserve}).
     */
    static void reread(final String node, final Path engramDirectory, final SoakHistory history)
    {
        try (ReadOnlyState state = ReadOnlyState.open(engramDirectory))
        {
            state.frames(1, Long.MAX_VALUE, frame -> history.reobserve(node, frame.version(), content(frame)));
        }
    }

    /** @return a frame's content: the first op key under {@link SoakWrite#PREFIX} ("" if none) and its ops' digest. */
    static SoakHistory.VersionContent content(final DeltaFrame frame)
    {
        final SoakWrite.Digest digest = new SoakWrite.Digest();
        String key = "";
        while (frame.nextOp())
        {
            final OpType type = frame.opType();
            final String opKey = frame.key();
            final byte[] data = new byte[type == OpType.DELETE ? 0 : frame.dataLength()];
            frame.buffer().getBytes(frame.dataOffset(), data);
            digest.op(type, opKey, frame.patchOffset(), data);
            if (key.isEmpty() && opKey.startsWith(SoakWrite.PREFIX))
            {
                key = opKey;
            }
        }
        return new SoakHistory.VersionContent(key, digest.value());
    }
}
