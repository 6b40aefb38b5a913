package dev.engram.backup.internal.format;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A chunk's name: the SHA-256 of its plaintext (32 bytes). Equal content has one id, so the repository keeps it
 * once.
 */
public final class ChunkId implements Comparable<ChunkId>
{
    /** Length of an id in bytes. */
    public static final int LENGTH = 32;

    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(ChunkId::newDigest);

    private final byte[] bytes;
    private final int hash;

    private ChunkId(final byte[] bytes)
    {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** The id of {@code length} plaintext bytes from {@code offset}. */
    public static ChunkId of(final byte[] plaintext, final int offset, final int length)
    {
        final MessageDigest digest = SHA_256.get();
        digest.update(plaintext, offset, length);
        return new ChunkId(digest.digest());
    }

    /** The id of the whole array. */
    public static ChunkId of(final byte[] plaintext)
    {
        return of(plaintext, 0, plaintext.length);
    }

    /** The id held in 32 bytes from {@code offset}. */
    public static ChunkId read(final byte[] source, final int offset)
    {
        return new ChunkId(Arrays.copyOfRange(source, offset, offset + LENGTH));
    }

    /** The id written as 64 lower-case hex digits. */
    public static ChunkId parse(final String hex)
    {
        final byte[] bytes = HexFormat.of().parseHex(hex);
        if (bytes.length != LENGTH)
        {
            throw new IllegalArgumentException("a chunk id has 64 hex digits: " + hex);
        }
        return new ChunkId(bytes);
    }

    /** Copies the 32 bytes into {@code target} at {@code offset}. */
    public void write(final byte[] target, final int offset)
    {
        System.arraycopy(bytes, 0, target, offset, LENGTH);
    }

    /** A copy of the 32 bytes. */
    public byte[] bytes()
    {
        return bytes.clone();
    }

    /** 64 lower-case hex digits. */
    public String hex()
    {
        return HexFormat.of().formatHex(bytes);
    }

    static MessageDigest sha256()
    {
        final MessageDigest digest = SHA_256.get();
        digest.reset();
        return digest;
    }

    private static MessageDigest newDigest()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("the JDK has no SHA-256", ex);
        }
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof ChunkId id && id.hash == hash && Arrays.equals(id.bytes, bytes);
    }

    @Override
    public int hashCode()
    {
        return hash;
    }

    @Override
    public int compareTo(final ChunkId other)
    {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public String toString()
    {
        return hex();
    }
}
