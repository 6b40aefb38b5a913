/**
 * Where a backup repository keeps its objects: {@link dev.engram.backup.storage.BackupStorage} (immutable objects
 * under {@code '/'}-separated keys, put-if-absent, no rename: shaped so object storage implements it too) and
 * {@link dev.engram.backup.storage.LocalDirectoryStorage}. Another storage is tested with the abstract
 * {@code BackupStorageContract} of this module's test-jar.
 */
package dev.engram.backup.storage;
