package dev.engram.backup.internal.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a store file is cut into chunks. A checkpoint file ({@code checkpoints/ckpt-*.ckp}) is cut at its structure
 * (docs/checkpoint-format.md): the 128-byte header, each data block, then the block table, index and footer; so a
 * block a later full checkpoint repeats byte for byte is stored once. Every other file, and any piece longer than
 * {@code maxChunk}, is cut into {@code maxChunk}-byte pieces. A checkpoint whose footer or block table does not read
 * as the format says is cut like any other file (the backup copies what is there; verifying the store is not its
 * job).
 */
public final class FileChunker
{
    static final int CHECKPOINT_HEADER = 128;
    static final int CHECKPOINT_FOOTER = 128;
    static final int BLOCK_ROW = 32;

    private FileChunker()
    {
    }

    /** Whether the path names a checkpoint file. */
    public static boolean isCheckpoint(final String path)
    {
        return path.startsWith("checkpoints/ckpt-") && path.endsWith(".ckp") && path.indexOf('/', 12) < 0;
    }

    /**
     * The pieces of a file as (offset, length) pairs, in order, covering it exactly.
     *
     * @param checkpoint cut at the checkpoint structure if it reads as one
     */
    public static List<long[]> pieces(final FileChannel file, final boolean checkpoint, final int maxChunk)
        throws IOException
    {
        final long length = file.size();
        final List<long[]> pieces = new ArrayList<>();
        final List<Long> cuts = checkpoint ? checkpointCuts(file, length) : null;
        if (cuts == null)
        {
            split(pieces, 0, length, maxChunk);
            return pieces;
        }
        long from = 0;
        for (final long cut : cuts)
        {
            split(pieces, from, cut, maxChunk);
            from = cut;
        }
        split(pieces, from, length, maxChunk);
        return pieces;
    }

    /**
     * The pieces of {@code length} bytes of which those before {@code cut} hold data and the rest zeros: cut there
     * too, so the zeros are whole zero chunks (a live journal cycle file past the frames backed up).
     */
    public static List<long[]> pieces(final long cut, final long length, final int maxChunk)
    {
        final List<long[]> pieces = new ArrayList<>();
        split(pieces, 0, Math.min(cut, length), maxChunk);
        split(pieces, Math.min(cut, length), length, maxChunk);
        return pieces;
    }

    private static void split(final List<long[]> pieces, final long from, final long to, final int maxChunk)
    {
        for (long at = from; at < to; at += maxChunk)
        {
            pieces.add(new long[] {at, Math.min(maxChunk, to - at)});
        }
    }

    /** The block boundaries of a checkpoint (128, each block's end), or null if it does not read as one. */
    private static List<Long> checkpointCuts(final FileChannel file, final long length) throws IOException
    {
        if (length < CHECKPOINT_HEADER + CHECKPOINT_FOOTER)
        {
            return null;
        }
        final ByteBuffer footer = read(file, length - CHECKPOINT_FOOTER, 24);
        if (footer == null || footer.getLong(0) != magic("ENGRMFTR"))
        {
            return null;
        }
        final long blocks = footer.getLong(8);
        final long tableOffset = footer.getLong(16);
        if (blocks < 0 || blocks > (1 << 24) || tableOffset < CHECKPOINT_HEADER ||
            tableOffset + blocks * BLOCK_ROW > length - CHECKPOINT_FOOTER)
        {
            return null;
        }
        final ByteBuffer table = read(file, tableOffset, (int)(blocks * BLOCK_ROW));
        if (table == null)
        {
            return null;
        }
        final List<Long> cuts = new ArrayList<>((int)blocks + 1);
        long expected = CHECKPOINT_HEADER;
        cuts.add(expected);
        for (int i = 0; i < blocks; i++)
        {
            final long offset = table.getLong(i * BLOCK_ROW);
            final long stored = table.getInt(i * BLOCK_ROW + 8) & 0xffff_ffffL;
            if (offset != expected)
            {
                return null;
            }
            expected = offset + stored;
            cuts.add(expected);
        }
        return expected == tableOffset ? cuts : null;
    }

    private static ByteBuffer read(final FileChannel file, final long at, final int length) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        long position = at;
        while (buffer.hasRemaining())
        {
            final int read = file.read(buffer, position);
            if (read < 0)
            {
                return null;
            }
            position += read;
        }
        return buffer.flip();
    }

    private static long magic(final String ascii)
    {
        long value = 0;
        for (int i = 7; i >= 0; i--)
        {
            value = value << 8 | ascii.charAt(i);
        }
        return value;
    }
}
