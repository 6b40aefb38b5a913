package dev.engram.backup.internal.crypto;

import dev.engram.backup.internal.format.KeyObject;
import dev.engram.backup.internal.format.SealedDescriptor;

import javax.crypto.AEADBadTagException;
import javax.crypto.spec.SecretKeySpec;
import java.util.Arrays;

/**
 * Wraps a repository's master key into a key object and unwraps it (AES-256-GCM under the derived key, additional
 * data {@code ENGRMKEY ‖ repository id ‖ key object bytes [0, 64)}).
 */
public final class KeyWrap
{
    private KeyWrap()
    {
    }

    /** A key object holding {@code masterKey} under {@code wrappingKey}. */
    public static KeyObject wrap(final byte[] wrappingKey, final byte[] masterKey, final byte[] repositoryId,
        final int kind, final int iterations, final byte[] salt, final long createdMillis)
    {
        final byte[] header = KeyObject.header(kind, iterations, salt, createdMillis);
        final byte[] out = new byte[SealedDescriptor.NONCE_LENGTH + KeyObject.WRAPPED_LENGTH];
        new Gcm().seal(new SecretKeySpec(wrappingKey, "AES"),
            AesGcmSealer.aad(SealedDescriptor.AAD_KEY, repositoryId, header), masterKey, out, 0);
        return new KeyObject(kind, iterations, salt, createdMillis,
            Arrays.copyOf(out, SealedDescriptor.NONCE_LENGTH),
            Arrays.copyOfRange(out, SealedDescriptor.NONCE_LENGTH, out.length));
    }

    /**
     * The master key a key object holds.
     *
     * @throws AEADBadTagException if {@code wrappingKey} is not the one it was wrapped under (a wrong passphrase or
     *                             key file), or the key object belongs to another repository
     */
    public static byte[] unwrap(final byte[] wrappingKey, final KeyObject key, final byte[] repositoryId)
        throws AEADBadTagException
    {
        final byte[] sealed = new byte[SealedDescriptor.NONCE_LENGTH + KeyObject.WRAPPED_LENGTH];
        System.arraycopy(key.nonce(), 0, sealed, 0, SealedDescriptor.NONCE_LENGTH);
        System.arraycopy(key.wrapped(), 0, sealed, SealedDescriptor.NONCE_LENGTH, KeyObject.WRAPPED_LENGTH);
        return new Gcm().open(new SecretKeySpec(wrappingKey, "AES"),
            AesGcmSealer.aad(SealedDescriptor.AAD_KEY, repositoryId, key.header()), sealed, 0, sealed.length);
    }
}
