/**
 * The state store: checkpoints, the live view, recovery and history (docs/recovery.md, docs/checkpoint-format.md,
 * docs/history.md, docs/memory-safety.md). This package is the module's API; how it works lives in
 * {@code dev.engram.recovery.internal.*}, which other modules do not use (tools' {@code ArchitectureTest}).
 * <ul>
 *     <li>{@link dev.engram.recovery.StateStore}, configured by {@link dev.engram.recovery.StateContext}: opens a
 *     directory, recovers it (newest valid checkpoint chain + the journal's tail,
 *     {@link dev.engram.recovery.RecoveryReport} says what was used, rejected, lost or quarantined), applies every
 *     written delta on its applier thread and serves reads through {@link dev.engram.recovery.StateReader};
 *     checkpoints in the background ({@link dev.engram.recovery.CheckpointInfo}); history through
 *     {@link dev.engram.recovery.StateStore#stateAt} ({@link dev.engram.recovery.StateSnapshot}), {@code history},
 *     {@code diff} and tags.</li>
 *     <li>{@link dev.engram.recovery.ReadOnlyState}: an operator's look at a store's files without opening it.</li>
 *     <li>The exceptions a caller meets: {@link dev.engram.recovery.RecoveryException} (the store cannot be
 *     opened), {@link dev.engram.recovery.CheckpointException} and its kinds, and the history, tag and quarantine
 *     exceptions.</li>
 * </ul>
 * Package-private here, because they reach the store's own package-private members: the checkpointer thread and
 * {@code StoreClosingException}.
 * <p>
 * The internal packages, lowest layer first (a package uses only those below it):
 * <ul>
 *     <li>{@code internal.checkpoint}: one checkpoint file, format v1: descriptors, the writer, the read-only
 *     mapped reader, the Merkle tree, zstd blocks, the in-file key index, key hash and location.</li>
 *     <li>{@code internal.concurrent}: the store's call gate (calls vs close) and reader hazards (readers vs a
 *     swapped view).</li>
 *     <li>{@code internal.overlay}: the journal's tail in memory: the off-heap overlay and its accounting, the tail
 *     indexers and the applier that fill it, frame and key quarantine, the {@code StateView} readers bind to.</li>
 *     <li>{@code internal.chain}: a full checkpoint and its deltas read as one base under the overlay, the Chronicle
 *     Map accelerators kept over it (key-location index, snapshot catalog, map seals) and the building of the
 *     next checkpoint.</li>
 *     <li>{@code internal.history}: older versions: version history, retention, tags and their file.</li>
 *     <li>{@code internal.procedure}: opening a store: what the directory held (put back if the open fails),
 *     the clean-shutdown record, the journal-loss guard, the recovery procedure and its fast tail replay, and the
 *     read-only walk over the journal's files that the loss guard and {@code ReadOnlyState} use.</li>
 * </ul>
 */
package dev.engram.recovery;
