package dev.engram.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytesStore;
import net.openhft.posix.MAdviseFlag;
import net.openhft.posix.PosixAPI;

/**
 * Turns off kernel read-ahead on each mapped chunk of a cycle file the journal thread writes into.
 * <p>
 * Chronicle grows a cycle file sparsely and writes it through a shared mapping. The first write into each
 * page of a hole is a page fault, and on Linux a fault on a file mapping runs the file's read-ahead: the
 * kernel "reads" the whole read-ahead window ({@code /sys/block/<dev>/queue/read_ahead_kb}; 8 MiB on the
 * benchmark machine), which for a hole means zero-filling that many pages, in the faulting thread, in one
 * non-preemptible stretch. Measured there: the journal thread ran 18-21 ms on a CPU every ~9 MB written,
 * taking that CPU from whatever ran on it (the producer, when the other core was busy). With
 * {@code MADV_RANDOM} a fault fills just its own page (~1-2 µs), so the same work is spread over the writes.
 * <p>
 * Advice is best effort: a platform without {@code madvise} (or Chronicle's no-op posix layer) just keeps the
 * kernel's default. One instance per writer thread; {@link #onWrite} costs one reference compare per frame
 * and a system call per new chunk (Chronicle's chunks are 64 MiB by default).
 */
final class NoReadAheadChunks
{
    private BytesStore<?, ?> lastStore;
    private long advisedChunks;
    private long failedAdvice;

    /**
     * @param bytes the bytes a frame was just written to (a document of the journal's queue).
     */
    void onWrite(final Bytes<?> bytes)
    {
        final BytesStore<?, ?> store = bytes.bytesStore();
        if (store != lastStore)
        {
            lastStore = store;
            advise(store);
        }
    }

    private void advise(final BytesStore<?, ?> store)
    {
        if (!(store instanceof MappedBytesStore mapped))
        {
            return;
        }
        try
        {
            final long address = mapped.addressForRead(mapped.start());
            final long length = mapped.capacity() - mapped.start();
            if (length > 0 && PosixAPI.posix().madvise(address, length, MAdviseFlag.MADV_RANDOM) == 0)
            {
                advisedChunks++;
                return;
            }
        }
        catch (final RuntimeException | LinkageError ex)
        {
            // best effort: the kernel's default read-ahead stays
        }
        failedAdvice++;
    }

    /**
     * @return chunks advised so far.
     */
    long advisedChunks()
    {
        return advisedChunks;
    }

    /**
     * @return chunks whose advice failed (no madvise here).
     */
    long failedAdvice()
    {
        return failedAdvice;
    }
}
