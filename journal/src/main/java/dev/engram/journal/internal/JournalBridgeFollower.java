package dev.engram.journal.internal;

import dev.engram.journal.DeltaFrame;
import dev.engram.journal.FrameHandler;
import dev.engram.journal.JournalBridgeDescriptor;
import dev.engram.journal.JournalException;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.zip.CRC32C;

import static dev.engram.journal.DeltaFrameDescriptor.FLAG_TRIM;
import static dev.engram.journal.DeltaFrameDescriptor.FRAME_LENGTH_OFFSET;
import static dev.engram.journal.DeltaFrameDescriptor.MIN_FRAME_LENGTH;
import static dev.engram.journal.JournalBridgeDescriptor.BASE_VERSION_OFFSET;
import static dev.engram.journal.JournalBridgeDescriptor.FIRST_FRAME_OFFSET;
import static dev.engram.journal.JournalBridgeDescriptor.HEADER_CRC_OFFSET;
import static dev.engram.journal.JournalBridgeDescriptor.HEADER_LENGTH;
import static dev.engram.journal.JournalBridgeDescriptor.MAGIC;

/**
 * Not API (for the recovery module's applier): follows the frames the journal thread writes to the bridge file
 * ({@link JournalBridgeDescriptor}) while a background open's Chronicle queue is still opening, so they can be applied
 * (made readable) before the queue is open — a thread's read right after a reopen then sees its own commit within
 * milliseconds instead of after the queue's cold start (issue 14).
 * <p>
 * Reads only versions the journal has published as written ({@code writtenVersion}), with positional reads through a
 * channel of its own (the writer's channel is closed for the copy, and the file removed after it; an open channel
 * still reads a removed file). Each poll reads afresh: bytes read before a version was published are never trusted
 * for it. Every frame is verified (length, CRC32C, op bounds) and must carry the next version.
 * <p>
 * Once the queue is open (its frames include the bridge's, copied), failed or abandoned,
 * {@link #poll} returns {@link #QUEUE_SETTLED}: the caller follows the queue from its next version instead.
 * The frames delivered have no location in the queue ({@link DeltaFrame#filePosition()} is -1): a handler that keeps
 * references into the journal must copy their values. One thread; the read buffer is a direct buffer owned by this
 * object (freed with it by the garbage collector; {@link #close} closes the channel).
 */
public final class JournalBridgeFollower implements AutoCloseable
{
    /** {@link #poll} result: the queue is open (or failed, or the wait for it was abandoned): follow the queue. */
    public static final int QUEUE_SETTLED = -1;
    private static final int READ_CHUNK = 64 * 1024;

    private final Path file;
    private final LongSupplier writtenVersion;
    private final BooleanSupplier queueSettled;
    private final DeltaFrame frame = new DeltaFrame();
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private ByteBuffer chunk = ByteBuffer.allocateDirect(READ_CHUNK);
    private long chunkFileOffset;
    private int chunkLength;
    private FileChannel channel;
    /** The first version to deliver. */
    private long nextVersion;
    /** The file offset of the next frame in the file, and its version. */
    private long position = FIRST_FRAME_OFFSET;
    private long versionAtPosition;
    /** The bridge starts after the version wanted: its frames are of no use, wait for the queue. */
    private boolean startsLate;
    private boolean closed;

    /**
     * @param file           the journal's bridge file (it may not exist yet, or any more).
     * @param writtenVersion the journal's written version (published after the bytes are in the file).
     * @param queueSettled   true once the queue is open, failed or abandoned.
     * @param fromVersion    the first version to deliver.
     */
    public JournalBridgeFollower(final Path file, final LongSupplier writtenVersion, final BooleanSupplier queueSettled,
        final long fromVersion)
    {
        this.file = file;
        this.writtenVersion = writtenVersion;
        this.queueSettled = queueSettled;
        this.nextVersion = fromVersion;
    }

    /**
     * Deliver up to {@code limit} frames written to the bridge since the last poll, in version order. If the handler
     * throws, the frame it was given is not consumed: the next poll delivers it again.
     *
     * @return frames delivered (0: nothing new yet), or {@link #QUEUE_SETTLED}.
     * @throws JournalException if a frame the journal published as written does not read back whole.
     */
    public int poll(final FrameHandler handler, final int limit)
    {
        if (closed)
        {
            throw new IllegalStateException("bridge follower is closed: " + file);
        }
        if (queueSettled.getAsBoolean())
        {
            return QUEUE_SETTLED;
        }
        final long written = writtenVersion.getAsLong();
        if (written < nextVersion || startsLate)
        {
            return 0;
        }
        if (channel == null && !openChannel())
        {
            return queueSettled.getAsBoolean() ? QUEUE_SETTLED : 0;
        }
        chunkLength = 0;   // bytes read before this poll may predate a version published since: read again
        int delivered = 0;
        while (delivered < limit && versionAtPosition <= written && !startsLate)
        {
            if (!load(position, MIN_FRAME_LENGTH))
            {
                return endOfBridge(delivered, "ends before the frame of version=" + versionAtPosition);
            }
            final int frameLength = view.getInt(at(position) + FRAME_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
            // validated against the file before a buffer is sized by it: a damaged length must not allocate gigabytes
            if (frameLength < MIN_FRAME_LENGTH || frameLength > fileLength() - position || !load(position, frameLength))
            {
                return endOfBridge(delivered, "frame of version=" + versionAtPosition + " has length " + frameLength +
                    " and is cut short");
            }
            frame.wrap(view, at(position), frameLength);
            final DeltaFrame.Check check = frame.verify();
            if (check != DeltaFrame.Check.OK || (frame.flags() & FLAG_TRIM) != 0 || frame.version() != versionAtPosition)
            {
                return endOfBridge(delivered, "frame of version=" + versionAtPosition + " fails its check (" + check +
                    ", version " + frame.version() + ")");
            }
            if (versionAtPosition >= nextVersion)
            {
                handler.onFrame(frame);
                nextVersion = versionAtPosition + 1;
                delivered++;
            }
            position += frameLength;
            versionAtPosition++;
        }
        return delivered;
    }

    /**
     * @return the next version this follower delivers.
     */
    public long nextVersion()
    {
        return nextVersion;
    }

    /**
     * The bridge does not hold a frame the journal published as written: the queue opened meanwhile (its writer wrote
     * it), or the bridge is damaged.
     */
    private int endOfBridge(final int delivered, final String what)
    {
        if (queueSettled.getAsBoolean())
        {
            return delivered > 0 ? delivered : QUEUE_SETTLED;
        }
        throw damaged(position, what + " although the journal wrote up to version=" + writtenVersion.getAsLong());
    }

    private JournalException damaged(final long offset, final String what)
    {
        return new JournalException("journal bridge file " + file + " at offset " + offset + ": " + what + ". The " +
            "applier stops; the journal's own open copies or refuses the bridge: close the store and reopen it (./engram " +
            "verify checks the files)");
    }

    private long fileLength()
    {
        try
        {
            return channel.size();
        }
        catch (final IOException ex)
        {
            throw damaged(position, "could not be sized (" + ex + ")");
        }
    }

    private int at(final long filePosition)
    {
        return (int)(filePosition - chunkFileOffset);
    }

    /**
     * @return true once bytes [from, from + length) are in the chunk; false if the file ends first.
     */
    private boolean load(final long from, final int length)
    {
        if (from >= chunkFileOffset && from + length <= chunkFileOffset + chunkLength)
        {
            return true;
        }
        if (chunk.capacity() < length)
        {
            chunk = ByteBuffer.allocateDirect(Math.max(length, chunk.capacity() * 2));
        }
        chunk.clear();
        chunkFileOffset = from;
        chunkLength = 0;
        try
        {
            while (chunk.hasRemaining())
            {
                final int n = channel.read(chunk, from + chunk.position());
                if (n < 0)
                {
                    break;
                }
            }
        }
        catch (final IOException ex)
        {
            throw damaged(from, "could not be read (" + ex + ")");
        }
        chunkLength = chunk.position();
        view.wrap(chunk, 0, Math.max(chunkLength, 0));
        return chunkLength >= length;
    }

    private boolean openChannel()
    {
        try
        {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        }
        catch (final NoSuchFileException ex)
        {
            return false;   // not created yet, or removed once copied into the queue
        }
        catch (final IOException ex)
        {
            throw damaged(0, "could not be opened (" + ex + ")");
        }
        if (!load(0, HEADER_LENGTH) || !headerValid())
        {
            throw damaged(0, "has no valid header although the journal wrote versions to it");
        }
        final long baseVersion = view.getLong(BASE_VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
        versionAtPosition = baseVersion + 1;
        startsLate = versionAtPosition > nextVersion;
        return true;
    }

    private boolean headerValid()
    {
        for (int i = 0; i < MAGIC.length; i++)
        {
            if (view.getByte(i) != MAGIC[i])
            {
                return false;
            }
        }
        final CRC32C crc = new CRC32C();
        final byte[] header = new byte[HEADER_CRC_OFFSET];
        view.getBytes(0, header);
        crc.update(header);
        return view.getInt(HEADER_CRC_OFFSET, ByteOrder.LITTLE_ENDIAN) == (int)crc.getValue();
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // read-only: nothing to lose
            }
        }
    }
}
