package dev.engram.recovery.internal.concurrent;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link ReaderHazards}: a generation is "freed" (a flag here, memory unmapped in the engine) only when no reader is
 * inside it. The reader reports r1 = 1 if it saw its generation freed while inside it (FORBIDDEN: in the engine that
 * is a read of freed or unmapped memory); the reclaimer reports r2 = 1 if it freed the generation.
 */
public final class ReaderHazardsStress
{
    private ReaderHazardsStress()
    {
    }

    /** A generation of shared state. */
    static final class Generation
    {
        boolean freed;
    }

    /** Reads a few times over a short while, as a reader inside a generation does (0: never saw it freed). */
    static int readInside(final Generation generation)
    {
        int freed = generation.freed ? 1 : 0;
        for (int i = 0; i < 8; i++)
        {
            Thread.onSpinWait();
            freed |= generation.freed ? 1 : 0;
        }
        return freed;
    }

    /** The reclaimer of a swap: publish a new generation, then free the old one if no reader protects it. */
    static int swapAndReclaim(final Swappable state)
    {
        final Generation old = state.current;
        state.current = new Generation();
        if (!state.hazards.isProtected(old))
        {
            old.freed = true;
            return 1;
        }
        return 0;
    }

    /** A state whose current generation is replaced by the reclaimer. */
    public abstract static class Swappable
    {
        volatile Generation current = new Generation();
        final ReaderHazards<Generation> hazards = new ReaderHazards<>(() -> current, "closed");
        final ReaderHazards<Generation>.Slots slots = hazards.register();
    }

    /** enter() racing a generation swap: either the reader protects what it entered, or it sees the new one. */
    @JCStressTest
    @Description("ReaderHazards: enter/read/exit racing a swap + isProtected + free")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the reclaimer saw the reader inside the old generation and kept it")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the old generation was freed: the reader had left it, or entered the new one")
    @Outcome(id = "1, .*", expect = FORBIDDEN, desc = "the reader saw its generation freed while inside it")
    @Outcome(expect = FORBIDDEN, desc = "other")
    @State
    public static class Swap extends Swappable
    {
        @Actor
        public void reader(final II_Result r)
        {
            final Generation generation = slots.enter();
            r.r1 = readInside(generation);
            slots.exit();
        }

        @Actor
        public void reclaimer(final II_Result r)
        {
            r.r2 = swapAndReclaim(this);
        }
    }

    /**
     * Issue 11, scenario 4: a read nested inside another (a get() inside a forEach consumer); leaving the inner
     * one must not drop the outer one's protection.
     */
    @JCStressTest
    @Description("ReaderHazards: enter, enter, exit inner, read the outer generation, exit; racing a swap + free")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the reclaimer saw a reader inside the old generation and kept it")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the old generation was freed: the reader had left it, or entered only the new one")
    @Outcome(id = "1, .*", expect = FORBIDDEN, desc = "the outer read saw its generation freed after the inner read left")
    @Outcome(expect = FORBIDDEN, desc = "other")
    @State
    public static class Nested extends Swappable
    {
        @Actor
        public void reader(final II_Result r)
        {
            final Generation outer = slots.enter();
            final Generation inner = slots.enter();
            int freed = inner.freed ? 1 : 0;
            slots.exit();
            freed |= readInside(outer);
            slots.exit();
            r.r1 = freed;
        }

        @Actor
        public void reclaimer(final II_Result r)
        {
            r.r2 = swapAndReclaim(this);
        }
    }

    /**
     * Issue 11, scenario 2: close() while a reader enters. After close() the reader either is refused
     * (IllegalStateException) or is visible to anyProtected(), so the closer frees nothing it still reads.
     */
    @JCStressTest
    @Description("ReaderHazards: enter/read/exit racing close + anyProtected + free")
    @Outcome(id = "0, 0", expect = ACCEPTABLE, desc = "the reader was inside: the closer kept the generation")
    @Outcome(id = "0, 1", expect = ACCEPTABLE, desc = "the reader had left before the closer looked: freed")
    @Outcome(id = "2, [01]", expect = ACCEPTABLE, desc = "the reader was refused (IllegalStateException)")
    @Outcome(id = "1, .*", expect = FORBIDDEN, desc = "the reader saw the generation freed while inside it")
    @Outcome(expect = FORBIDDEN, desc = "other")
    @State
    public static class Close
    {
        final Generation only = new Generation();
        final ReaderHazards<Generation> hazards = new ReaderHazards<>(() -> only, "closed");
        final ReaderHazards<Generation>.Slots slots = hazards.register();

        @Actor
        public void reader(final II_Result r)
        {
            final Generation generation;
            try
            {
                generation = slots.enter();
            }
            catch (final IllegalStateException closed)
            {
                r.r1 = slots.depth() == 0 ? 2 : 3;
                return;
            }
            r.r1 = readInside(generation);
            slots.exit();
        }

        @Actor
        public void closer(final II_Result r)
        {
            hazards.close();
            if (!hazards.anyProtected())
            {
                only.freed = true;
                r.r2 = 1;
            }
        }
    }
}
