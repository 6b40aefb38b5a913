package dev.engram.backup.internal.format;

import dev.engram.backup.RepositoryCorruptionException;

import java.util.Arrays;

/**
 * A key object, {@code keys/<32 hex digits>}: the repository's master key wrapped (AES-256-GCM) under a key derived
 * from a passphrase or a key file. 128 bytes, little-endian:
 * <pre>
 *   0   8  magic ENGRMKEY
 *   8   4  format version = 1
 *   12  4  kind: 1 passphrase (PBKDF2-HMAC-SHA256), 2 key file (HKDF-SHA256)
 *   16  4  PBKDF2 iterations (0 for a key file)
 *   20  4  reserved, 0
 *   24  32 salt, random
 *   56  8  created, epoch ms
 *   64  12 nonce
 *   76  48 master key (32) encrypted, then the GCM tag (16)
 *   124 4  CRC32C of [0, 124)
 * </pre>
 * The wrap's additional data is {@code ENGRMKEY ‖ repository id ‖ bytes [0, 64)}, so a changed kind, count, salt or
 * time, or a key object of another repository, does not open.
 *
 * @param kind          {@link #PASSPHRASE} or {@link #KEY_FILE}
 * @param iterations    PBKDF2 iterations (0 for a key file)
 * @param salt          32 random bytes
 * @param createdMillis epoch ms
 * @param nonce         12 bytes
 * @param wrapped       48 bytes: the encrypted master key and the tag
 */
public record KeyObject(int kind, int iterations, byte[] salt, long createdMillis, byte[] nonce, byte[] wrapped)
{
    public static final String PREFIX = "keys/";
    public static final String MAGIC = "ENGRMKEY";
    public static final int FORMAT_VERSION = 1;
    public static final int LENGTH = 128;
    public static final int VERSION_OFFSET = 8;
    public static final int KIND_OFFSET = 12;
    public static final int ITERATIONS_OFFSET = 16;
    public static final int SALT_OFFSET = 24;
    public static final int SALT_LENGTH = 32;
    public static final int CREATED_OFFSET = 56;
    /** Bytes [0, this) are the wrap's additional data (after the tag and repository id). */
    public static final int HEADER_LENGTH = 64;
    public static final int NONCE_OFFSET = 64;
    public static final int WRAPPED_OFFSET = 76;
    public static final int WRAPPED_LENGTH = SealedDescriptor.KEY_LENGTH + SealedDescriptor.TAG_LENGTH;
    public static final int CRC_OFFSET = 124;

    public static final int PASSPHRASE = 1;
    public static final int KEY_FILE = 2;

    public KeyObject
    {
        if (kind != PASSPHRASE && kind != KEY_FILE)
        {
            throw new IllegalArgumentException("key kind " + kind);
        }
        if (salt.length != SALT_LENGTH || nonce.length != SealedDescriptor.NONCE_LENGTH ||
            wrapped.length != WRAPPED_LENGTH)
        {
            throw new IllegalArgumentException("salt, nonce or wrapped key of the wrong length");
        }
    }

    /** Bytes [0, 64): what the wrap authenticates besides the repository id. */
    public static byte[] header(final int kind, final int iterations, final byte[] salt, final long createdMillis)
    {
        final byte[] b = new byte[HEADER_LENGTH];
        Bytes.putAscii(b, 0, MAGIC);
        Bytes.putInt(b, VERSION_OFFSET, FORMAT_VERSION);
        Bytes.putInt(b, KIND_OFFSET, kind);
        Bytes.putInt(b, ITERATIONS_OFFSET, iterations);
        System.arraycopy(salt, 0, b, SALT_OFFSET, SALT_LENGTH);
        Bytes.putLong(b, CREATED_OFFSET, createdMillis);
        return b;
    }

    /** Bytes [0, 64) of this key object. */
    public byte[] header()
    {
        return header(kind, iterations, salt, createdMillis);
    }

    public byte[] encode()
    {
        final byte[] b = Arrays.copyOf(header(), LENGTH);
        System.arraycopy(nonce, 0, b, NONCE_OFFSET, nonce.length);
        System.arraycopy(wrapped, 0, b, WRAPPED_OFFSET, wrapped.length);
        Bytes.putInt(b, CRC_OFFSET, Bytes.crc32c(b, 0, CRC_OFFSET));
        return b;
    }

    public static KeyObject decode(final String key, final byte[] b) throws RepositoryCorruptionException
    {
        if (b.length != LENGTH || !Bytes.hasAscii(b, 0, MAGIC))
        {
            throw new RepositoryCorruptionException(key, 0, "not a key object (" + LENGTH + " bytes, magic " + MAGIC +
                ")");
        }
        if (Bytes.getInt(b, CRC_OFFSET) != Bytes.crc32c(b, 0, CRC_OFFSET))
        {
            throw new RepositoryCorruptionException(key, CRC_OFFSET, "key object CRC32C mismatch");
        }
        if (Bytes.getInt(b, VERSION_OFFSET) != FORMAT_VERSION)
        {
            throw new RepositoryCorruptionException(key, VERSION_OFFSET, "key object format version " +
                Bytes.getInt(b, VERSION_OFFSET) + " is not " + FORMAT_VERSION);
        }
        final int kind = Bytes.getInt(b, KIND_OFFSET);
        final int iterations = Bytes.getInt(b, ITERATIONS_OFFSET);
        if ((kind != PASSPHRASE && kind != KEY_FILE) || (kind == PASSPHRASE) != (iterations > 0))
        {
            throw new RepositoryCorruptionException(key, KIND_OFFSET, "key kind " + kind + " with " + iterations +
                " iterations is not valid");
        }
        return new KeyObject(kind, iterations, Arrays.copyOfRange(b, SALT_OFFSET, SALT_OFFSET + SALT_LENGTH),
            Bytes.getLong(b, CREATED_OFFSET), Arrays.copyOfRange(b, NONCE_OFFSET, NONCE_OFFSET + 12),
            Arrays.copyOfRange(b, WRAPPED_OFFSET, WRAPPED_OFFSET + WRAPPED_LENGTH));
    }
}
