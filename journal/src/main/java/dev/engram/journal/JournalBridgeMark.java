package dev.engram.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

import static dev.engram.journal.JournalBridgeDescriptor.*;

/**
 * The bridge's mark ({@code <journal dir>/engram-journal.bridge-mark}): a copy of the bridge file's 32-byte header
 * ({@link JournalBridgeDescriptor}), written right after the bridge is created and before any of its versions is
 * published as written, removed right before the bridge once its frames are in the queue. So while a bridge holds
 * versions the queue may lack, both files exist; a mark without its bridge means the bridge was deleted and the
 * versions after its base version that only it held are lost — reported as a {@link JournalLoss} (refused unless the
 * loss is accepted) instead of passing unnoticed. A mark alone is never needed to read anything: a bridge without a
 * mark (a crash between the two removals, or a deleted mark) is copied as usual.
 */
final class JournalBridgeMark
{
    private JournalBridgeMark()
    {
    }

    static Path path(final Path journalDirectory)
    {
        return journalDirectory.resolve(MARK_FILE_NAME);
    }

    /**
     * Write the mark of a bridge whose first frame is {@code baseVersion + 1} (not forced: {@link #force} does, with
     * the bridge's first force).
     */
    static void write(final Path journalDirectory, final long baseVersion) throws IOException
    {
        final Path file = path(journalDirectory);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            dev.engram.journal.internal.DirectoryLock.setOwnerOnly(file, "rw-------");
            final ByteBuffer header = JournalBridgeFile.header(baseVersion);
            while (header.hasRemaining())
            {
                channel.write(header, header.position());
            }
        }
    }

    static void force(final Path journalDirectory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path(journalDirectory), StandardOpenOption.READ))
        {
            channel.force(false);
        }
    }

    /**
     * @return a loss if the directory holds a mark but no bridge (the bridge was deleted), else null.
     */
    static JournalLoss lossIfBridgeMissing(final Path journalDirectory)
    {
        final Path mark = path(journalDirectory);
        if (!Files.exists(mark) || Files.exists(journalDirectory.resolve(FILE_NAME)))
        {
            return null;
        }
        final long base = baseVersion(mark);
        final String what = "is missing: its mark " + MARK_FILE_NAME + " says a background open wrote commits to it " +
            "while its queue opened, and the process died before they were all copied into the queue" +
            (base < 0 ? " (the mark is damaged: from which version is unknown)" : "") +
            "; the versions it held that the queue lacks are gone. Put the bridge file back (a backup), or accept " +
            "the loss (acceptJournalLoss(true)): the mark is then moved aside";
        return new JournalLoss(journalDirectory.resolve(FILE_NAME).toString(), base < 0 ? -1 : base + 1, -1, what);
    }

    /**
     * @return the mark's base version, or -1 if it is not a bridge header (damaged).
     */
    static long baseVersion(final Path mark)
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(mark);
        }
        catch (final IOException ex)
        {
            return -1;
        }
        if (bytes.length != HEADER_LENGTH || !Arrays.equals(Arrays.copyOf(bytes, MAGIC.length), MAGIC))
        {
            return -1;
        }
        final ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C crc = new CRC32C();
        crc.update(bytes, 0, HEADER_CRC_OFFSET);
        if (buffer.getInt(HEADER_CRC_OFFSET) != (int)crc.getValue() || buffer.getInt(FORMAT_VERSION_OFFSET) != FORMAT_VERSION)
        {
            return -1;
        }
        return buffer.getLong(BASE_VERSION_OFFSET);
    }

    /**
     * Remove the mark (its bridge's frames are in the queue); the bridge goes next.
     */
    static void delete(final Path journalDirectory)
    {
        try
        {
            Files.deleteIfExists(path(journalDirectory));
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException("journal bridge mark " + path(journalDirectory) + " could not be " +
                "removed after the bridge's frames were copied into the queue", ex);
        }
    }
}
