package dev.engram.tools;

import dev.engram.backup.Progress;
import dev.engram.backup.ProgressListener;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * The progress of a backup, restore or verify-backup ({@link ProgressListener}): printed on stderr when it is a
 * terminal ({@code ./engram} sets {@code ENGRAM_STDERR_TTY=1}: one line redrawn) or {@code --progress} is given (a
 * line per call when stderr is no terminal), never on stdout; the last call kept for {@code --json}'s totals and
 * elapsed time. The engine calls it at most every {@link ProgressListener#INTERVAL_MS} and once at the end.
 */
final class BackupProgressLine implements ProgressListener
{
    private final PrintWriter err;
    private final boolean print;
    private final boolean redraw;
    private volatile Progress last;
    private boolean drawn;

    private BackupProgressLine(final PrintWriter err, final boolean print, final boolean redraw)
    {
        this.err = err;
        this.print = print;
        this.redraw = redraw;
    }

    /** A listener printing on {@code err} if asked ({@code --progress}) or stderr is a terminal; always recording. */
    static BackupProgressLine on(final PrintWriter err, final boolean requested)
    {
        final boolean terminal = ProgressLine.stderrIsTerminal();
        return new BackupProgressLine(err, requested || terminal, terminal);
    }

    @Override
    public synchronized void progress(final Progress progress)
    {
        last = progress;
        if (!print)
        {
            return;
        }
        final String line = line(progress);
        if (redraw)
        {
            err.print("\r" + line + "   ");
            if (progress.finished())
            {
                err.println();
            }
        }
        else
        {
            err.println(line);
        }
        drawn = true;
        err.flush();
    }

    /** Ends a redrawn line the operation left unfinished (it failed), so that the error starts on its own line. */
    synchronized void end()
    {
        if (drawn && redraw && (last == null || !last.finished()))
        {
            err.println();
            err.flush();
        }
    }

    /** The last progress the operation reported, or null. */
    Progress last()
    {
        return last;
    }

    static String line(final Progress p)
    {
        final String what = p.operation() == Progress.Operation.VERIFY ? "packs" : "files";
        return String.format(Locale.ROOT, "%s: %s of %s (%d%%), %s of %s %s, %s of %s chunks, %s/s, %s",
            p.operation().name().toLowerCase(Locale.ROOT), Sizes.bytes(p.bytesDone()), Sizes.bytes(p.bytesTotal()),
            (int)(100 * p.fraction()), Sizes.count(p.filesDone()), Sizes.count(p.filesTotal()), what,
            Sizes.count(p.chunksDone()), Sizes.count(p.chunksTotal()), Sizes.bytes((long)p.bytesPerSecond()),
            p.finished() ? "done in " + seconds(p.elapsed()) :
            p.eta().map(eta -> "ETA " + seconds(eta)).orElse("ETA unknown"));
    }

    private static String seconds(final Duration duration)
    {
        return String.format(Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }

    /**
     * Adds {@code "totals"} (bytes, files — packs for verify — and chunks) and {@code "elapsedMillis"} of the last
     * call to a JSON object being written.
     */
    Json totals(final Json json)
    {
        final Progress p = last;
        if (p == null)
        {
            return json;
        }
        return json.name("totals").beginObject().field("bytes", p.bytesTotal())
            .field(p.operation() == Progress.Operation.VERIFY ? "packs" : "files", p.filesTotal())
            .field("chunks", p.chunksTotal()).endObject()
            .field("elapsedMillis", p.elapsed().toMillis())
            .field("bytesPerSecond", Math.round(p.bytesPerSecond()));
    }
}
