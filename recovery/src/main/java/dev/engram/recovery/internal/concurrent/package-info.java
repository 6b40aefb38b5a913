/**
 * The store's concurrency guards (docs/memory-safety.md): {@link CallGate} lets close wait for the heavy calls in
 * progress and refuse new ones, {@link ReaderHazards} lets a swapped view be freed only once no reader holds it,
 * {@link SharedRelease} lets the last of several holders (close, an after-open check) free a resource that neither
 * may free under the other. Uses no other internal package.
 */
package dev.engram.recovery.internal.concurrent;
