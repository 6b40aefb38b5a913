package dev.engram.backup;

import java.time.Instant;

/**
 * One key object of an encrypted repository ({@link Backups#keys()}).
 *
 * @param id         its id (32 hex digits; the object is {@code keys/<id>})
 * @param kind       "passphrase" or "key-file"; "damaged" if it does not read
 * @param iterations PBKDF2 iterations of a passphrase key (0 otherwise)
 * @param created    when it was added
 * @param current    whether it is the key this {@link Backups} was opened with
 */
public record RepositoryKeyInfo(String id, String kind, int iterations, Instant created, boolean current)
{
}
