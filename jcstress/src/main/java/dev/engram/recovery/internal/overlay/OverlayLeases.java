package dev.engram.recovery.internal.overlay;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keys of shared {@link Overlay}s, one leased to each jcstress state.
 * <p>
 * An overlay is far too heavy to build per state (its value arena reserves a 64 MiB chunk, zeroed), and jcstress
 * builds millions of states. So each state leases a fresh key in the current overlay generation: the lease inserts
 * the key (as a journal reference), the state's writer actor changes it, its reader actor looks it up, and the
 * arbiter releases it. A generation takes {@link #LEASES_PER_GENERATION} leases, then is retired and closed once
 * its last lease is released (arbiters run after both actors, so nothing reads it by then).
 * <p>
 * Threads: jcstress builds states and runs arbiters on its worker threads, several at once, but never while actors
 * run; leasing and releasing are synchronized here. During the actor phase one thread (the writer actor) writes all
 * the overlays' keys and calls {@link Overlay#transferWriter()} first, since the states were built on other
 * threads (the harness's barriers order those writes before the actors').
 * <p>
 * The journal is a fake ({@link FakeJournal}): cycle numbers are small odd numbers (1, 3, 5) that are NOT valid
 * addresses, as in issue 11 where a reader dereferenced the journal cycle number as an arena address (si_addr =
 * cycle). A reader that trusts an unvalidated entry crashes its fork, which jcstress reports as a failed test.
 * <p>
 * Every value written is {@link #VALUE_LENGTH} bytes all equal to the version that wrote it, so a reader can tell a
 * whole value from a torn or mixed one, and a value from another change than the version it read with it.
 */
final class OverlayLeases
{
    static final int VALUE_LENGTH = 64;
    /** Where every fake journal value lies in its cycle "file" (as b, a file position: a large number). */
    static final long JOURNAL_POSITION = 4096;
    /** Keys per overlay generation (with the warm-up key, they fit the table sized for them without a resize). */
    static final int LEASES_PER_GENERATION = (1 << 18) - 16;

    /** Read results that are not a value's stamp (stamps are versions, 1..). */
    static final int ABSENT = -1;
    static final int TOMBSTONE = -2;
    static final int WRONG_LENGTH = -3;
    static final int TORN = -4;
    static final int VERSION_MISMATCH = -5;
    static final int WENT_BACK = -6;

    private static final UnsafeBuffer[] STAMPS = new UnsafeBuffer[16];
    private static final FakeJournal JOURNAL = new FakeJournal();
    private static final ThreadLocal<CachedReader> READERS = ThreadLocal.withInitial(CachedReader::new);

    private static Generation current;
    private static long generations;

    static
    {
        for (int v = 0; v < STAMPS.length; v++)
        {
            final byte[] bytes = new byte[VALUE_LENGTH];
            Arrays.fill(bytes, (byte)v);
            STAMPS[v] = new UnsafeBuffer(bytes);
        }
    }

    private OverlayLeases()
    {
    }

    /** A journal of a few cycles, each a direct buffer filled with its stamp (= the version that wrote it). */
    static final class FakeJournal implements Overlay.JournalValues
    {
        private final UnsafeBuffer[] cycles = new UnsafeBuffer[8];

        FakeJournal()
        {
            for (int cycle = 1; cycle < cycles.length; cycle += 2)
            {
                final ByteBuffer memory = ByteBuffer.allocateDirect((int)JOURNAL_POSITION + 4096);
                final UnsafeBuffer buffer = new UnsafeBuffer(memory);
                buffer.setMemory(0, buffer.capacity(), (byte)cycle);
                cycles[cycle] = buffer;
            }
        }

        @Override
        public void wrap(final UnsafeBuffer out, final int cycle, final long position, final int length)
        {
            if (cycle < 0 || cycle >= cycles.length || cycles[cycle] == null || position != JOURNAL_POSITION || length != VALUE_LENGTH)
            {
                throw new IllegalStateException("reader resolved a journal reference no writer made: cycle=" + cycle +
                    " position=" + position + " length=" + length);
            }
            out.wrap(cycles[cycle], (int)position, length);
        }
    }

    static final class Generation
    {
        final Overlay overlay = new Overlay(LEASES_PER_GENERATION, JOURNAL);
        final long id;
        int leased;
        int released;
        boolean retired;

        Generation(final long id)
        {
            this.id = id;
            overlay.transferWriter();
            // reserve the value arena's first chunk now, not in the middle of a writer actor
            final UnsafeBuffer warm = new UnsafeBuffer("warm-up".getBytes(StandardCharsets.US_ASCII));
            overlay.patch(warm, 0, warm.capacity(), 1, 0, STAMPS[1], 0, VALUE_LENGTH, null);
        }
    }

    /** One state's key. */
    static final class Lease
    {
        final Generation generation;
        final Overlay overlay;
        final UnsafeBuffer key;

        Lease(final Generation generation, final UnsafeBuffer key)
        {
            this.generation = generation;
            this.overlay = generation.overlay;
            this.key = key;
        }

        /** The writer actor: take the single-writer role (a plain store; the same thread for a whole iteration). */
        Overlay writer()
        {
            overlay.transferWriter();
            return overlay;
        }

        void putJournalRef(final int version)
        {
            writer().putJournalRef(key, 0, key.capacity(), version, version, JOURNAL_POSITION, VALUE_LENGTH);
        }

        void patchWhole(final int version)
        {
            writer().patch(key, 0, key.capacity(), version, 0, STAMPS[version], 0, VALUE_LENGTH, null);
        }

        /**
         * The reader actor: look the key up and judge what came back.
         *
         * @return the stamp (= version) of a whole value that belongs to the version read with it, or one of the
         * negative codes above.
         */
        int read()
        {
            final OverlayReader reader = reader(overlay);
            final OverlayReader.Result result = reader.lookup(key, 0, key.capacity());
            if (result == OverlayReader.Result.ABSENT)
            {
                return ABSENT;
            }
            if (result == OverlayReader.Result.TOMBSTONE)
            {
                return TOMBSTONE;
            }
            if (reader.valueLength() != VALUE_LENGTH)
            {
                return WRONG_LENGTH;
            }
            final DirectBuffer value = reader.value();
            final long first = value.getLong(0);
            for (int i = 8; i < VALUE_LENGTH; i += 8)
            {
                if (value.getLong(i) != first)
                {
                    return TORN;
                }
            }
            final int stamp = value.getByte(0);
            if (first != stampWord(stamp))
            {
                return TORN;
            }
            return reader.version() == stamp ? stamp : VERSION_MISMATCH;
        }
    }

    private static long stampWord(final int stamp)
    {
        return (stamp & 0xFFL) * 0x0101010101010101L;
    }

    private static final class CachedReader
    {
        Overlay overlay;
        OverlayReader reader;
    }

    /** This thread's reader of {@code overlay} (one cached per thread; a reader is single-threaded). */
    private static OverlayReader reader(final Overlay overlay)
    {
        final CachedReader cached = READERS.get();
        if (cached.overlay != overlay)
        {
            cached.reader = new OverlayReader(overlay);
            cached.overlay = overlay;
        }
        return cached.reader;
    }

    /**
     * Lease a fresh key, inserted as a journal reference of {@code version} (cycle = version).
     *
     * @param arenaVersion if &gt; 0, then patched whole with that version (materialised in the arena).
     */
    static synchronized Lease lease(final int version, final int arenaVersion)
    {
        Generation generation = current;
        if (generation == null || generation.leased == LEASES_PER_GENERATION)
        {
            if (generation != null)
            {
                generation.retired = true;
                closeIfDone(generation);
            }
            generation = new Generation(++generations);
            current = generation;
        }
        final int index = generation.leased++;
        final byte[] name = new byte[12];
        name[0] = 'k';
        name[1] = '-';
        for (int i = 0, n = index; i < 10; i++, n /= 10)
        {
            name[name.length - 1 - i] = (byte)('0' + n % 10);
        }
        final Lease lease = new Lease(generation, new UnsafeBuffer(name));
        lease.putJournalRef(version);
        if (arenaVersion > 0)
        {
            lease.patchWhole(arenaVersion);
        }
        return lease;
    }

    static synchronized void release(final Lease lease)
    {
        final Generation generation = lease.generation;
        generation.released++;
        closeIfDone(generation);
    }

    private static void closeIfDone(final Generation generation)
    {
        if (generation.retired && generation.released == generation.leased)
        {
            generation.overlay.close();
        }
    }
}
