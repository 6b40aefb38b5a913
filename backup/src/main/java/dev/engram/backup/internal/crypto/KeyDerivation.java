package dev.engram.backup.internal.crypto;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

/**
 * The 256-bit keys that wrap a repository's master key: PBKDF2-HMAC-SHA256 of a passphrase (the JDK's
 * {@code PBKDF2WithHmacSHA256}: the passphrase as UTF-8, a random 32-byte salt, the key object's iteration count), or
 * HKDF-SHA256 (RFC 5869, with {@link javax.crypto.Mac}) of a key file's bytes with the salt and the info
 * {@value #KEY_FILE_INFO}. Slow by design for a passphrase; run once per key object tried, never per chunk.
 */
public final class KeyDerivation
{
    /** HKDF's info for key files. */
    public static final String KEY_FILE_INFO = "engram backup key file v1";

    private KeyDerivation()
    {
    }

    /** PBKDF2-HMAC-SHA256, 32 bytes. */
    public static byte[] passphrase(final char[] passphrase, final byte[] salt, final int iterations)
    {
        final PBEKeySpec spec = new PBEKeySpec(passphrase, salt, iterations, 256);
        try
        {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 failed", ex);
        }
        finally
        {
            spec.clearPassword();
        }
    }

    /** HKDF-SHA256 of the key file's bytes: extract with the salt, expand one block with {@link #KEY_FILE_INFO}. */
    public static byte[] keyFile(final byte[] material, final byte[] salt)
    {
        try
        {
            final Mac extract = Mac.getInstance("HmacSHA256");
            extract.init(new SecretKeySpec(salt, "HmacSHA256"));
            final byte[] prk = extract.doFinal(material);
            final Mac expand = Mac.getInstance("HmacSHA256");
            expand.init(new SecretKeySpec(prk, "HmacSHA256"));
            expand.update(KEY_FILE_INFO.getBytes(StandardCharsets.US_ASCII));
            expand.update((byte)1);
            return expand.doFinal();
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("HmacSHA256 failed", ex);
        }
    }
}
