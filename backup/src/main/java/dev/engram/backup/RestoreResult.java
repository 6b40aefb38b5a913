package dev.engram.backup;

import java.nio.file.Path;

/**
 * What a restore wrote.
 *
 * @param backup       the backup restored
 * @param directory    the new state directory
 * @param files        files written
 * @param bytes        their bytes
 * @param stateVersion the state version the directory opens at: the backup's, or the one a point-in-time restore
 *                     asked for (its journal ends right after it)
 */
public record RestoreResult(BackupInfo backup, Path directory, int files, long bytes, long stateVersion)
{
}
