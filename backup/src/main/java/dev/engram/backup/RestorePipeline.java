package dev.engram.backup;

import dev.engram.backup.internal.format.ChunkId;
import dev.engram.backup.internal.format.Manifest;
import dev.engram.backup.internal.format.PackEntry;
import dev.engram.backup.internal.format.PackFormat;
import dev.engram.backup.internal.format.Sealer;
import dev.engram.backup.internal.repository.ChunkIndex;
import dev.engram.backup.internal.repository.ChunkReader;
import dev.engram.backup.internal.repository.MissingChunkException;
import dev.engram.backup.storage.BackupStorage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Writes a backup's files from the repository (for {@link Restore}): each file's chunks, in file order, are grouped
 * into reads, a read being one chunk or a run of chunks that lie next to each other in one pack (one ranged read of
 * at most {@link #MAX_READ_BYTES}, the way a full backup stored a file's new chunks); reads run on the
 * {@link Workers}, each verifying every chunk of it ({@link ChunkReader#verify}: CRC32C, decryption, decoding,
 * SHA-256) before writing it at its place in its file. The caller takes the reads in file order, a bounded window
 * ahead, and forces and closes a file once its last read is done; the first failure in that order is the one thrown,
 * as a restore on one thread would throw it. A read of several chunks that fails to read (a pack cut short or gone)
 * is read again chunk by chunk, so the error names the chunk as a single read does.
 */
final class RestorePipeline
{
    /** The longest coalesced read (stored bytes). */
    static final int MAX_READ_BYTES = 2 << 20;

    /** Creates a file of the restored directory, empty, for writing. */
    @FunctionalInterface
    interface FileCreator
    {
        FileChannel create(Manifest.File file) throws IOException;
    }

    private final BackupStorage storage;
    private final Sealer sealer;
    private final ChunkIndex index;
    private final Workers workers;
    private final ProgressMeter meter;
    private final Map<Integer, ChunkId> zeroIds = new HashMap<>();

    RestorePipeline(final BackupStorage storage, final Sealer sealer, final ChunkIndex index, final Workers workers,
        final ProgressMeter meter)
    {
        this.storage = storage;
        this.sealer = sealer;
        this.index = index;
        this.workers = workers;
        this.meter = meter;
    }

    /** One chunk of a read: where it is in its pack, and where it goes in its file. */
    private record Piece(PackEntry entry, long position)
    {
    }

    /** One ranged read of a pack: {@code pieces} lie one after another from {@code offset}. */
    private static final class Read
    {
        final String packKey;
        final long offset;
        final List<Piece> pieces = new ArrayList<>(1);
        long length;

        Read(final String packKey, final long offset)
        {
            this.packKey = packKey;
            this.offset = offset;
        }

        boolean continuesWith(final String key, final PackEntry entry)
        {
            return packKey.equals(key) && offset + length == entry.offset() &&
                length + entry.storedLength() <= MAX_READ_BYTES;
        }

        void add(final Piece piece)
        {
            pieces.add(piece);
            length += piece.entry().storedLength();
        }
    }

    /** A file being written, and its reads not yet taken by the caller. */
    private static final class OpenFile
    {
        final Manifest.File file;
        final FileChannel channel;
        int pending;

        OpenFile(final Manifest.File file, final FileChannel channel)
        {
            this.file = file;
            this.channel = channel;
        }
    }

    private record InFlight(CompletableFuture<Void> future, OpenFile file)
    {
    }

    /**
     * Writes every file.
     *
     * @return their bytes
     * @throws MissingChunkException if no pack holds a chunk (the caller checked them all first)
     */
    long write(final List<Manifest.File> files, final FileCreator create) throws IOException
    {
        long bytes = 0;
        long chunks = 0;
        for (final Manifest.File file : files)
        {
            bytes += file.length();
            chunks += file.chunks().size();
        }
        meter.addTotals(bytes, files.size(), chunks);
        final int window = workers.parallelism() == 1 ? 1 : 4 * workers.parallelism();
        final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
        final List<OpenFile> open = new ArrayList<>();
        try
        {
            for (final Manifest.File file : files)
            {
                final OpenFile target = new OpenFile(file, create.create(file));
                open.add(target);
                final List<Read> reads = plan(file);
                target.pending = reads.size();
                if (reads.isEmpty())
                {
                    finish(target, open);
                }
                for (final Read read : reads)
                {
                    while (inFlight.size() >= window)
                    {
                        take(inFlight.poll(), open);
                    }
                    inFlight.add(new InFlight(workers.submit(() -> run(read, target.channel)), target));
                }
            }
            while (!inFlight.isEmpty())
            {
                take(inFlight.poll(), open);
            }
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            Workers.settle(inFlight.stream().map(InFlight::future).toList());
            for (final OpenFile file : open)
            {
                try
                {
                    file.channel.close();
                }
                catch (final IOException closing)
                {
                    ex.addSuppressed(closing);
                }
            }
            throw ex;
        }
        return bytes;
    }

    private void take(final InFlight read, final List<OpenFile> open) throws IOException
    {
        Workers.await(read.future());
        if (--read.file().pending == 0)
        {
            finish(read.file(), open);
        }
    }

    /** A file whose chunks are all written: its length set (a hole at the end), forced and closed. */
    private void finish(final OpenFile target, final List<OpenFile> open) throws IOException
    {
        if (target.channel.size() < target.file.length())
        {
            target.channel.write(ByteBuffer.allocate(1), target.file.length() - 1);
        }
        target.channel.force(true);
        target.channel.close();
        open.remove(target);
        meter.fileDone();
    }

    /** The reads of a file's chunks; a chunk of zeros is no read (it stays a hole) and counts as done now. */
    private List<Read> plan(final Manifest.File file) throws IOException
    {
        final List<Read> reads = new ArrayList<>();
        Read current = null;
        long position = 0;
        for (final Manifest.ChunkRef ref : file.chunks())
        {
            if (ref.id().equals(zeroId(ref.rawLength())))
            {
                meter.chunksDone(ref.rawLength(), 1);
            }
            else
            {
                final ChunkIndex.Location location = index.find(ref.id());
                if (location == null)
                {
                    throw new MissingChunkException(ref.id());
                }
                final String key = PackFormat.packKey(location.packId());
                if (current == null || !current.continuesWith(key, location.entry()))
                {
                    current = new Read(key, location.entry().offset());
                    reads.add(current);
                }
                current.add(new Piece(location.entry(), position));
            }
            position += ref.rawLength();
        }
        return reads;
    }

    /** On a worker: the read, each chunk verified and written at its place. */
    private Void run(final Read read, final FileChannel channel) throws IOException
    {
        final byte[] bytes;
        try
        {
            bytes = storage.get(read.packKey, read.offset, (int)read.length);
        }
        catch (final IOException ex)
        {
            if (read.pieces.size() == 1)
            {
                throw ex;
            }
            for (final Piece piece : read.pieces)   // chunk by chunk: the first that fails is named as alone
            {
                final PackEntry entry = piece.entry();
                write(read.packKey, piece, storage.get(read.packKey, entry.offset(), entry.storedLength()), channel);
            }
            return null;
        }
        for (final Piece piece : read.pieces)
        {
            final int from = (int)(piece.entry().offset() - read.offset);
            write(read.packKey, piece, read.pieces.size() == 1 ? bytes :
                Arrays.copyOfRange(bytes, from, from + piece.entry().storedLength()), channel);
        }
        return null;
    }

    private void write(final String packKey, final Piece piece, final byte[] stored, final FileChannel channel)
        throws IOException
    {
        final ByteBuffer plain = ByteBuffer.wrap(ChunkReader.verify(packKey, piece.entry(), stored, sealer));
        long position = piece.position();
        while (plain.hasRemaining())
        {
            position += channel.write(plain, position);
        }
        meter.chunksDone(plain.capacity(), 1);
    }

    private ChunkId zeroId(final int length)
    {
        return zeroIds.computeIfAbsent(length, n -> ChunkId.of(new byte[n]));
    }
}
