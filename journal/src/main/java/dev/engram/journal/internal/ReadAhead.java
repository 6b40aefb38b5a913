package dev.engram.journal.internal;

import net.openhft.posix.MAdviseFlag;
import net.openhft.posix.PosixAPI;

/**
 * Turns off kernel read-ahead on a file mapping that is written into holes of a sparse file.
 * <p>
 * On Linux a page fault on a file mapping runs the file's read-ahead; for a hole that means zero-filling the
 * whole read-ahead window ({@code /sys/block/<dev>/queue/read_ahead_kb}; 8 MiB on the benchmark machine) in the
 * faulting thread, in one stretch the scheduler cannot preempt: 18-30 ms here, taken from whatever thread
 * shared that CPU. With {@code MADV_RANDOM} a fault fills its own page only. Best effort: where
 * {@code madvise} is missing (or Chronicle's posix layer is its no-op) the kernel's default stays.
 */
public final class ReadAhead
{
    private ReadAhead()
    {
    }

    /**
     * @param address start of the mapping (page aligned).
     * @param length  bytes of it to advise.
     * @return true if the kernel took the advice.
     */
    public static boolean disable(final long address, final long length)
    {
        if (length <= 0)
        {
            return false;
        }
        try
        {
            return PosixAPI.posix().madvise(address, length, MAdviseFlag.MADV_RANDOM) == 0;
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return false;   // best effort: the kernel's default read-ahead stays
        }
    }
}
