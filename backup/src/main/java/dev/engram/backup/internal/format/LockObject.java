package dev.engram.backup.internal.format;

import dev.engram.backup.RepositoryCorruptionException;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A repository lock object, {@code locks/<mode>-<lock id>} (docs/backup-format.md, "Lock"), little-endian, never
 * sealed (it holds no state, and an operator must be able to read it without the key):
 * <pre>
 *   0  8  magic ENGRMLCK
 *   8  4  format version = 1
 *   12 4  mode: 1 = shared (backup), 2 = exclusive (prune)
 *   16 8  holder's process id
 *   24 8  holder's process start, epoch ms (0: unknown)
 *   32 8  taken, epoch ms (when the holder first took it; refreshed objects keep it)
 *   40 8  expires, epoch ms (this object's write + the lease)
 *   48 2  H: host name length in bytes, 1..255
 *   50 2  O: operation length in bytes, 1..64
 *   52 H  host name, UTF-8
 *   52+H O operation, UTF-8 ("backup", "prune")
 *   52+H+O 4 CRC32C of [0, 52+H+O)
 * </pre>
 *
 * @param exclusive      mode 2: no other lock may be live beside it
 * @param pid            the holder's process id
 * @param processStarted the holder's process start (epoch ms; 0 unknown): with the pid, tells a reused pid apart
 * @param takenMillis    when the holder took the lock
 * @param expiresMillis  when the lock is stale unless refreshed
 * @param host           the holder's host name
 * @param operation      what the holder does
 */
public record LockObject(boolean exclusive, long pid, long processStarted, long takenMillis, long expiresMillis,
    String host, String operation)
{
    public static final String PREFIX = "locks/";
    public static final String MAGIC = "ENGRMLCK";
    public static final int FORMAT_VERSION = 1;
    public static final int MODE_SHARED = 1;
    public static final int MODE_EXCLUSIVE = 2;
    public static final int VERSION_OFFSET = 8;
    public static final int MODE_OFFSET = 12;
    public static final int PID_OFFSET = 16;
    public static final int PROCESS_STARTED_OFFSET = 24;
    public static final int TAKEN_OFFSET = 32;
    public static final int EXPIRES_OFFSET = 40;
    public static final int HOST_LENGTH_OFFSET = 48;
    public static final int OPERATION_LENGTH_OFFSET = 50;
    public static final int HOST_OFFSET = 52;
    public static final int MAX_HOST_BYTES = 255;
    public static final int MAX_OPERATION_BYTES = 64;

    public LockObject
    {
        final int hostBytes = host.getBytes(StandardCharsets.UTF_8).length;
        final int operationBytes = operation.getBytes(StandardCharsets.UTF_8).length;
        if (hostBytes < 1 || hostBytes > MAX_HOST_BYTES || operationBytes < 1 || operationBytes > MAX_OPERATION_BYTES)
        {
            throw new IllegalArgumentException("lock host must have 1.." + MAX_HOST_BYTES + " bytes and operation 1.." +
                MAX_OPERATION_BYTES + ": " + host + ", " + operation);
        }
    }

    /** The key of a lock object: {@code locks/shared-<id>} or {@code locks/exclusive-<id>}. */
    public static String key(final boolean exclusive, final String lockId)
    {
        return PREFIX + (exclusive ? "exclusive-" : "shared-") + lockId;
    }

    /** The same holder's lock, expiring at {@code expires} (a refresh). */
    public LockObject expiring(final long expires)
    {
        return new LockObject(exclusive, pid, processStarted, takenMillis, expires, host, operation);
    }

    public byte[] encode()
    {
        final byte[] hostBytes = host.getBytes(StandardCharsets.UTF_8);
        final byte[] operationBytes = operation.getBytes(StandardCharsets.UTF_8);
        final int crcAt = HOST_OFFSET + hostBytes.length + operationBytes.length;
        final byte[] b = new byte[crcAt + 4];
        Bytes.putAscii(b, 0, MAGIC);
        Bytes.putInt(b, VERSION_OFFSET, FORMAT_VERSION);
        Bytes.putInt(b, MODE_OFFSET, exclusive ? MODE_EXCLUSIVE : MODE_SHARED);
        Bytes.putLong(b, PID_OFFSET, pid);
        Bytes.putLong(b, PROCESS_STARTED_OFFSET, processStarted);
        Bytes.putLong(b, TAKEN_OFFSET, takenMillis);
        Bytes.putLong(b, EXPIRES_OFFSET, expiresMillis);
        Bytes.putShort(b, HOST_LENGTH_OFFSET, hostBytes.length);
        Bytes.putShort(b, OPERATION_LENGTH_OFFSET, operationBytes.length);
        System.arraycopy(hostBytes, 0, b, HOST_OFFSET, hostBytes.length);
        System.arraycopy(operationBytes, 0, b, HOST_OFFSET + hostBytes.length, operationBytes.length);
        Bytes.putInt(b, crcAt, Bytes.crc32c(b, 0, crcAt));
        return b;
    }

    /**
     * @param key the object's key, for messages
     * @throws RepositoryCorruptionException naming the key and offset of what is wrong
     */
    public static LockObject decode(final String key, final byte[] b) throws RepositoryCorruptionException
    {
        if (b.length < HOST_OFFSET + 4 || !Bytes.hasAscii(b, 0, MAGIC))
        {
            throw new RepositoryCorruptionException(key, 0, "not a lock object (magic " + MAGIC + ")");
        }
        final int hostLength = Bytes.getUnsignedShort(b, HOST_LENGTH_OFFSET);
        final int operationLength = Bytes.getUnsignedShort(b, OPERATION_LENGTH_OFFSET);
        final int crcAt = HOST_OFFSET + hostLength + operationLength;
        if (hostLength < 1 || hostLength > MAX_HOST_BYTES || operationLength < 1 ||
            operationLength > MAX_OPERATION_BYTES || b.length != crcAt + 4)
        {
            throw new RepositoryCorruptionException(key, HOST_LENGTH_OFFSET, "lock object of " + b.length +
                " bytes does not match its host and operation lengths " + hostLength + ", " + operationLength);
        }
        if (Bytes.getInt(b, crcAt) != Bytes.crc32c(b, 0, crcAt))
        {
            throw new RepositoryCorruptionException(key, crcAt, "lock object CRC32C mismatch");
        }
        final int mode = Bytes.getInt(b, MODE_OFFSET);
        if (Bytes.getInt(b, VERSION_OFFSET) != FORMAT_VERSION || (mode != MODE_SHARED && mode != MODE_EXCLUSIVE))
        {
            throw new RepositoryCorruptionException(key, VERSION_OFFSET, "lock format version " +
                Bytes.getInt(b, VERSION_OFFSET) + " mode " + mode + ": this Engram reads version " + FORMAT_VERSION +
                " with mode 1 or 2");
        }
        return new LockObject(mode == MODE_EXCLUSIVE, Bytes.getLong(b, PID_OFFSET),
            Bytes.getLong(b, PROCESS_STARTED_OFFSET), Bytes.getLong(b, TAKEN_OFFSET), Bytes.getLong(b, EXPIRES_OFFSET),
            new String(b, HOST_OFFSET, hostLength, StandardCharsets.UTF_8),
            new String(b, HOST_OFFSET + hostLength, operationLength, StandardCharsets.UTF_8));
    }

    /** "prune (exclusive lock) by pid 123 on host h, taken 2026-…, lease until 2026-…" */
    public String describeHolder()
    {
        return operation + " (" + (exclusive ? "exclusive" : "shared") + " lock) by pid " + pid + " on host " + host +
            ", taken " + Instant.ofEpochMilli(takenMillis) + ", lease until " + Instant.ofEpochMilli(expiresMillis);
    }
}
