/**
 * A backup repository in S3-compatible object storage: {@link dev.engram.backup.s3.S3Storage}, a
 * {@link dev.engram.backup.storage.BackupStorage} on the AWS SDK v2 sync client (conditional writes, retries with
 * back-off, range reads), configured by {@link dev.engram.backup.s3.S3Settings}. docs/backup.md, "S3-compatible
 * storage".
 */
package dev.engram.backup.s3;
