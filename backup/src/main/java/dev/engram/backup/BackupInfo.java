package dev.engram.backup;

import java.time.Instant;

/**
 * One backup in the repository, as {@link Backups#list()} shows it.
 *
 * @param id            the backup id
 * @param parentId      the backup it was made after (0: none)
 * @param chainPosition 0 without a parent, else the parent's + 1
 * @param stateVersion  the journal version the store held
 * @param created       when it was made
 * @param files         files in it
 * @param rawBytes      their bytes
 * @param chunks        chunk references
 * @param bytesWritten  stored bytes it added to the repository (packs and index objects)
 * @param merkleRoot    64 hex digits
 */
public record BackupInfo(long id, long parentId, int chainPosition, long stateVersion, Instant created, int files,
    long rawBytes, long chunks, long bytesWritten, String merkleRoot)
{
}
