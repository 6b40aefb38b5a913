package dev.engram.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Shared helpers for journal tests: a collecting handler and small contexts.
 */
public final class JournalTestSupport
{
    private JournalTestSupport()
    {
    }

    public static JournalContext smallContext(final Path dir)
    {
        return new JournalContext().directory(dir).ringSlotCount(1024).ringSlotLength(256);
    }

    /** A decoded op, for comparing in tests. */
    public record Op(OpType type, String key, long patchOffset, byte[] data)
    {
    }

    /** A decoded frame. */
    public record Frame(long version, long timestampEpochNs, List<Op> ops)
    {
    }

    public static Frame decode(final DeltaFrame frame)
    {
        final List<Op> ops = new ArrayList<>();
        while (frame.nextOp())
        {
            final byte[] data = new byte[frame.dataLength()];
            frame.buffer().getBytes(frame.dataOffset(), data);
            ops.add(new Op(frame.opType(), frame.key(), frame.patchOffset(), data));
        }
        return new Frame(frame.version(), frame.timestampEpochNs(), ops);
    }

    public static List<Frame> readAll(final Journal journal)
    {
        final List<Frame> frames = new ArrayList<>();
        try (JournalReader reader = journal.newReader())
        {
            reader.replay(1, f -> frames.add(decode(f)));
        }
        return frames;
    }

    public static long directorySize(final Path dir) throws IOException
    {
        try (var files = Files.walk(dir))
        {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
