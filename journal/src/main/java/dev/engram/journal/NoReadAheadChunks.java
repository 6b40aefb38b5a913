package dev.engram.journal;

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
 * compare per frame and a system call per new chunk (Chronicle's chunks are 64 MiB by default). Each new chunk
 * also goes to the {@link DiskReservation}, which reserves its blocks and the next chunk's.
 */
final class NoReadAheadChunks
{
    private final DiskReservation reservation;
    private BytesStore<?, ?> lastStore;

    NoReadAheadChunks()
    {
        this(null);
    }

    /**
     * @param reservation told of each new chunk written (null: none).
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
            if (reservation != null && store instanceof MappedBytesStore mapped)
            {
                reservation.onNewChunk(cycle, mapped);
            }
        }
        if (reservation != null)
        {
            reservation.noteWritten(cycle, bytes.writePosition());
        }
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
