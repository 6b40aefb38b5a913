package dev.engram.backup.internal.format;

import dev.engram.backup.RepositoryCorruptionException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The repository's {@code config} object, written once when the repository is created (64 bytes, little-endian):
 * <pre>
 *   0  8  magic ENGRMBKR
 *   8  4  format version = 1
 *   12 4  flags: bit 0 = encrypted (keys/ objects hold the master key; docs/backup-format.md, "Encryption")
 *   16 16 repository id, random
 *   32 8  created, epoch ms
 *   40 20 reserved, 0
 *   60 4  CRC32C of [0, 60)
 * </pre>
 *
 * @param id            32 hex digits
 * @param createdMillis epoch ms
 * @param encrypted     flag bit 0: chunks, pack tables, index objects and manifests are sealed (AES-256-GCM)
 */
public record RepositoryConfig(String id, long createdMillis, boolean encrypted)
{
    public static final int FLAG_ENCRYPTED = 1;
    public static final String KEY = "config";
    public static final String MAGIC = "ENGRMBKR";
    public static final int FORMAT_VERSION = 1;
    public static final int LENGTH = 64;
    public static final int VERSION_OFFSET = 8;
    public static final int FLAGS_OFFSET = 12;
    public static final int ID_OFFSET = 16;
    public static final int CREATED_OFFSET = 32;
    public static final int CRC_OFFSET = 60;

    /** A new repository's config. */
    public static RepositoryConfig create(final long createdMillis, final boolean encrypted)
    {
        final byte[] id = new byte[16];
        new SecureRandom().nextBytes(id);
        return new RepositoryConfig(HexFormat.of().formatHex(id), createdMillis, encrypted);
    }

    /** A new unencrypted repository's config. */
    public static RepositoryConfig create(final long createdMillis)
    {
        return create(createdMillis, false);
    }

    /** The repository id's 16 bytes (part of every sealed piece's additional data). */
    public byte[] idBytes()
    {
        return HexFormat.of().parseHex(id);
    }

    public byte[] encode()
    {
        final byte[] b = new byte[LENGTH];
        Bytes.putAscii(b, 0, MAGIC);
        Bytes.putInt(b, VERSION_OFFSET, FORMAT_VERSION);
        Bytes.putInt(b, FLAGS_OFFSET, encrypted ? FLAG_ENCRYPTED : 0);
        System.arraycopy(HexFormat.of().parseHex(id), 0, b, ID_OFFSET, 16);
        Bytes.putLong(b, CREATED_OFFSET, createdMillis);
        Bytes.putInt(b, CRC_OFFSET, Bytes.crc32c(b, 0, CRC_OFFSET));
        return b;
    }

    public static RepositoryConfig decode(final byte[] b) throws RepositoryCorruptionException
    {
        if (b.length != LENGTH || !Bytes.hasAscii(b, 0, MAGIC))
        {
            throw new RepositoryCorruptionException(KEY, 0, "not a backup repository config (magic " + MAGIC + ")");
        }
        if (Bytes.getInt(b, CRC_OFFSET) != Bytes.crc32c(b, 0, CRC_OFFSET))
        {
            throw new RepositoryCorruptionException(KEY, CRC_OFFSET, "config CRC32C mismatch");
        }
        if (Bytes.getInt(b, VERSION_OFFSET) != FORMAT_VERSION || (Bytes.getInt(b, FLAGS_OFFSET) & ~FLAG_ENCRYPTED) != 0)
        {
            throw new RepositoryCorruptionException(KEY, VERSION_OFFSET, "repository format version " +
                Bytes.getInt(b, VERSION_OFFSET) + " flags " + Bytes.getInt(b, FLAGS_OFFSET) +
                ": this Engram reads version " + FORMAT_VERSION + " with no flag but bit 0 (encrypted)");
        }
        return new RepositoryConfig(HexFormat.of().formatHex(b, ID_OFFSET, ID_OFFSET + 16),
            Bytes.getLong(b, CREATED_OFFSET), (Bytes.getInt(b, FLAGS_OFFSET) & FLAG_ENCRYPTED) != 0);
    }
}
