package dev.engram.backup;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * How backups are cut, packed and processed.
 *
 * @param targetPackBytes a pack is written once its stored chunks reach this many bytes (default 16 MiB)
 * @param maxChunkBytes   the longest chunk: files other than checkpoints are cut into pieces of this length, and
 *                        longer checkpoint blocks too (default 64 KiB, the checkpoints' block size: an append-only
 *                        journal file keeps its cuts, so a small chunk copies little more than what was appended;
 *                        4 KiB..64 MiB)
 * @param zstdLevel       zstd level per chunk (default 3)
 * @param parallelism     threads that read, hash and compress chunks in a backup, and that read, decode, re-hash
 *                        (and in a restore write) chunks in a restore and a read-data verify (default: the
 *                        processors, at most 4; 1 does it all on the calling thread)
 * @param clock           epoch milliseconds, for the manifests' and packs' times
 * @param lockLease       how long a repository lock lives unless its holder refreshes it (every quarter lease while it
 *                        works): a holder killed on another host blocks prune this long (default 5 min; ≥ 1 s).
 *                        Hosts sharing a repository need clocks that agree to well within it
 */
public record BackupSettings(long targetPackBytes, int maxChunkBytes, int zstdLevel, int parallelism,
    LongSupplier clock, Duration lockLease)
{
    public static final Duration DEFAULT_LOCK_LEASE = Duration.ofMinutes(5);
    public static final long DEFAULT_TARGET_PACK_BYTES = 16L << 20;
    public static final int DEFAULT_MAX_CHUNK_BYTES = 64 << 10;
    public static final int DEFAULT_ZSTD_LEVEL = 3;

    public BackupSettings
    {
        if (targetPackBytes < 1)
        {
            throw new IllegalArgumentException("targetPackBytes must be >= 1: " + targetPackBytes);
        }
        if (maxChunkBytes < 4096 || maxChunkBytes > 64 << 20)
        {
            throw new IllegalArgumentException("maxChunkBytes must be 4 KiB..64 MiB: " + maxChunkBytes);
        }
        if (parallelism < 1)
        {
            throw new IllegalArgumentException("parallelism must be >= 1: " + parallelism);
        }
        if (lockLease == null || lockLease.compareTo(Duration.ofSeconds(1)) < 0)
        {
            throw new IllegalArgumentException("lockLease must be >= 1 s: " + lockLease);
        }
    }

    /** The defaults. */
    public static BackupSettings defaults()
    {
        return new BackupSettings(DEFAULT_TARGET_PACK_BYTES, DEFAULT_MAX_CHUNK_BYTES, DEFAULT_ZSTD_LEVEL,
            Math.min(4, Runtime.getRuntime().availableProcessors()), System::currentTimeMillis, DEFAULT_LOCK_LEASE);
    }

    public BackupSettings withTargetPackBytes(final long bytes)
    {
        return new BackupSettings(bytes, maxChunkBytes, zstdLevel, parallelism, clock, lockLease);
    }

    public BackupSettings withMaxChunkBytes(final int bytes)
    {
        return new BackupSettings(targetPackBytes, bytes, zstdLevel, parallelism, clock, lockLease);
    }

    public BackupSettings withParallelism(final int threads)
    {
        return new BackupSettings(targetPackBytes, maxChunkBytes, zstdLevel, threads, clock, lockLease);
    }

    public BackupSettings withLockLease(final Duration lease)
    {
        return new BackupSettings(targetPackBytes, maxChunkBytes, zstdLevel, parallelism, clock, lease);
    }

    public BackupSettings withClock(final LongSupplier millis)
    {
        return new BackupSettings(targetPackBytes, maxChunkBytes, zstdLevel, parallelism, millis, lockLease);
    }
}
