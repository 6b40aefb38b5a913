package dev.engram.backup;

import dev.engram.backup.internal.format.ChunkCodec;
import dev.engram.backup.internal.format.ChunkId;
import dev.engram.backup.internal.format.Manifest;
import dev.engram.backup.internal.format.Sealer;
import dev.engram.backup.internal.repository.PackWriter;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads, hashes and compresses the pieces of the files being backed up on {@code parallelism} threads, a bounded
 * window of pieces ahead of the calling thread, which takes the results in file order and hands the new chunks to
 * the {@link PackWriter} (the only one to touch it and the index). A worker skips the compression of a chunk the
 * repository held when the backup started; the caller's check against the index and the pack being filled
 * decides.
 */
final class ChunkPipeline implements AutoCloseable
{
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final ExecutorService pool;
    private final int window;
    private final Set<ChunkId> known;
    private final int zstdLevel;
    private final Sealer sealer;
    private final ProgressMeter meter;

    /**
     * @param sealer seals each new chunk's stored bytes on the worker that encoded it (encrypted repositories)
     * @param meter  counts each piece as the caller takes it
     */
    ChunkPipeline(final int parallelism, final Set<ChunkId> known, final int zstdLevel, final Sealer sealer,
        final ProgressMeter meter)
    {
        this.pool = parallelism == 1 ? null : Executors.newFixedThreadPool(parallelism, r ->
        {
            final Thread thread = new Thread(r, "engram-backup-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.window = 4 * parallelism;
        this.known = known;
        this.zstdLevel = zstdLevel;
        this.sealer = sealer;
        this.meter = meter;
    }

    /** The chunk references of one file, its new chunks added to {@code packs}. */
    List<Manifest.ChunkRef> chunk(final FileChannel channel, final Path file, final List<long[]> pieces,
        final PackWriter packs) throws IOException
    {
        return chunk(channel, file, pieces, packs, Long.MAX_VALUE);
    }

    /**
     * As {@link #chunk(FileChannel, Path, List, PackWriter)}, reading only the bytes before {@code readLimit}: the
     * rest of each piece is zeros (a live journal file past the frames the backup holds, being written meanwhile).
     */
    List<Manifest.ChunkRef> chunk(final FileChannel channel, final Path file, final List<long[]> pieces,
        final PackWriter packs, final long readLimit) throws IOException
    {
        final List<Manifest.ChunkRef> refs = new ArrayList<>(pieces.size());
        final ArrayDeque<CompletableFuture<Piece>> inFlight = new ArrayDeque<>();
        int next = 0;
        while (next < pieces.size() || !inFlight.isEmpty())
        {
            while (next < pieces.size() && inFlight.size() < window)
            {
                final long[] piece = pieces.get(next++);
                inFlight.add(pool == null ? CompletableFuture.completedFuture(piece(channel, file, piece, readLimit)) :
                    CompletableFuture.supplyAsync(() -> piece(channel, file, piece, readLimit), pool));
            }
            final Piece piece = await(inFlight.poll());
            if (piece.stored() != null)
            {
                packs.add(piece.id(), piece.stored(), piece.length());
            }
            refs.add(new Manifest.ChunkRef(piece.id(), piece.length()));
            meter.chunksDone(piece.length(), 1);
        }
        return refs;
    }

    private Piece piece(final FileChannel channel, final Path file, final long[] range, final long readLimit)
    {
        final int length = (int)range[1];
        final byte[] bytes = new byte[length];
        try
        {
            readFully(channel, ByteBuffer.wrap(bytes, 0, (int)Math.max(0, Math.min(length, readLimit - range[0]))),
                range[0], file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        final ChunkId id = ChunkId.of(bytes);
        if (known.contains(id))
        {
            return new Piece(id, length, null);
        }
        final ChunkCodec.Stored stored = ChunkCodec.encode(bytes, 0, length, zstdLevel);
        return new Piece(id, length, sealer.encrypted() ?
            new ChunkCodec.Stored(sealer.sealChunk(id, stored.bytes()), stored.codec()) : stored);
    }

    private static Piece await(final CompletableFuture<Piece> future) throws IOException
    {
        try
        {
            return future.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while backing up", ex);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof UncheckedIOException io)
            {
                throw io.getCause();
            }
            if (cause instanceof RuntimeException runtime)
            {
                throw runtime;
            }
            throw new IOException(cause);
        }
    }

    private static void readFully(final FileChannel channel, final ByteBuffer target, final long at, final Path file)
        throws IOException
    {
        long position = at;
        while (target.hasRemaining())
        {
            final int read = channel.read(target, position);
            if (read < 0)
            {
                throw new EOFException(file + " shrank while it was backed up (at " + position + ")");
            }
            position += read;
        }
    }

    @Override
    public void close()
    {
        if (pool != null)
        {
            pool.shutdownNow();
        }
    }

    /**
     * A piece read and hashed.
     *
     * @param id     its chunk id
     * @param length its bytes
     * @param stored its encoded (and in an encrypted repository sealed) form, or null if the repository held it when
     *               the backup started
     */
    private record Piece(ChunkId id, int length, ChunkCodec.Stored stored)
    {
    }
}
