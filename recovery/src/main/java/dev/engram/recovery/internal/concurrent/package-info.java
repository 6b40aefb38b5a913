/**
 * The store's concurrency guards (docs/memory-safety.md): {@link CallGate} lets close wait for the heavy calls in
 * progress and refuse new ones, {@link ReaderHazards} lets a swapped view be freed only once no reader holds it. Uses
 * no other internal package.
 */
package dev.engram.recovery.internal.concurrent;
