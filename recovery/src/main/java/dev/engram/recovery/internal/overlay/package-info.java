/**
 * The journal's tail in memory (docs/memory-safety.md): the off-heap {@link Overlay} of what changed after the base
 * checkpoint (journal references, patched values, tombstones, quarantined keys), its arena, value blocks and memory
 * accounting, the tail indexers that fill it at open and the {@link Applier} that fills it while running, frame and key
 * quarantine, and {@link StateView}, the base plus overlay a reader binds to. Uses {@code internal.checkpoint} (key
 * hash, lookup status).
 */
package dev.engram.recovery.internal.overlay;
