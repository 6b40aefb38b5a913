package dev.engram.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

import static dev.engram.journal.JournalBridgeDescriptor.*;

/**
 * The bridge file being written ({@link JournalBridgeDescriptor}): created with its header when the first frame
 * arrives while the queue opens, then appended by the journal thread with positional writes (written = in the page
 * cache: survives the process dying). A caller that needs a version on disk forces it ({@link #forceUpTo}) from its
 * own thread; the journal thread closes the file ({@link #closeForCopy}) before it copies the frames into the queue,
 * after which no force touches it.
 */
final class JournalBridgeFile
{
    private final Path file;
    private final FileChannel channel;
    private long position;
    private volatile long lastVersion;
    private volatile long syncedVersion;
    private boolean directoryForced;
    private boolean closed;

    private JournalBridgeFile(final Path file, final FileChannel channel, final long baseVersion)
    {
        this.file = file;
        this.channel = channel;
        this.position = FIRST_FRAME_OFFSET;
        this.lastVersion = baseVersion;
        this.syncedVersion = baseVersion;
    }

    /**
     * Create the bridge in {@code directory} with its header; fails if one is there already (a journal opened in the
     * background never starts with a bridge: {@link Journal#openInBackground} refuses one).
     */
    static JournalBridgeFile create(final Path directory, final long baseVersion) throws IOException
    {
        final Path file = directory.resolve(FILE_NAME);
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            StandardOpenOption.READ);
        try
        {
            dev.engram.journal.internal.DirectoryLock.setOwnerOnly(file, "rw-------");
            final ByteBuffer header = header(baseVersion);
            while (header.hasRemaining())
            {
                channel.write(header, header.position());
            }
            // before any version of the bridge is published: a bridge deleted later is then detected (a loss)
            JournalBridgeMark.write(directory, baseVersion);
            return new JournalBridgeFile(file, channel, baseVersion);
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            Files.deleteIfExists(JournalBridgeMark.path(directory));
            Files.deleteIfExists(file);
            throw ex;
        }
    }

    /**
     * @return the 32-byte header of a bridge whose first frame is {@code baseVersion + 1}, ready to write.
     */
    static ByteBuffer header(final long baseVersion)
    {
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.put(MAGIC_OFFSET, MAGIC);
        header.putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        header.putInt(RESERVED_OFFSET, 0);
        header.putLong(BASE_VERSION_OFFSET, baseVersion);
        final CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, HEADER_CRC_OFFSET);
        header.putInt(HEADER_CRC_OFFSET, (int)crc.getValue());
        header.putInt(RESERVED_2_OFFSET, 0);
        return header;
    }

    Path file()
    {
        return file;
    }

    /**
     * @return the byte position the next frame goes to (the file's length).
     */
    long length()
    {
        return position;
    }

    /**
     * Journal thread: append sealed frames ending at {@code lastVersion}.
     */
    void append(final ByteBuffer frames, final long lastVersion) throws IOException
    {
        while (frames.hasRemaining())
        {
            position += channel.write(frames, position);
        }
        this.lastVersion = lastVersion;
    }

    /**
     * @return the last version forced to disk in the bridge.
     */
    long syncedVersion()
    {
        return syncedVersion;
    }

    /**
     * Force every frame appended so far (and, the first time, the mark and the directory, which lists both files).
     *
     * @param version appended already (the caller waited until it was written).
     * @return true if it is on disk now; false if the bridge was closed for the copy (the queue then has it).
     */
    synchronized boolean forceUpTo(final long version) throws IOException
    {
        if (closed)
        {
            return false;
        }
        if (syncedVersion >= version)
        {
            return true;
        }
        final long appended = lastVersion;
        channel.force(false);
        if (!directoryForced)
        {
            JournalBridgeMark.force(file.getParent());
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ))
            {
                dir.force(true);
            }
            directoryForced = true;
        }
        syncedVersion = appended;
        return appended >= version;
    }

    /**
     * Journal thread: no more appends or forces; the file stays until its frames are in the queue.
     *
     * @return the last version forced in the bridge.
     */
    synchronized long closeForCopy() throws IOException
    {
        if (!closed)
        {
            closed = true;
            channel.close();
        }
        return syncedVersion;
    }
}
