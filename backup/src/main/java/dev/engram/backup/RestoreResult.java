package dev.engram.backup;

import java.nio.file.Path;

/**
 * What a restore wrote.
 *
 * @param backup    the backup restored
 * @param directory the new state directory
 * @param files     files written
 * @param bytes     their bytes
 */
public record RestoreResult(BackupInfo backup, Path directory, int files, long bytes)
{
}
