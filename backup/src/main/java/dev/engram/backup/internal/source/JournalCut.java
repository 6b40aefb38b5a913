package dev.engram.backup.internal.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Point-in-time restore's last step on a restored (not yet opened) state directory: end its journal right after the
 * frame of one version, as a crash right after that frame would have left it, so that the store opens at exactly
 * that version. Reads the cycle files per their documented layout (docs/journal.md: Chronicle documents, a 4-byte
 * header — bit 31 not complete, bit 30 metadata, bits 0..29 the body length, 0 the end of the data,
 * {@code 0xC0000000} the end of the cycle file; a data document's body is a delta frame, journal's {@code DeltaFrameDescriptor}:
 * flags at 5, version at 8, timestamp at 16).
 * <p>
 * What it changes: the cycle file holding the frame is truncated after it and extended back to its length (a hole
 * of zeros: "nothing written yet"); later cycle files are deleted; so are the journal manifest and its reserve
 * (an open builds a new one from the files; the old one recorded versions after the cut, a loss), Chronicle's
 * {@code metadata.cq4t} (rebuilt from the files) and the {@code clean-shutdown} record (it names the old end).
 */
public final class JournalCut
{
    private static final int HEADER = 4;
    private static final int NOT_COMPLETE = 0x8000_0000;
    private static final int META_DATA = 0x4000_0000;
    private static final int LENGTH_MASK = 0x3FFF_FFFF;
    private static final int END_OF_DATA = NOT_COMPLETE | META_DATA;
    private static final int FLAG_TRIM = 0x02;

    /** A frame found: its version, timestamp and where its document ends. */
    record Frame(Path file, long version, long timestampEpochNs, long end)
    {
    }

    private JournalCut()
    {
    }

    /**
     * The highest version stamped at or before {@code epochNs}, or -1 if every frame of the restored journal is later.
     */
    public static long lastVersionAtOrBefore(final Path stateDirectory, final long epochNs) throws IOException
    {
        // every frame: the journal's stamps can step back (its clock re-samples the wall clock's offset each second),
        // so the highest version stamped at or before the instant is not always just before the first one after it
        final long[] found = {-1};
        walk(stateDirectory, frame ->
        {
            if (frame.timestampEpochNs() <= epochNs)
            {
                found[0] = Math.max(found[0], frame.version());
            }
            return false;
        });
        return found[0];
    }

    /** Every frame's timestamp by version (tests compare with what a source store's journal holds). */
    public static java.util.TreeMap<Long, Long> timestamps(final Path stateDirectory) throws IOException
    {
        final java.util.TreeMap<Long, Long> stamps = new java.util.TreeMap<>();
        walk(stateDirectory, frame ->
        {
            stamps.put(frame.version(), frame.timestampEpochNs());
            return false;
        });
        return stamps;
    }

    /**
     * End the journal of the restored directory right after the frame of {@code version}.
     *
     * @throws IOException if no cycle file holds that frame
     */
    public static void cutAfter(final Path stateDirectory, final long version) throws IOException
    {
        final Frame[] found = {null};
        walk(stateDirectory, frame ->
        {
            if (frame.version() == version)
            {
                found[0] = frame;
                return true;
            }
            return frame.version() > version;
        });
        if (found[0] == null)
        {
            throw new IOException("the restored journal holds no frame of version=" + version);
        }
        final Path journal = stateDirectory.resolve("journal");
        final Path cycle = found[0].file();
        try (FileChannel channel = FileChannel.open(cycle, StandardOpenOption.WRITE))
        {
            final long length = channel.size();
            channel.truncate(found[0].end());
            channel.write(ByteBuffer.allocate(1), length - 1);
            channel.force(true);
        }
        for (final Path later : cycleFiles(journal))
        {
            if (later.getFileName().toString().compareTo(cycle.getFileName().toString()) > 0)
            {
                Files.delete(later);
            }
        }
        Files.deleteIfExists(journal.resolve("engram-journal.manifest"));
        Files.deleteIfExists(journal.resolve("engram-journal.manifest.reserve"));
        Files.deleteIfExists(journal.resolve("metadata.cq4t"));
        Files.deleteIfExists(stateDirectory.resolve("clean-shutdown"));
    }

    @FunctionalInterface
    private interface Visitor
    {
        /** @return true to stop */
        boolean onFrame(Frame frame);
    }

    private static void walk(final Path stateDirectory, final Visitor visitor) throws IOException
    {
        for (final Path file : cycleFiles(stateDirectory.resolve("journal")))
        {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
            {
                final long size = channel.size();
                long position = 0;
                final ByteBuffer word = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
                final ByteBuffer head = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
                while (position + HEADER <= size)
                {
                    word.clear();
                    read(channel, word, position);
                    final int header = word.getInt(0);
                    if (header == 0 || header == END_OF_DATA || (header & NOT_COMPLETE) != 0)
                    {
                        break;
                    }
                    final long next = (position + HEADER + (header & LENGTH_MASK) + 3) & ~3L;
                    if ((header & META_DATA) == 0 && (header & LENGTH_MASK) >= 24)
                    {
                        head.clear();
                        read(channel, head, position + HEADER);
                        if ((head.get(5) & FLAG_TRIM) == 0 &&
                            visitor.onFrame(new Frame(file, head.getLong(8), head.getLong(16), next)))
                        {
                            return;
                        }
                    }
                    position = next;
                }
            }
        }
    }

    private static List<Path> cycleFiles(final Path journal) throws IOException
    {
        if (!Files.isDirectory(journal))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(journal))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private static void read(final FileChannel channel, final ByteBuffer target, final long at) throws IOException
    {
        long position = at;
        while (target.hasRemaining())
        {
            final int read = channel.read(target, position);
            if (read < 0)
            {
                break;
            }
            position += read;
        }
    }
}
