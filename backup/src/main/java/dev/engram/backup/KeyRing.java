package dev.engram.backup;

import dev.engram.backup.internal.crypto.KeyWrap;
import dev.engram.backup.internal.format.KeyObject;
import dev.engram.backup.internal.format.RepositoryConfig;
import dev.engram.backup.storage.BackupStorage;

import javax.crypto.AEADBadTagException;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The key objects of an encrypted repository ({@code keys/<id>}, {@link KeyObject}): the master key wrapped once per
 * passphrase or key file that opens it. Opening tries each key object of the key's kind; adding writes a new one;
 * removing deletes one (never the last, never the one in use).
 */
final class KeyRing
{
    private static final SecureRandom RANDOM = new SecureRandom();

    private final BackupStorage storage;
    private final RepositoryConfig config;
    private final byte[] masterKey;
    private final String currentId;

    private KeyRing(final BackupStorage storage, final RepositoryConfig config, final byte[] masterKey,
        final String currentId)
    {
        this.storage = storage;
        this.config = config;
        this.masterKey = masterKey;
        this.currentId = currentId;
    }

    /** A new random master key. */
    static byte[] newMasterKey()
    {
        final byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    /** Writes a key object for {@code masterKey} under a new id; returns its storage key. */
    static String write(final BackupStorage storage, final RepositoryConfig config, final byte[] masterKey,
        final RepositoryKey key, final long createdMillis) throws IOException
    {
        final byte[] salt = new byte[KeyObject.SALT_LENGTH];
        RANDOM.nextBytes(salt);
        final int iterations = key.isPassphrase() ? key.iterations() : 0;
        final KeyObject object = KeyWrap.wrap(key.derive(salt, iterations), masterKey, config.idBytes(), key.kind(),
            iterations, salt, createdMillis);
        for (int attempt = 0; attempt < 8; attempt++)
        {
            final byte[] id = new byte[16];
            RANDOM.nextBytes(id);
            final String objectKey = KeyObject.PREFIX + HexFormat.of().formatHex(id);
            if (storage.putIfAbsent(objectKey, object.encode()))
            {
                return objectKey;
            }
        }
        throw new BackupException("could not write a key object to " + storage.describe() + ": 8 random ids taken");
    }

    /** The ring of a repository just created with {@code masterKey} and its key object {@code objectKey}. */
    static KeyRing created(final BackupStorage storage, final RepositoryConfig config, final byte[] masterKey,
        final String objectKey)
    {
        return new KeyRing(storage, config, masterKey, idOf(objectKey));
    }

    /**
     * Opens an encrypted repository: the first key object of the key's kind that unwraps with it gives the master key.
     *
     * @throws RepositoryKeyException if none does (the key is wrong), or the repository has none of its kind
     */
    static KeyRing open(final BackupStorage storage, final RepositoryConfig config, final RepositoryKey key)
        throws IOException
    {
        final List<String> keys = storage.list(KeyObject.PREFIX);
        int tried = 0;
        int otherKind = 0;
        final List<String> damaged = new ArrayList<>();
        for (final String objectKey : keys)
        {
            final KeyObject object;
            try
            {
                object = KeyObject.decode(objectKey, storage.get(objectKey));
            }
            catch (final RepositoryCorruptionException ex)
            {
                damaged.add(ex.getMessage());
                continue;
            }
            if (object.kind() != key.kind())
            {
                otherKind++;
                continue;
            }
            tried++;
            try
            {
                final byte[] master = KeyWrap.unwrap(key.derive(object.salt(), object.iterations()), object,
                    config.idBytes());
                return new KeyRing(storage, config, master, idOf(objectKey));
            }
            catch (final AEADBadTagException ex)
            {
                // not this one: the next
            }
        }
        final String where = storage.describe() + " (repository " + config.id() + ")";
        final String damage = damaged.isEmpty() ? "" : "; damaged key objects: " + String.join("; ", damaged);
        if (keys.isEmpty())
        {
            throw new RepositoryKeyException(RepositoryKeyException.Reason.WRONG_KEY, "the encrypted repository " +
                where + " has no key object (keys/): it cannot be opened" + damage);
        }
        if (tried == 0)
        {
            throw new RepositoryKeyException(RepositoryKeyException.Reason.WRONG_KEY, "wrong key for the encrypted " +
                "repository " + where + ": it has no " + kindName(key.kind()) + " key (" + otherKind + " " +
                kindName(key.kind() == KeyObject.PASSPHRASE ? KeyObject.KEY_FILE : KeyObject.PASSPHRASE) +
                " key(s)): open it with " + (key.isPassphrase() ? "its key file" : "its passphrase") + damage);
        }
        throw new RepositoryKeyException(RepositoryKeyException.Reason.WRONG_KEY, "wrong key for the encrypted " +
            "repository " + where + ": the " + key + " opens none of its " + tried + " " + kindName(key.kind()) +
            " key(s)" + damage);
    }

    /** The master key. */
    byte[] masterKey()
    {
        return masterKey;
    }

    /** Adds a key object for {@code key}; returns its id. */
    String add(final RepositoryKey key, final long createdMillis) throws IOException
    {
        return idOf(write(storage, config, masterKey, key, createdMillis));
    }

    /** Removes a key object: refused for the one in use, the last one, and one that does not exist. */
    void remove(final String id) throws IOException
    {
        final String objectKey = KeyObject.PREFIX + id;
        if (!id.matches("[0-9a-f]{32}") || !storage.exists(objectKey))
        {
            throw new RepositoryKeyException(RepositoryKeyException.Reason.REFUSED, "no key " + id + " in " +
                storage.describe() + " (backup-key list shows the ids)");
        }
        if (id.equals(currentId))
        {
            throw new RepositoryKeyException(RepositoryKeyException.Reason.REFUSED, "key " + id + " is the one " +
                storage.describe() + " was opened with: open it with another key to remove this one");
        }
        if (storage.list(KeyObject.PREFIX).size() < 2)
        {
            throw new RepositoryKeyException(RepositoryKeyException.Reason.REFUSED, "key " + id + " is the last " +
                "key of " + storage.describe() + ": removing it would make every backup unreadable");
        }
        storage.delete(objectKey);
    }

    /** The key objects. */
    List<RepositoryKeyInfo> list() throws IOException
    {
        final List<RepositoryKeyInfo> infos = new ArrayList<>();
        for (final String objectKey : storage.list(KeyObject.PREFIX))
        {
            final String id = idOf(objectKey);
            try
            {
                final KeyObject object = KeyObject.decode(objectKey, storage.get(objectKey));
                infos.add(new RepositoryKeyInfo(id, kindName(object.kind()), object.iterations(),
                    Instant.ofEpochMilli(object.createdMillis()), id.equals(currentId)));
            }
            catch (final RepositoryCorruptionException ex)
            {
                infos.add(new RepositoryKeyInfo(id, "damaged", 0, Instant.EPOCH, false));
            }
        }
        return infos;
    }

    private static String idOf(final String objectKey)
    {
        return objectKey.substring(KeyObject.PREFIX.length());
    }

    private static String kindName(final int kind)
    {
        return kind == KeyObject.PASSPHRASE ? "passphrase" : "key-file";
    }
}
