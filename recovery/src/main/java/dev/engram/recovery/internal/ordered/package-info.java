/**
 * Ordered key scans: the live keys of a checkpoint chain as one immutable sorted array ({@link
 * dev.engram.recovery.internal.ordered.SortedKeys}, built once per chain), the keys an overlay took in since, as
 * sorted runs of its entries ({@link dev.engram.recovery.internal.ordered.OverlayKeyRuns}), and a merge of both in
 * unsigned byte order of the UTF-8 key ({@link dev.engram.recovery.internal.ordered.OrderedKeyMerge}). See
 * docs/engine.md, "Ordered keys".
 */
package dev.engram.recovery.internal.ordered;
