package dev.engram.journal;

import java.nio.file.Path;
import java.util.List;

/**
 * The journal was opened without {@link JournalContext#acceptLoss(boolean)} and versions it had written are gone
 * ({@link JournalLoss}): the message names each file, the versions and the next step. Nothing was written to the
 * journal and no file was moved.
 */
public final class JournalLossException extends JournalException
{
    private static final long serialVersionUID = 1L;

    private final transient List<JournalLoss> losses;

    public JournalLossException(final Path directory, final List<JournalLoss> losses)
    {
        super(describe(directory, losses));
        this.losses = List.copyOf(losses);
    }

    /**
     * @return what was lost.
     */
    public List<JournalLoss> losses()
    {
        return losses;
    }

    /**
     * @return the message of a refused open: each loss, then what to do.
     */
    public static String describe(final Path directory, final List<JournalLoss> losses)
    {
        final StringBuilder sb = new StringBuilder("journal loss in ").append(directory).append(": ");
        for (int i = 0; i < losses.size(); i++)
        {
            sb.append(i == 0 ? "" : "; ").append(losses.get(i).describe());
        }
        return sb.append(". Nothing was written to the journal. Restore the journal's files (or the whole state directory) from a backup, ")
            .append("or reopen with StateContext.acceptJournalLoss(true) (JournalContext.acceptLoss(true) for a journal ")
            .append("on its own) to open without them: the loss is then reported (RecoveryReport.journalLosses(), ")
            .append("JournalOpenReport.losses()), a file holding other versions is moved aside as *.lost, and new appends ")
            .append("reuse the lost version numbers").toString();
    }
}
