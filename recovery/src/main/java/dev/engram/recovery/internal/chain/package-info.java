/**
 * A full checkpoint and its deltas read as one base state (docs/checkpoint-format.md, docs/recovery.md):
 * {@link CheckpointChain} and {@link ChainFiles} (the chain as the overlay's base values), the Chronicle Map
 * accelerators kept over a chain, built once, sealed and never written again ({@link KeyLocationIndex}, the snapshot
 * {@link CheckpointCatalog}, map seals) and their maintenance, and {@link CheckpointBuilder}, which writes the chain's
 * next checkpoint from the overlay. The chain and its key index refer to each other, so they share this package. Uses
 * {@code internal.checkpoint} and {@code internal.overlay}.
 */
package dev.engram.recovery.internal.chain;
