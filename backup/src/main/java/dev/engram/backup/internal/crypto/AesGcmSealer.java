package dev.engram.backup.internal.crypto;

import dev.engram.backup.RepositoryCorruptionException;
import dev.engram.backup.internal.format.ChunkId;
import dev.engram.backup.internal.format.Sealer;
import dev.engram.backup.internal.format.SealedDescriptor;

import javax.crypto.AEADBadTagException;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;

import static dev.engram.backup.internal.format.SealedDescriptor.*;

/**
 * Seals with AES-256-GCM under a repository's master key ({@link SealedDescriptor}): a fresh random 96-bit nonce per
 * piece, additional data {@code tag ‖ repository id ‖ name} binding what the piece is. One
 * {@link javax.crypto.Cipher} per thread; no key derivation on this path.
 */
public final class AesGcmSealer implements Sealer
{
    private static final String WHAT = "does not authenticate under the repository's master key: damaged, cut short, " +
        "or not the object its name says (renamed or swapped)";

    private final SecretKey key;
    private final byte[] repositoryId;
    private final ThreadLocal<Gcm> gcm = ThreadLocal.withInitial(Gcm::new);

    /**
     * @param masterKey    32 bytes
     * @param repositoryId the config's 16 id bytes
     */
    public AesGcmSealer(final byte[] masterKey, final byte[] repositoryId)
    {
        if (masterKey.length != KEY_LENGTH || repositoryId.length != 16)
        {
            throw new IllegalArgumentException("a 32-byte master key and a 16-byte repository id");
        }
        this.key = new SecretKeySpec(masterKey, "AES");
        this.repositoryId = repositoryId.clone();
    }

    @Override
    public boolean encrypted()
    {
        return true;
    }

    @Override
    public byte[] sealChunk(final ChunkId id, final byte[] stored)
    {
        return seal(aad(AAD_CHUNK, id.bytes()), new byte[0], stored);
    }

    @Override
    public byte[] openChunk(final String packKey, final long offset, final ChunkId id, final byte[] sealed)
        throws RepositoryCorruptionException
    {
        try
        {
            return gcm.get().open(key, aad(AAD_CHUNK, id.bytes()), sealed, 0, sealed.length);
        }
        catch (final AEADBadTagException ex)
        {
            throw new RepositoryCorruptionException(packKey, offset, "chunk " + id + " " + WHAT);
        }
    }

    @Override
    public byte[] sealTable(final int count, final byte[] rows)
    {
        return seal(aad(AAD_TABLE, u32(count)), new byte[0], rows);
    }

    @Override
    public byte[] openTable(final String packKey, final long offset, final int count, final byte[] sealed)
        throws RepositoryCorruptionException
    {
        try
        {
            return gcm.get().open(key, aad(AAD_TABLE, u32(count)), sealed, 0, sealed.length);
        }
        catch (final AEADBadTagException ex)
        {
            throw new RepositoryCorruptionException(packKey, offset, "pack table " + WHAT);
        }
    }

    @Override
    public byte[] sealObject(final String objectKey, final byte[] plain)
    {
        final byte[] header = new byte[HEADER_LENGTH];
        System.arraycopy(MAGIC.getBytes(StandardCharsets.US_ASCII), 0, header, 0, 8);
        header[VERSION_OFFSET] = FORMAT_VERSION;
        return seal(objectAad(header, objectKey), header, plain);
    }

    @Override
    public byte[] openObject(final String objectKey, final byte[] stored) throws RepositoryCorruptionException
    {
        if (stored.length < CIPHERTEXT_OFFSET + TAG_LENGTH ||
            !new String(stored, 0, 8, StandardCharsets.ISO_8859_1).equals(MAGIC))
        {
            throw new RepositoryCorruptionException(objectKey, 0, "not a sealed object (magic " + MAGIC +
                ", at least " + (CIPHERTEXT_OFFSET + TAG_LENGTH) + " bytes) in an encrypted repository");
        }
        final int version = (stored[VERSION_OFFSET] & 0xff) | (stored[VERSION_OFFSET + 1] & 0xff) << 8 |
            (stored[VERSION_OFFSET + 2] & 0xff) << 16 | (stored[VERSION_OFFSET + 3] & 0xff) << 24;
        if (version != FORMAT_VERSION)
        {
            throw new RepositoryCorruptionException(objectKey, VERSION_OFFSET, "sealed object format version " +
                version + " is not " + FORMAT_VERSION);
        }
        final byte[] header = java.util.Arrays.copyOf(stored, HEADER_LENGTH);
        try
        {
            return gcm.get().open(key, objectAad(header, objectKey), stored, NONCE_OFFSET, stored.length);
        }
        catch (final AEADBadTagException ex)
        {
            throw new RepositoryCorruptionException(objectKey, 0, WHAT);
        }
    }

    /** {@code prefix ‖ nonce ‖ ciphertext ‖ tag}. */
    private byte[] seal(final byte[] aad, final byte[] prefix, final byte[] plain)
    {
        final byte[] out = new byte[prefix.length + NONCE_LENGTH + plain.length + TAG_LENGTH];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        gcm.get().seal(key, aad, plain, out, prefix.length);
        return out;
    }

    private byte[] objectAad(final byte[] header, final String objectKey)
    {
        final byte[] name = objectKey.getBytes(StandardCharsets.UTF_8);
        final byte[] both = new byte[header.length + name.length];
        System.arraycopy(header, 0, both, 0, header.length);
        System.arraycopy(name, 0, both, header.length, name.length);
        return aad(AAD_OBJECT, both);
    }

    private byte[] aad(final String tag, final byte[] name)
    {
        return aad(tag, repositoryId, name);
    }

    /** {@code tag (8 ASCII) ‖ repository id (16) ‖ name}. */
    static byte[] aad(final String tag, final byte[] repositoryId, final byte[] name)
    {
        final byte[] aad = new byte[8 + repositoryId.length + name.length];
        System.arraycopy(tag.getBytes(StandardCharsets.US_ASCII), 0, aad, 0, 8);
        System.arraycopy(repositoryId, 0, aad, 8, repositoryId.length);
        System.arraycopy(name, 0, aad, 8 + repositoryId.length, name.length);
        return aad;
    }

    private static byte[] u32(final int value)
    {
        return new byte[] {(byte)value, (byte)(value >>> 8), (byte)(value >>> 16), (byte)(value >>> 24)};
    }
}
