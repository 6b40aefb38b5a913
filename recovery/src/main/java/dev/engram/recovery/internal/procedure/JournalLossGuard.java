package dev.engram.recovery.internal.procedure;

import dev.engram.journal.JournalLoss;
import dev.engram.journal.JournalLossCheck;
import dev.engram.recovery.JournalLossRefusedException;
import dev.engram.recovery.RecoveryException;
import dev.engram.recovery.RecoveryReport;
import dev.engram.recovery.StateContext;
import dev.engram.recovery.internal.checkpoint.CheckpointFileChecks;

import java.util.List;

/**
 * Recovery's part of detecting journal loss ({@link JournalLossCheck}): before anything is opened or changed, the
 * cycle files are compared with the journal's manifest; once the journal's last version is known (the fast scan's,
 * or the opened journal's), it is compared with the manifest and with the last version the clean-shutdown record
 * carries. A loss refuses the open ({@link JournalLossRefusedException}) unless
 * {@link StateContext#acceptJournalLoss(boolean)}; then it goes into the {@link RecoveryReport}.
 */
final class JournalLossGuard
{
    private final StateContext ctx;
    private final CleanShutdownRecord clean;
    private final JournalLossCheck check;

    private JournalLossGuard(final StateContext ctx, final CleanShutdownRecord clean, final JournalLossCheck check)
    {
        this.ctx = ctx;
        this.clean = clean;
        this.check = check;
    }

    /**
     * @throws JournalLossRefusedException if a cycle file the manifest lists is lost and the loss is not accepted.
     */
    static JournalLossGuard before(final StateContext ctx, final CleanShutdownRecord clean)
    {
        final JournalLossCheck check = JournalLossCheck.inspect(ctx.journal());
        if (!check.losses().isEmpty() && !ctx.journal().acceptLoss())
        {
            throw new JournalLossRefusedException(ctx.journalDirectory(), check.losses());
        }
        return new JournalLossGuard(ctx, clean, check);
    }

    /**
     * @return whether a listed cycle file is lost (accepted): the journal's own open then deals with the files, so
     *         recovery takes the full path.
     */
    boolean cycleFilesLost()
    {
        return !check.losses().isEmpty();
    }

    /**
     * @param lastVersion  the journal's last complete version.
     * @param journalFound what the journal's own open found (and was allowed to accept), or the check's own losses.
     * @return every loss.
     * @throws JournalLossRefusedException if there is one more and the loss is not accepted.
     */
    List<JournalLoss> atEnd(final long lastVersion, final List<JournalLoss> journalFound)
    {
        final List<JournalLoss> all = check.withEnd(journalFound, lastVersion, Math.max(0, clean.lastWrittenVersion()),
            ctx.directory().resolve(CleanShutdownRecord.FILE_NAME).toString());
        if (!all.isEmpty() && !ctx.journal().acceptLoss())
        {
            throw new JournalLossRefusedException(ctx.journalDirectory(), all);
        }
        return all;
    }

    /**
     * On the full path, before the journal's queue opens (Chronicle's open, and the journal's own, change files: a
     * trim frame for a torn tail, the manifest, {@code metadata.cq4t}): the journal's end is found read-only
     * ({@link ReadOnlyJournal#lastVersionFromTheEnd()}: the journal's own open finds the same end or an earlier one,
     * never a later one) and compared with the manifest and the clean-shutdown record. A loss is refused here, with
     * the directory as it was. With the loss accepted, or where the files cannot be read (a cycle file that cannot be
     * mapped), nothing is decided here: {@link #atEnd} runs again once the journal opened.
     *
     * @throws JournalLossRefusedException if the journal ends before a version recorded as written.
     */
    void refuseLossBeforeTheQueueOpens()
    {
        if (ctx.journal().acceptLoss() || !check.losses().isEmpty())
        {
            return;
        }
        final long end;
        try (ReadOnlyJournal journal = new ReadOnlyJournal(
            new dev.engram.journal.internal.CycleFiles(ctx.journalDirectory(), ctx.journal().rollCycle()), ctx.journal().rollCycle()))
        {
            end = journal.lastVersionFromTheEnd();
        }
        catch (final RuntimeException ex)
        {
            return;   // the journal's own open finds and names what the walk could not read
        }
        atEnd(end, check.losses());
    }

    /**
     * @return the losses the check found before the journal opened.
     */
    List<JournalLoss> found()
    {
        return check.losses();
    }

    /**
     * Before the journal opens (and, with the loss accepted, moves lost files aside and rewrites its manifest): a lost
     * cycle the journal continues after, and which the newest checkpoint does not cover, cannot be recovered around.
     * Refusing here leaves the directory as it was; {@link #refuseGapInReplay} checks again against the checkpoint the
     * full path actually uses.
     *
     * @param checkpoints checkpoint files by id.
     * @throws RecoveryException naming the file and versions.
     */
    void refuseUnrecoverable(final java.util.Map<Long, java.nio.file.Path> checkpoints)
    {
        if (check.losses().isEmpty() || check.manifest() == null)
        {
            return;
        }
        long journalEnd = 0;   // the last version a cycle file that is still there holds, as far as the manifest says
        final List<dev.engram.journal.JournalManifest.Entry> entries = check.manifest().entries();
        for (final dev.engram.journal.JournalManifest.Entry entry : entries)
        {
            final boolean lost = check.losses().stream().anyMatch(loss -> loss.fromVersion() == entry.firstVersion());
            if (!lost)
            {
                journalEnd = Math.max(journalEnd, Math.max(entry.firstVersion(), entry.lastVersion()));
            }
        }
        refuseGapInReplay(check.losses(), newestCheckpointVersion(checkpoints) + 1, journalEnd);
    }

    private static long newestCheckpointVersion(final java.util.Map<Long, java.nio.file.Path> checkpoints)
    {
        final List<Long> ids = new java.util.ArrayList<>(checkpoints.keySet());
        ids.sort(java.util.Comparator.reverseOrder());
        for (final long id : ids)
        {
            try
            {
                return CheckpointFileChecks.readInfo(checkpoints.get(id)).stateVersion();
            }
            catch (final RuntimeException ex)
            {
                // a damaged head: the full path rejects it and tries the next; so does this estimate
            }
        }
        return 0;
    }

    /**
     * The replay from the chosen checkpoint must cross every version up to the journal's end: a loss inside that
     * range cannot be recovered around, accepted or not.
     *
     * @throws RecoveryException naming the file and versions.
     */
    static void refuseGapInReplay(final List<JournalLoss> losses, final long fromVersion, final long lastVersion)
    {
        for (final JournalLoss loss : losses)
        {
            if (loss.fromVersion() >= 0 && loss.fromVersion() <= lastVersion &&
                (loss.toVersion() < 0 || loss.toVersion() >= fromVersion))
            {
                throw new RecoveryException(loss.describe() + "; the replay from version=" + fromVersion +
                    " (the newest usable checkpoint's next) to the journal's end at version=" + lastVersion +
                    " needs them, so the state after them cannot be rebuilt even with acceptJournalLoss(true): restore " +
                    "that file from a backup");
            }
        }
    }
}
