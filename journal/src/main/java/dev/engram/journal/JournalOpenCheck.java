package dev.engram.journal;

import dev.engram.journal.internal.CycleFiles;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The journal's own open-time loss check ({@link JournalLossCheck}): {@link #before} runs before the Chronicle queue
 * is opened (nothing on disk changed yet) and refuses the open if a cycle file the manifest lists is missing, holds
 * no frame or holds other versions, unless {@link JournalContext#acceptLoss(boolean)}: then files holding the wrong
 * versions are moved aside as {@code *.lost} so the queue never sees them. {@link #after} runs once the queue's last
 * version is known: a journal ending before the manifest's recorded last version is a loss too. Then the manifest is
 * brought in line with the files on disk (created, for a journal written before manifests) and written if it changed.
 */
final class JournalOpenCheck
{
    static final String LOST_SUFFIX = ".lost";

    private final JournalContext ctx;
    private final JournalLossCheck check;
    private final List<JournalLoss> losses;
    private final List<Path[]> moves;   // {from, to} of each lost file moved aside by this open

    private JournalOpenCheck(final JournalContext ctx, final JournalLossCheck check, final List<JournalLoss> losses,
        final List<Path[]> moves)
    {
        this.ctx = ctx;
        this.check = check;
        this.losses = losses;
        this.moves = moves;
    }

    /**
     * @throws JournalLossException if something listed is lost and the context does not accept it.
     */
    static JournalOpenCheck before(final JournalContext ctx)
    {
        final JournalLossCheck check = JournalLossCheck.inspect(ctx);
        final List<JournalLoss> losses = new ArrayList<>(check.losses());
        final JournalLoss bridgeMissing = JournalBridgeMark.lossIfBridgeMissing(ctx.directory());
        if (bridgeMissing != null)
        {
            losses.add(bridgeMissing);
        }
        if (!losses.isEmpty())
        {
            if (!ctx.acceptLoss())
            {
                throw new JournalLossException(ctx.directory(), losses);
            }
        }
        final List<Path[]> moves = new ArrayList<>();
        try
        {
            for (int i = 0; i < losses.size(); i++)
            {
                losses.set(i, losses.get(i) == bridgeMissing ? moveMarkAside(bridgeMissing, ctx.directory(), moves) :
                    moveAsideIfCycleFile(losses.get(i), moves));
            }
        }
        catch (final RuntimeException ex)
        {
            undoMoves(moves, ex);
            throw ex;
        }
        return new JournalOpenCheck(ctx, check, losses, moves);
    }

    /**
     * After an open that failed before the manifest was brought in line with the files: move the lost files this
     * open moved aside back where they were, so the directory is as the open found it.
     */
    void undoMoves(final Throwable failure)
    {
        undoMoves(moves, failure);
    }

    private static void undoMoves(final List<Path[]> moves, final Throwable failure)
    {
        for (int i = moves.size() - 1; i >= 0; i--)
        {
            final Path[] move = moves.get(i);
            try
            {
                if (!Files.exists(move[0]))
                {
                    Files.move(move[1], move[0]);
                }
            }
            catch (final IOException ex)
            {
                failure.addSuppressed(ex);
            }
        }
        moves.clear();
    }

    /**
     * An accepted loss of the bridge: its mark moves aside ({@code *.lost}), so the next open does not report it again.
     */
    private static JournalLoss moveMarkAside(final JournalLoss loss, final Path directory, final List<Path[]> moves)
    {
        final Path mark = JournalBridgeMark.path(directory);
        final Path target = moveAside(mark);
        moves.add(new Path[] {mark, target});
        return loss.withWhat("; mark moved aside to " + target.getFileName());
    }

    private static Path moveAside(final Path file)
    {
        Path target = file.resolveSibling(file.getFileName() + LOST_SUFFIX);
        for (int n = 1; Files.exists(target); n++)
        {
            target = file.resolveSibling(file.getFileName() + LOST_SUFFIX + "." + n);
        }
        try
        {
            Files.move(file, target);
        }
        catch (final IOException ex)
        {
            throw new JournalException("cannot move the lost journal file=" + file + " aside to " + target + ": " +
                ex.getMessage() + "; move it away by hand and reopen", ex);
        }
        return target;
    }

    /**
     * A lost cycle file that is still there (emptied, or another cycle's copy) leaves the journal: the queue would
     * read it as part of the journal.
     */
    private static JournalLoss moveAsideIfCycleFile(final JournalLoss loss, final List<Path[]> moves)
    {
        final Path file = Path.of(loss.file());
        if (!file.getFileName().toString().endsWith(ChronicleJournalStore.CYCLE_FILE_SUFFIX) || !Files.exists(file))
        {
            return loss;
        }
        final Path target = moveAside(file);
        moves.add(new Path[] {file, target});
        return loss.withWhat("; moved aside to " + target.getFileName());
    }

    /**
     * @param lastVersion the queue's last complete version.
     * @return the manifest, in line with the files on disk (written if it changed).
     * @throws JournalLossException if the journal ends before its recorded last version and the context does not accept it.
     */
    JournalManifest after(final long lastVersion)
    {
        final List<JournalLoss> all = check.withEnd(losses, lastVersion, 0, null);
        if (all.size() > losses.size() && !ctx.acceptLoss())
        {
            throw new JournalLossException(ctx.directory(), all);
        }
        losses.clear();
        losses.addAll(all);
        final JournalManifest reconciled = reconcile(lastVersion);
        if (!reconciled.equals(check.manifest()))
        {
            reconciled.write(ctx.directory());
        }
        return reconciled;
    }

    /**
     * @return every loss found (with what was done about it), ascending by version.
     */
    List<JournalLoss> losses()
    {
        return List.copyOf(losses);
    }

    /**
     * The manifest that describes the cycle files now on disk: each file holding a frame, its first version, and
     * the last version the old manifest recorded for it (if it is the same file), capped at the journal's end.
     */
    private JournalManifest reconcile(final long lastVersion)
    {
        final CycleFiles files = new CycleFiles(ctx.directory(), ctx.rollCycle());
        final CycleFileProbe probe = new CycleFileProbe();
        final JournalManifest old = check.manifest();
        final List<JournalManifest.Entry> entries = new ArrayList<>();
        long previousFirst = 0;
        for (final Map.Entry<Integer, File> file : files.list().entrySet())
        {
            final CycleFileProbe.Result found = probe.probe(file.getValue());
            if (!found.hasFrame() || found.firstVersion() <= previousFirst)
            {
                continue;   // a frameless cycle (a kill -9 can leave one) is not listed
            }
            long last = 0;
            if (old != null)
            {
                for (final JournalManifest.Entry entry : old.entries())
                {
                    if (entry.cycle() == file.getKey() && entry.firstVersion() == found.firstVersion())
                    {
                        last = entry.lastVersion() <= lastVersion ? entry.lastVersion() : 0;
                    }
                }
            }
            entries.add(new JournalManifest.Entry(file.getKey(), found.firstVersion(), last));
            previousFirst = found.firstVersion();
        }
        // a last version recorded at or past the next cycle's first (versions reused after an accepted loss) is stale
        for (int i = 0; i + 1 < entries.size(); i++)
        {
            final JournalManifest.Entry entry = entries.get(i);
            if (entry.lastVersion() >= entries.get(i + 1).firstVersion())
            {
                entries.set(i, new JournalManifest.Entry(entry.cycle(), entry.firstVersion(), 0));
            }
        }
        return new JournalManifest(ctx.rollCycle().lengthInMillis(), entries);
    }
}
