package dev.engram.recovery;

import dev.engram.journal.JournalLoss;
import dev.engram.journal.JournalLossException;

import java.nio.file.Path;
import java.util.List;

/**
 * {@link StateStore#open} refused: versions the journal had written are gone (a cycle file missing, emptied or
 * swapped for another, or the journal ending before the last version written at the clean close). The message
 * names each file, the versions lost and the next step: restore from a backup, or reopen with
 * {@link StateContext#acceptJournalLoss(boolean)}. Nothing in the state directory was changed.
 */
public final class JournalLossRefusedException extends RecoveryException
{
    private static final long serialVersionUID = 1L;

    private final transient List<JournalLoss> losses;

    public JournalLossRefusedException(final Path journalDirectory, final List<JournalLoss> losses)
    {
        super(JournalLossException.describe(journalDirectory, losses));
        this.losses = List.copyOf(losses);
    }

    public JournalLossRefusedException(final JournalLossException cause)
    {
        super(cause.getMessage(), cause);
        this.losses = cause.losses();
    }

    /**
     * @return what was lost.
     */
    public List<JournalLoss> losses()
    {
        return losses;
    }
}
