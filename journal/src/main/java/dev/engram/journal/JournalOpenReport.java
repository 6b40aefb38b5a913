package dev.engram.journal;

/**
 * What {@link Journal#open(JournalContext)} found at the end of the journal.
 *
 * @param lastVersion    the last complete version; appends continue at lastVersion + 1.
 * @param tornFrames     frames at the tail that failed their check and were retired by a trim frame.
 * @param tornBytes      bytes in those frames.
 * @param tornFile       file of the first torn frame, or null.
 * @param tornPosition   byte position of the first torn frame, or -1.
 * @param tornCheck      why the first torn frame failed, or null.
 * @param discardedCycleFiles cycle files a crash left half-created (no excerpt), moved aside as {@code *.discard}.
 * @param losses         versions the journal had written that are gone (cycle files missing, emptied or swapped, or the
 *                       journal ending before its recorded last version), accepted with
 *                       {@link JournalContext#acceptLoss(boolean)}; empty normally (without it, open refuses).
 * @param openNs         time the open took.
 * @param metadataRebuilt what was done about a Chronicle metadata file ({@code metadata.cq4t}) Chronicle could not use
 *                       (rebuilt from the cycle files, the damaged one kept as {@code metadata.cq4t.damaged}), or null.
 * @param tailCleared    bytes after the journal's last document that were neither a document nor zeros (a torn write,
 *                       damage), cleared before anything was appended (file and range), or null.
 * @param indexRepaired  Chronicle index entries that named no document they index (damage), set to 0 before the queue
 *                       opened so that Chronicle indexes those documents again (file, position, old value), or null.
 * @param bridgeCopied   what was done with a bridge file ({@code engram-journal.bridge}) a background open left when the
 *                       process died before its frames were in the queue: their versions, how many were copied into the
 *                       queue (counted in lastVersion) and any torn tail dropped; or null (no bridge).
 */
public record JournalOpenReport(
    long lastVersion,
    int tornFrames,
    long tornBytes,
    String tornFile,
    long tornPosition,
    DeltaFrame.Check tornCheck,
    java.util.List<String> discardedCycleFiles,
    java.util.List<JournalLoss> losses,
    long openNs,
    String metadataRebuilt,
    String tailCleared,
    String indexRepaired,
    String bridgeCopied)
{
}
