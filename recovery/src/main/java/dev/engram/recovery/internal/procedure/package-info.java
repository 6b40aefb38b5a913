/**
 * Opening a store (docs/recovery.md): {@link StateDirectory} (what the directory held, put back if the open fails),
 * {@link CleanShutdownRecord}, {@link JournalLossGuard} (refuses an open that finds journal frames lost),
 * {@link RecoveryProcedure} (newest valid chain + the journal's tail) and its {@link FastTailReplay};
 * {@link ReadOnlyJournal}, the read-only walk over the journal's files (no Chronicle queue opened) for
 * {@code ReadOnlyState}. The top internal layer: uses history, chain, overlay and checkpoint.
 */
package dev.engram.recovery.internal.procedure;
