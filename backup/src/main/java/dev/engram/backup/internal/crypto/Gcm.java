package dev.engram.backup.internal.crypto;

import dev.engram.backup.internal.format.SealedDescriptor;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.NoSuchPaddingException;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import java.security.GeneralSecurityException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * AES-256-GCM with a 96-bit nonce and a 128-bit tag on one {@link Cipher} (not thread-safe: one per thread).
 */
final class Gcm
{
    private static final int TAG_BITS = SealedDescriptor.TAG_LENGTH * 8;
    private static final int NONCE = SealedDescriptor.NONCE_LENGTH;

    private final Cipher cipher;
    private final SecureRandom random = new SecureRandom();
    private final byte[] nonce = new byte[NONCE];

    Gcm()
    {
        try
        {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        }
        catch (final NoSuchAlgorithmException | NoSuchPaddingException ex)
        {
            throw new IllegalStateException("this JDK has no AES/GCM/NoPadding", ex);
        }
    }

    /**
     * {@code out[at, at + 12)} a fresh random nonce, then the ciphertext of {@code plain} and the tag: {@code out}
     * must have {@code 12 + plain.length + 16} bytes from {@code at}.
     */
    void seal(final SecretKey key, final byte[] aad, final byte[] plain, final byte[] out, final int at)
    {
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, at, NONCE);
        try
        {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(aad);
            cipher.doFinal(plain, 0, plain.length, out, at + NONCE);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("AES-GCM encryption failed", ex);
        }
    }

    /**
     * The plaintext of {@code sealed[from, to)} (nonce, ciphertext, tag).
     *
     * @throws AEADBadTagException if it does not authenticate (or is shorter than a nonce and a tag)
     */
    byte[] open(final SecretKey key, final byte[] aad, final byte[] sealed, final int from, final int to)
        throws AEADBadTagException
    {
        if (to - from < NONCE + SealedDescriptor.TAG_LENGTH)
        {
            throw new AEADBadTagException("shorter than a nonce and a tag");
        }
        try
        {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, from, NONCE));
            cipher.updateAAD(aad);
            return cipher.doFinal(sealed, from + NONCE, to - from - NONCE);
        }
        catch (final AEADBadTagException ex)
        {
            throw ex;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("AES-GCM decryption failed", ex);
        }
    }
}
