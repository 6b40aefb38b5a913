package dev.engram.backup;

import java.util.List;

/**
 * What {@link Backups#prune} removed.
 *
 * @param deletedBackups      ids of the backups whose manifests were deleted
 * @param deletedPacks        packs deleted (none of their chunks was referenced any more)
 * @param bytesFreed          bytes of the packs and index objects deleted
 * @param unreferencedKept    unreferenced chunks left in packs that still hold referenced ones (a repack would free
 *                            them: future work)
 */
public record PruneResult(List<Long> deletedBackups, int deletedPacks, long bytesFreed, long unreferencedKept)
{
}
