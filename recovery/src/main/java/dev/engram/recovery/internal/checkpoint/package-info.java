/**
 * One checkpoint file, format v1 (docs/checkpoint-format.md): the layout descriptors (header, entries, block table,
 * in-file index, footer), {@link CheckpointWriter} that streams a full or delta file and publishes it by atomic rename,
 * {@link MappedCheckpoint} that maps one read-only, checks it at open and each block on first use and serves zero-copy
 * point reads, the Merkle tree over its blocks, zstd block compression, and the key hash and key location shared with
 * the overlay and the indexes. The lowest internal layer: it uses no other internal package.
 */
package dev.engram.recovery.internal.checkpoint;
