package dev.engram.backup;

import java.time.Duration;
import java.util.Optional;

/**
 * How far a backup, restore or verify has come: what a {@link ProgressListener} is given. Counts only grow from one
 * call to the next, and the last call ({@link #finished()}) has every count at its total.
 * <ul>
 *   <li><b>backup</b>: bytes and chunks of the files read and hashed (zero chunks included), files done;</li>
 *   <li><b>restore</b>: bytes and chunks of the files restored (a run of zeros left as a hole counts as restored),
 *       files written and forced. A restore at an instant that restores backups in turn (docs/backup.md) adds each
 *       one's totals as it starts it;</li>
 *   <li><b>verify</b> with read-data: stored bytes of the packs read, chunks re-hashed, packs done (as "files").
 *       Without read-data nothing is counted: the only call is the last one.</li>
 * </ul>
 *
 * @param operation  what runs
 * @param bytesDone  bytes done
 * @param bytesTotal bytes to do
 * @param filesDone  files (verify: packs) done
 * @param filesTotal files (verify: packs) to do
 * @param chunksDone chunks done
 * @param chunksTotal chunks to do
 * @param elapsed    since the operation started
 * @param finished   whether this is the last call (the operation succeeded: every count is at its total)
 */
public record Progress(Operation operation, long bytesDone, long bytesTotal, long filesDone, long filesTotal,
    long chunksDone, long chunksTotal, Duration elapsed, boolean finished)
{
    /** What runs. */
    public enum Operation
    {
        BACKUP, RESTORE, VERIFY
    }

    /** Bytes per second since the start (0 before any time passed). */
    public double bytesPerSecond()
    {
        final double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : bytesDone / seconds;
    }

    /**
     * The time left at the rate so far: zero when finished or nothing is left, empty while no byte is done yet.
     */
    public Optional<Duration> eta()
    {
        if (finished || bytesDone >= bytesTotal)
        {
            return Optional.of(Duration.ZERO);
        }
        if (bytesDone == 0)
        {
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos((long)((double)elapsed.toNanos() * (bytesTotal - bytesDone) / bytesDone)));
    }

    /** The fraction of the bytes done, 0..1 (1 when there is nothing to do). */
    public double fraction()
    {
        return bytesTotal <= 0 ? 1 : Math.min(1, (double)bytesDone / bytesTotal);
    }
}
