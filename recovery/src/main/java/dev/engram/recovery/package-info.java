/**
 * Checkpoints and the snapshot index (see docs/checkpoint-format.md).
 * <ul>
 *     <li>Checkpoint files, format v1: {@link dev.engram.recovery.CheckpointWriter} streams one (full or
 *     delta) and publishes it by atomic rename; {@link dev.engram.recovery.MappedCheckpoint} maps one
 *     read-only, checks it at open and each block on first use, and serves zero-copy point reads.</li>
 *     <li>{@link dev.engram.recovery.CheckpointChain}: a full checkpoint plus its deltas, read newest to
 *     oldest, or through a {@link dev.engram.recovery.KeyLocationIndex} when one is attached.</li>
 *     <li>Accelerators in Chronicle Map, built once, sealed and never written again:
 *     {@link dev.engram.recovery.CheckpointCatalog} (rebuilt by
 *     {@link dev.engram.recovery.CatalogRebuilder}) and {@link dev.engram.recovery.KeyLocationIndex}.</li>
 * </ul>
 * The recovery procedure itself (newest valid chain + journal tail) is not built yet.
 */
package dev.engram.recovery;
