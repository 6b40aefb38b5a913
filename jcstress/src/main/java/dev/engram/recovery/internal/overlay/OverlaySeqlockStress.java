package dev.engram.recovery.internal.overlay;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * The overlay's per-entry seqlock ({@link Overlay} writer, {@link OverlayReader#lookup} reader): a reader gets a
 * whole value of one change, never a torn or mixed one, never a value paired with another change's version, and
 * never dereferences a journal cycle number as an arena address (that crashes the fork, a failed test).
 * <p>
 * Each value is {@link OverlayLeases#VALUE_LENGTH} bytes all equal to the version that wrote it; the reader reports
 * that stamp (r1 for its first lookup, r2 for its last, see {@link #readAll}) or a negative code: -1 absent,
 * -2 tombstone, -3 wrong length, -4 torn/mixed bytes, -5 value of another version than the one read with it,
 * -6 (r2 only) a lookup went back to an older version than the one before it.
 */
public final class OverlaySeqlockStress
{
    private OverlaySeqlockStress()
    {
    }

    /** Lookups per reader call (more chances to overlap the writer's changes). */
    static final int READS = 3;

    /**
     * The reader actor: {@link #READS} lookups; r1 = the first one's stamp or error code, r2 = the last one's stamp,
     * or the first error code of a later lookup, or -6 if a lookup saw an older version than the one before it.
     */
    static void readAll(final OverlayLeases.Lease lease, final II_Result r)
    {
        final int first = lease.read();
        int previous = first;
        int outcome = first;
        for (int i = 1; i < READS; i++)
        {
            final int stamp = lease.read();
            if (stamp < 0)
            {
                outcome = stamp;
                break;
            }
            if (previous > 0 && stamp < previous)
            {
                outcome = OverlayLeases.WENT_BACK;
                break;
            }
            previous = stamp;
            outcome = stamp;
        }
        r.r1 = first;
        r.r2 = outcome;
    }

    /**
     * Issue 11, scenario 1: a key alternates between a journal reference (whose A field is a cycle number: 1, 3, 5)
     * and an arena value (A = an address) and back, while another thread looks it up. The second patch materialises
     * the value in the key's spare block, the one the first patch used (reused since the entry dropped it), so a
     * reader still copying from that block must notice through its re-check after the copy.
     */
    @JCStressTest
    @Description("Overlay entry flips journal reference <-> arena value while read: every read is one whole value")
    @Outcome(id = "1, [1-5]", expect = ACCEPTABLE, desc = "first read before the writer started")
    @Outcome(id = "2, [2-5]", expect = ACCEPTABLE, desc = "first read saw the first patch (arena)")
    @Outcome(id = "3, [3-5]", expect = ACCEPTABLE, desc = "first read saw the journal reference after the patch")
    @Outcome(id = "4, [4-5]", expect = ACCEPTABLE, desc = "first read saw the second patch (the reused arena block)")
    @Outcome(id = "5, 5", expect = ACCEPTABLE, desc = "first read after the writer finished")
    @Outcome(expect = FORBIDDEN, desc = "torn, mixed, mismatched or backwards read (or a crash: the fork dies)")
    @State
    public static class JournalArenaFlip
    {
        final OverlayLeases.Lease lease = OverlayLeases.lease(1, 0);   // journal reference, cycle 1, version 1

        @Actor
        public void writer()
        {
            lease.patchWhole(2);          // journal -> arena (materialised in a new block)
            lease.putJournalRef(3);       // arena -> journal, A = cycle 3
            lease.patchWhole(4);          // journal -> arena (the spare block: the one patch 2 used)
            lease.putJournalRef(5);       // arena -> journal, A = cycle 5
        }

        @Actor
        public void reader(final II_Result r)
        {
            readAll(lease, r);
        }

        @Arbiter
        public void release()
        {
            OverlayLeases.release(lease);
        }
    }

    /**
     * A materialised value patched in place (under the entry's seqlock) again and again, each patch rewriting it
     * whole with one stamp, while another thread copies it out.
     */
    @JCStressTest
    @Description("Arena value patched in place while read: a reader never sees a mixed value")
    @Outcome(id = "2, [2-5]", expect = ACCEPTABLE, desc = "first read before the writer started")
    @Outcome(id = "3, [3-5]", expect = ACCEPTABLE, desc = "first read saw the first in-place patch")
    @Outcome(id = "4, [4-5]", expect = ACCEPTABLE, desc = "first read saw the second in-place patch")
    @Outcome(id = "5, 5", expect = ACCEPTABLE, desc = "first read after the writer finished")
    @Outcome(expect = FORBIDDEN, desc = "torn, mixed, mismatched or backwards read (or a crash: the fork dies)")
    @State
    public static class InPlacePatch
    {
        final OverlayLeases.Lease lease = OverlayLeases.lease(1, 2);   // materialised in the arena with version 2

        @Actor
        public void writer()
        {
            lease.patchWhole(3);          // in place: the block has room for the whole value
            lease.patchWhole(4);
            lease.patchWhole(5);
        }

        @Actor
        public void reader(final II_Result r)
        {
            readAll(lease, r);
        }

        @Arbiter
        public void release()
        {
            OverlayLeases.release(lease);
        }
    }
}
