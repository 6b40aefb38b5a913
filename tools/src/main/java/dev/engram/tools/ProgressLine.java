package dev.engram.tools;

import dev.engram.recovery.ReadOnlyState;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of long work on stderr (bytes and items done, rate), redrawn at most five times a second, when stderr is
 * a terminal ({@code ./engram} sets {@code ENGRAM_STDERR_TTY=1} when it is) or {@code --progress} is given.
 */
final class ProgressLine implements ReadOnlyState.Progress
{
    private final PrintWriter err;
    private long startNs = System.nanoTime();
    private long lastNs;
    private boolean drawn;
    private String phase;

    private ProgressLine(final PrintWriter err)
    {
        this.err = err;
    }

    /**
     * @return a progress line on {@code err}, or {@link ReadOnlyState.Progress#NONE} if progress is not wanted.
     */
    static ReadOnlyState.Progress on(final PrintWriter err, final boolean requested)
    {
        return requested || stderrIsTerminal() ? new ProgressLine(err) : ReadOnlyState.Progress.NONE;
    }

    static boolean stderrIsTerminal()
    {
        return "1".equals(System.getenv("ENGRAM_STDERR_TTY"));
    }

    @Override
    public void update(final String phase, final long done, final long total, final long items)
    {
        final long now = System.nanoTime();
        if (phase != null && !phase.equals(this.phase) && this.phase != null)
        {
            if (drawn)
            {
                err.println();   // a new phase starts on its own line, with its own rate
            }
            startNs = now;
        }
        else if (drawn && now - lastNs < 200_000_000L && done < total)
        {
            return;
        }
        this.phase = phase;
        lastNs = now;
        drawn = true;
        final double seconds = Math.max(1e-3, (now - startNs) / 1e9);
        err.printf(Locale.ROOT, "\r%s: %s of %s, %s %s, %s/s   ", phase, Sizes.bytes(done), Sizes.bytes(total),
            Sizes.count(items), "journal".equals(phase) ? "frames" : "blocks", Sizes.bytes((long)(done / seconds)));
        err.flush();
    }

    /**
     * End the line (if one was drawn).
     */
    static void finish(final ReadOnlyState.Progress progress)
    {
        if (progress instanceof ProgressLine line && line.drawn)
        {
            line.err.println();
            line.err.flush();
        }
    }
}
