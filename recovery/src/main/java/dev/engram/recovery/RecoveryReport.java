package dev.engram.recovery;

import dev.engram.journal.JournalLoss;

import java.util.List;

/**
 * What {@link StateStore#open(StateContext)} did to bring the state back.
 *
 * @param cleanShutdown       whether the previous process closed the store cleanly.
 * @param newStore            whether the directory was absent or empty: a new store, nothing to recover.
 * @param checkpointId        id of the checkpoint chain head used, or 0 when the journal was replayed from the start.
 * @param checkpointVersion   state version that checkpoint holds (0 if none).
 * @param chainLength         checkpoint files in the chain used (full + deltas).
 * @param rejected            checkpoints tried and rejected, newest first, each with the reason.
 * @param tempFilesRemoved    temp files of unfinished checkpoints deleted.
 * @param journalLosses       versions the journal had written that are gone, each with its file (a cycle file missing,
 *                            emptied or swapped, or the journal ending before the last version written at the clean
 *                            close): only with {@link StateContext#acceptJournalLoss(boolean)} (without it, open
 *                            refuses); empty normally.
 * @param framesReplayed      journal frames replayed into the overlay.
 * @param recoveredVersion    the version the state is at: deltas 1..recoveredVersion are applied.
 * @param tornFramesTrimmed   frames at the journal's tail retired as torn.
 * @param tornBytesTrimmed    bytes in those frames.
 * @param indexRebuilt        whether the snapshot index or catalog was rebuilt from the files.
 * @param indexNote           what was found about the index (missing, stale, damaged, ok).
 * @param replayPath          how the journal tail was read: the fast path (scanned from the checkpoint's journal hint
 *                            before the journal's queue opened, which then opens after ready) or the full path, and why.
 * @param journalOpenNs       time to open the journal (on its own thread, overlapping the checkpoint and replay on the
 *                            fast path).
 * @param checkpointOpenNs    time to open and verify the checkpoint chain's headers, footers and tables.
 * @param replayNs            time to replay the journal tail.
 * @param readyNs             time from open() to ready.
 */
public record RecoveryReport(
    boolean cleanShutdown,
    boolean newStore,
    long checkpointId,
    long checkpointVersion,
    int chainLength,
    List<String> rejected,
    List<String> tempFilesRemoved,
    List<JournalLoss> journalLosses,
    List<QuarantinedKey> quarantinedKeys,
    long framesReplayed,
    long recoveredVersion,
    int tornFramesTrimmed,
    long tornBytesTrimmed,
    boolean indexRebuilt,
    String indexNote,
    String replayPath,
    long journalOpenNs,
    long checkpointOpenNs,
    long replayNs,
    long readyNs)
{
    /**
     * @return one line: how the store was found, the version recovered, from what, how long it took.
     */
    public String summary()
    {
        return (newStore ? "new store" : cleanShutdown ? "clean shutdown" : "recovered after a crash") +
            ", version=" + recoveredVersion + (checkpointId == 0 ? ", no checkpoint" : ", checkpoint id=" + checkpointId +
            " version=" + checkpointVersion + " chain=" + chainLength) + ", " + framesReplayed + " frames replayed" +
            ", ready in " + millis(readyNs) + " ms, path " +
            (replayPath == null ? "?" : replayPath.startsWith("fast") ? "fast" : "full");
    }

    /**
     * @return {@code ns} in milliseconds with one decimal, without {@code String.format}: this line is built on the
     * ready path of every open, and the first {@code %.1f} in a JVM loads the locale data (144-731 ms measured in a
     * fresh JVM on the 2-core machine at load ~15).
     */
    static String millis(final long ns)
    {
        final long tenths = Math.max(0, (ns + 50_000) / 100_000);
        return (tenths / 10) + "." + (tenths % 10);
    }

    /**
     * Log what open did: one INFO line ({@link #summary()}), and a WARN for anything an operator should know —
     * rejected checkpoints, accepted journal losses, quarantined keys, a torn tail trimmed.
     */
    void log(final org.slf4j.Logger log, final java.nio.file.Path directory)
    {
        log.info("engram opened {}: {}", directory, summary());
        for (final String r : rejected)
        {
            log.warn("recovery in {} fell back past a rejected checkpoint: {}", directory, r);
        }
        for (final JournalLoss loss : journalLosses)
        {
            log.warn("recovery in {} accepted a journal loss (StateContext.acceptJournalLoss): {}", directory, loss.describe());
        }
        for (final QuarantinedKey q : quarantinedKeys)
        {
            log.warn("recovery in {} quarantined key '{}': {}", directory, q.key(), q.reason());
        }
        if (tornFramesTrimmed > 0)
        {
            log.warn("recovery in {} trimmed a torn journal tail of {} frames / {} bytes (written, never acknowledged " +
                "as written)", directory, tornFramesTrimmed, tornBytesTrimmed);
        }
    }

    /**
     * @return a short multi-line human summary.
     */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("shutdown: ").append(newStore ? "none (a new store)" : cleanShutdown ? "clean" :
            "UNCLEAN (recovered after a crash)").append('\n');
        if (checkpointId == 0)
        {
            sb.append("checkpoint: none used, journal replayed from the start\n");
        }
        else
        {
            sb.append("checkpoint: id=").append(checkpointId).append(" version=").append(checkpointVersion)
                .append(" chain=").append(chainLength).append('\n');
        }
        for (final String r : rejected)
        {
            sb.append("rejected: ").append(r).append('\n');
        }
        for (final JournalLoss loss : journalLosses)
        {
            sb.append("JOURNAL LOSS (accepted): ").append(loss.describe()).append('\n');
        }
        for (final QuarantinedKey q : quarantinedKeys)
        {
            sb.append("QUARANTINED key '").append(q.key()).append("': ").append(q.reason()).append('\n');
        }
        for (final String t : tempFilesRemoved)
        {
            sb.append("removed temp file: ").append(t).append('\n');
        }
        sb.append("journal: replayed ").append(framesReplayed).append(" frames to version ").append(recoveredVersion);
        if (tornFramesTrimmed > 0)
        {
            sb.append(", trimmed torn tail of ").append(tornFramesTrimmed).append(" frames / ").append(tornBytesTrimmed).append(" bytes");
        }
        sb.append('\n');
        sb.append("replay path: ").append(replayPath).append('\n');
        sb.append("snapshot index: ").append(indexRebuilt ? "rebuilt: " : "").append(indexNote == null ? "" : indexNote).append('\n');
        sb.append(String.format("ready in %.1f ms (journal open %.1f ms, checkpoint %.1f ms, replay %.1f ms)",
            readyNs / 1e6, journalOpenNs / 1e6, checkpointOpenNs / 1e6, replayNs / 1e6));
        return sb.toString();
    }
}
