package dev.engram.backup;

/**
 * What one backup did.
 *
 * @param backup        the backup made
 * @param newChunks     chunks the repository did not hold before
 * @param packsWritten  packs written
 * @param bytesWritten  bytes written: packs, index objects and the manifest
 * @param manifestBytes the manifest's length
 */
public record BackupResult(BackupInfo backup, long newChunks, long packsWritten, long bytesWritten, long manifestBytes)
{
    /** Bytes written over the backup's raw bytes (1.0: as much as the files). */
    public double writtenRatio()
    {
        return backup.rawBytes() == 0 ? 0 : (double)bytesWritten / backup.rawBytes();
    }
}
