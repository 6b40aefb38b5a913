package dev.engram.backup;

import dev.engram.backup.internal.crypto.KeyDerivation;
import dev.engram.backup.internal.format.KeyObject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What opens an encrypted repository (docs/backup.md, "Encryption"): a passphrase, or a key file. Each of the
 * repository's key objects holds its master key wrapped under a key derived from one of them (PBKDF2-HMAC-SHA256 with
 * {@link #iterations()} for a passphrase, HKDF-SHA256 for a key file); any one of them opens the repository.
 * <pre>{@code
 * Backups.open(storage, settings, RepositoryKey.passphraseFile(Path.of("/etc/engram/backup.pass")));
 * Backups.open(storage, settings, RepositoryKey.keyFile(Path.of("/etc/engram/backup.key")));
 * }</pre>
 * A passphrase given as a {@code char[]} is used as it is, not copied: clear the array after the open (or after
 * {@link Backups#addKey}) to take it out of memory.
 */
public final class RepositoryKey
{
    /** PBKDF2 iterations of a new passphrase key object by default (OWASP's 2023 advice for PBKDF2-HMAC-SHA256). */
    public static final int DEFAULT_ITERATIONS = 600_000;
    /** The fewest PBKDF2 iterations accepted (for tests; production keeps the default or more). */
    public static final int MIN_ITERATIONS = 1_000;
    /** The shortest key file: 32 bytes (make one with {@code head -c 32 /dev/urandom > backup.key}). */
    public static final int MIN_KEY_FILE_BYTES = 32;

    private final char[] passphrase;
    private final byte[] keyFile;
    private final String source;
    private final int iterations;

    private RepositoryKey(final char[] passphrase, final byte[] keyFile, final String source, final int iterations)
    {
        this.passphrase = passphrase;
        this.keyFile = keyFile;
        this.source = source;
        this.iterations = iterations;
    }

    /** A passphrase; a key object made from it uses {@link #DEFAULT_ITERATIONS}. */
    public static RepositoryKey passphrase(final char[] passphrase)
    {
        return passphrase(passphrase, DEFAULT_ITERATIONS);
    }

    /**
     * A passphrase; a key object made from it ({@link Backups#open} creating a repository, {@link Backups#addKey})
     * uses {@code iterations} (opening uses the count each key object records).
     */
    public static RepositoryKey passphrase(final char[] passphrase, final int iterations)
    {
        if (passphrase == null || passphrase.length == 0)
        {
            throw new IllegalArgumentException("the passphrase is empty");
        }
        if (iterations < MIN_ITERATIONS)
        {
            throw new IllegalArgumentException("PBKDF2 iterations must be >= " + MIN_ITERATIONS + ": " + iterations);
        }
        return new RepositoryKey(passphrase, null, "passphrase", iterations);
    }

    /**
     * The passphrase in a file: its UTF-8 text without one trailing line end ({@code \n} or {@code \r\n}).
     *
     * @throws IllegalArgumentException if the file is empty or not UTF-8
     */
    public static RepositoryKey passphraseFile(final Path file) throws IOException
    {
        return passphraseFile(file, DEFAULT_ITERATIONS);
    }

    /** As {@link #passphraseFile(Path)}, new key objects using {@code iterations}. */
    public static RepositoryKey passphraseFile(final Path file, final int iterations) throws IOException
    {
        if (iterations < MIN_ITERATIONS)
        {
            throw new IllegalArgumentException("PBKDF2 iterations must be >= " + MIN_ITERATIONS + ": " + iterations);
        }
        final byte[] bytes = Files.readAllBytes(file);
        try
        {
            int end = bytes.length;
            if (end > 0 && bytes[end - 1] == '\n')
            {
                end--;
                if (end > 0 && bytes[end - 1] == '\r')
                {
                    end--;
                }
            }
            final CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, 0, end));
            final char[] passphrase = Arrays.copyOf(chars.array(), chars.limit());
            Arrays.fill(chars.array(), '\0');
            if (passphrase.length == 0)
            {
                throw new IllegalArgumentException("passphrase file " + file + " is empty");
            }
            return new RepositoryKey(passphrase, null, "passphrase file " + file, iterations);
        }
        catch (final CharacterCodingException ex)
        {
            throw new IllegalArgumentException("passphrase file " + file + " is not UTF-8 text", ex);
        }
        finally
        {
            Arrays.fill(bytes, (byte)0);
        }
    }

    /**
     * A key file: all its bytes (at least {@link #MIN_KEY_FILE_BYTES}, which should be random), read now.
     *
     * @throws IllegalArgumentException if it is shorter
     */
    public static RepositoryKey keyFile(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < MIN_KEY_FILE_BYTES)
        {
            throw new IllegalArgumentException("key file " + file + " holds " + bytes.length + " bytes: a key file " +
                "needs at least " + MIN_KEY_FILE_BYTES + " random bytes (head -c 32 /dev/urandom > " + file + ")");
        }
        return new RepositoryKey(null, bytes, "key file " + file, 0);
    }

    /** Whether this is a passphrase (else a key file). */
    public boolean isPassphrase()
    {
        return passphrase != null;
    }

    /** PBKDF2 iterations of the key objects made from this passphrase (0 for a key file). */
    public int iterations()
    {
        return iterations;
    }

    /** What this key is, for messages: "passphrase", "passphrase file PATH" or "key file PATH" (never the secret). */
    @Override
    public String toString()
    {
        return source;
    }

    /** The key-object kind this key makes and opens. */
    int kind()
    {
        return isPassphrase() ? KeyObject.PASSPHRASE : KeyObject.KEY_FILE;
    }

    /** The wrapping key for a key object with this salt and iteration count. */
    byte[] derive(final byte[] salt, final int keyObjectIterations)
    {
        return isPassphrase() ? KeyDerivation.passphrase(passphrase, salt, keyObjectIterations) :
            KeyDerivation.keyFile(keyFile, salt);
    }
}
