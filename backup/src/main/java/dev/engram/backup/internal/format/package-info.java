/**
 * Repository format v1, byte by byte as docs/backup-format.md: chunk ids, the chunk codec, packs, index objects,
 * manifests, the Merkle root and the config. The lowest layer of the backup module: it uses no other package of it
 * (besides the API's exception).
 */
package dev.engram.backup.internal.format;
