/**
 * Encryption of a repository (docs/backup-format.md, "Encryption"): AES-256-GCM sealing of chunks, pack tables and
 * objects under the master key ({@link dev.engram.backup.internal.crypto.AesGcmSealer}), and the derivation of the
 * keys that wrap the master key from a passphrase or a key file
 * ({@link dev.engram.backup.internal.crypto.KeyDerivation}).
 * JDK {@code javax.crypto} only.
 */
package dev.engram.backup.internal.crypto;
