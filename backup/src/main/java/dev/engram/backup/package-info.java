/**
 * Engram's backup engine (docs/backup.md): {@link dev.engram.backup.Backups} makes incremental, deduplicated backups
 * of a state directory into a repository, restores them into new directories, verifies and prunes the repository.
 * The repository format is docs/backup-format.md; where its objects live is a
 * {@link dev.engram.backup.storage.BackupStorage}. The format, the repository's index and packing, and the reading
 * of a state directory are in {@code dev.engram.backup.internal} (not user API).
 */
package dev.engram.backup;
