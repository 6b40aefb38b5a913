/**
 * Older versions of the state (docs/history.md): {@link VersionHistory} builds snapshots, key histories and diffs from
 * kept chains and the journal, {@link HistoryRetention} decides which chains and journal cycles are kept,
 * {@link VersionTags} keeps named versions in their tag file. Uses {@code internal.chain} and below.
 */
package dev.engram.recovery.internal.history;
