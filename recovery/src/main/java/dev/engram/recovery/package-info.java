/**
 * The state store: checkpoints, the live view, recovery and history (docs/recovery.md, docs/checkpoint-format.md,
 * docs/history.md, docs/memory-safety.md).
 * <ul>
 *     <li>{@link dev.engram.recovery.StateStore}: opens a directory, recovers it (newest valid checkpoint chain +
 *     the journal's tail, {@link dev.engram.recovery.RecoveryReport} says what was used, rejected, lost or
 *     quarantined), applies every written delta on its applier thread and serves reads through
 *     {@link dev.engram.recovery.StateReader}; checkpoints in the background; history through
 *     {@link dev.engram.recovery.StateStore#stateAt}, {@code history}, {@code diff} and tags.</li>
 *     <li>Checkpoint files, format v1: {@link dev.engram.recovery.internal.checkpoint.CheckpointWriter} streams one (full or delta) and
 *     publishes it by atomic rename; {@link dev.engram.recovery.internal.checkpoint.MappedCheckpoint} maps one read-only, checks it at
 *     open and each block on first use, and serves zero-copy point reads; {@link dev.engram.recovery.internal.chain.CheckpointChain}
 *     reads a full checkpoint plus its deltas.</li>
 *     <li>Accelerators in Chronicle Map, built once, sealed and never written again:
 *     {@link dev.engram.recovery.internal.chain.CheckpointCatalog} and {@link dev.engram.recovery.internal.chain.KeyLocationIndex}.</li>
 *     <li>The live view: the newest chain plus an off-heap overlay of what changed since (journal references,
 *     patched values, tombstones, quarantined keys), swapped per checkpoint and freed under reader hazards.</li>
 * </ul>
 */
package dev.engram.recovery;
