package dev.engram.journal;

import dev.engram.journal.internal.PopulateWrite;
import dev.engram.journal.internal.ReadAhead;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.bytes.MappedBytesStore;

/**
 * Turns off kernel read-ahead ({@link ReadAhead}) on each mapped chunk of a cycle file the journal thread
 * writes into.
 * <p>
 * Chronicle grows a cycle file sparsely and writes it through a shared mapping, so the first write into each
 * page of a hole is a page fault that would run the file's read-ahead. Measured on the benchmark machine: the
 * journal thread ran 18-21 ms on a CPU every ~9 MB written, taking that CPU from whatever ran on it (the
 * producer, when the other core was busy). Advised, a fault fills just its own page (~1-2 µs), so the same
 * work is spread over the writes. One instance per writer thread; {@link #onWrite} costs one reference
 * compare per frame and a system call per new chunk (Chronicle's chunks are 64 MiB by default). Where each frame
 * ended goes to the {@link DiskReservation} (before the pages ahead are populated), which keeps blocks reserved ahead
 * of the writes.
 * <p>
 * Page by page, those faults still cost the journal thread ~170 ns of kernel time per 128-byte frame on the
 * benchmark VM (raw Chronicle with read-ahead: ~40). So the pages ahead of the writes are made writable in
 * {@value #POPULATE_STEP}-byte steps with one system call each ({@link PopulateWrite}): the next step once the
 * writes come within half a step of the populated end, never past the chunk's mapping. A step takes ~0.1-0.3 ms
 * of the journal thread (one page's work times 64, without the 64 traps), far from the read-ahead's 20 ms.
 */
final class NoReadAheadChunks
{
    /** Bytes populated ahead of the writes in one system call. */
    static final long POPULATE_STEP = 256 * 1024;
    private static final long PAGE = 4096;

    private final DiskReservation reservation;
    private BytesStore<?, ?> lastStore;
    private long chunkAddress;   // address of file offset chunkStart in the current chunk's mapping, 0 if none
    private long chunkStart;
    private long chunkEnd;
    private long populatedUpTo;  // file offset up to which the current chunk is populated

    NoReadAheadChunks()
    {
        this(null);
    }

    /**
     * @param reservation told where each frame ended (null: none).
     */
    NoReadAheadChunks(final DiskReservation reservation)
    {
        this.reservation = reservation;
    }

    /**
     * @param bytes the bytes a frame was just written to (a document of the journal's queue).
     * @param cycle the cycle of the file they map.
     * @throws JournalDiskFullException if the disk has no room for the chunk ahead.
     */
    void onWrite(final Bytes<?> bytes, final int cycle)
    {
        final BytesStore<?, ?> store = bytes.bytesStore();
        if (store != lastStore)
        {
            lastStore = store;
            advise(store);
            startChunk(store);
        }
        final long position = bytes.writePosition();
        if (reservation != null)
        {
            reservation.noteWritten(cycle, position);
        }
        if (position + POPULATE_STEP / 2 > populatedUpTo && chunkAddress != 0)
        {
            populateFrom(position);
        }
    }

    private void startChunk(final BytesStore<?, ?> store)
    {
        chunkAddress = 0;
        if (store instanceof MappedBytesStore mapped)
        {
            try
            {
                chunkAddress = mapped.addressForRead(mapped.start());
                chunkStart = mapped.start();
                chunkEnd = mapped.capacity();
                populatedUpTo = chunkStart;
            }
            catch (final RuntimeException ex)
            {
                chunkAddress = 0;   // best effort, as the population itself
            }
        }
    }

    private void populateFrom(final long position)
    {
        final long from = Math.max(populatedUpTo, position / PAGE * PAGE);
        final long to = Math.min(chunkEnd, from + POPULATE_STEP);
        if (from < chunkStart || to <= from || !PopulateWrite.populate(chunkAddress + (from - chunkStart), to - from))
        {
            chunkAddress = 0;   // not here (old kernel, end of the file or of the mapping): pages fault in one by one
            return;
        }
        populatedUpTo = to;
    }

    private static void advise(final BytesStore<?, ?> store)
    {
        if (store instanceof MappedBytesStore mapped)
        {
            final long address;
            try
            {
                address = mapped.addressForRead(mapped.start());
            }
            catch (final RuntimeException ex)
            {
                return;   // best effort, as the advice itself
            }
            ReadAhead.disable(address, mapped.capacity() - mapped.start());
        }
    }
}
