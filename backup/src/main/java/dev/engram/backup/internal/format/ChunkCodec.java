package dev.engram.backup.internal.format;

import com.github.luben.zstd.Zstd;

import java.util.Arrays;

/**
 * How a chunk's plaintext is stored in a pack: one zstd frame ({@link #ZSTD}), or the plaintext itself
 * ({@link #NONE}) when zstd would not make it smaller.
 */
public final class ChunkCodec
{
    /** Stored as the plaintext. */
    public static final int NONE = 0;
    /** Stored as one zstd frame. */
    public static final int ZSTD = 1;

    private ChunkCodec()
    {
    }

    /** The stored form of {@code length} bytes from {@code offset}: the bytes and the codec. */
    public static Stored encode(final byte[] plaintext, final int offset, final int length, final int zstdLevel)
    {
        final byte[] bound = new byte[(int)Zstd.compressBound(length)];
        final long written = Zstd.compressByteArray(bound, 0, bound.length, plaintext, offset, length, zstdLevel);
        if (Zstd.isError(written))
        {
            throw new IllegalStateException("zstd: " + Zstd.getErrorName(written));
        }
        if (written < length)
        {
            return new Stored(Arrays.copyOf(bound, (int)written), ZSTD);
        }
        return new Stored(Arrays.copyOfRange(plaintext, offset, offset + length), NONE);
    }

    /**
     * The plaintext of a stored chunk.
     *
     * @throws IllegalArgumentException if the stored bytes do not decode to exactly {@code rawLength} bytes
     */
    public static byte[] decode(final byte[] stored, final int codec, final int rawLength)
    {
        if (codec == NONE)
        {
            if (stored.length != rawLength)
            {
                throw new IllegalArgumentException("raw chunk of " + stored.length + " bytes, expected " + rawLength);
            }
            return stored;
        }
        if (codec != ZSTD)
        {
            throw new IllegalArgumentException("unknown chunk codec " + codec);
        }
        final byte[] raw = new byte[rawLength];
        final long read;
        try
        {
            read = Zstd.decompressByteArray(raw, 0, rawLength, stored, 0, stored.length);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException("zstd chunk does not decode to " + rawLength + " bytes: " +
                ex.getMessage(), ex);
        }
        if (Zstd.isError(read) || read != rawLength)
        {
            throw new IllegalArgumentException("zstd chunk does not decode to " + rawLength + " bytes: " +
                (Zstd.isError(read) ? Zstd.getErrorName(read) : read + " bytes"));
        }
        return raw;
    }

    /** A chunk's stored bytes and codec. */
    public record Stored(byte[] bytes, int codec)
    {
    }
}
