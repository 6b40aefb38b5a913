package dev.engram.recovery.internal.concurrent;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

import java.util.concurrent.TimeUnit;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

/**
 * {@link CallGate}: once {@code closeAndAwait} has seen no call inside, no call can be inside (issue 11, scenario 3:
 * checkpoint() racing close()).
 */
public final class CallGateStress
{
    private CallGateStress()
    {
    }

    /**
     * tryEnter() racing closeAndAwait(0): the caller does not leave, so the closer must either see it inside or the
     * caller must be refused. r1 = tryEnter() returned true, r2 = closeAndAwait returned true (none inside), r3 = calls
     * inside afterwards (arbiter).
     */
    @JCStressTest
    @Description("CallGate: tryEnter (no exit) racing closeAndAwait(0)")
    @Outcome(id = "1, 0, 1", expect = ACCEPTABLE, desc = "entered first: the closer saw it inside and timed out")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "refused: the gate was already closed")
    @Outcome(id = "1, 1, .*", expect = FORBIDDEN, desc = "entered, yet the closer saw none inside (it would free what the call uses)")
    @Outcome(expect = FORBIDDEN, desc = "other")
    @State
    public static class EnterVsClose
    {
        final CallGate gate = new CallGate();

        @Actor
        public void caller(final III_Result r)
        {
            r.r1 = gate.tryEnter() ? 1 : 0;
        }

        @Actor
        public void closer(final III_Result r)
        {
            r.r2 = gate.closeAndAwait(0, TimeUnit.NANOSECONDS) ? 1 : 0;
        }

        @Arbiter
        public void after(final III_Result r)
        {
            r.r3 = (int)gate.inside() + (gate.isClosed() ? 0 : 100);
        }
    }

    /**
     * tryEnter() + exit() racing closeAndAwait(5 s): the closer must return true (the caller leaves at once; its exit
     * wakes the closer), and afterwards the gate is closed, empty, and refuses. r1 = entered, r2 = closeAndAwait
     * returned true, r3 = calls inside afterwards + 10 if a tryEnter after close was let in.
     */
    @JCStressTest
    @Description("CallGate: tryEnter + exit racing closeAndAwait(5 s)")
    @Outcome(id = "1, 1, 0", expect = ACCEPTABLE, desc = "entered and left; the closer waited for it")
    @Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "refused: the gate was already closed")
    @Outcome(expect = FORBIDDEN, desc = "the closer gave up, a call was left inside, or the closed gate let one in")
    @State
    public static class EnterExitVsDrain
    {
        final CallGate gate = new CallGate();

        @Actor
        public void caller(final III_Result r)
        {
            if (gate.tryEnter())
            {
                r.r1 = 1;
                gate.exit();
            }
        }

        @Actor
        public void closer(final III_Result r)
        {
            r.r2 = gate.closeAndAwait(5, TimeUnit.SECONDS) ? 1 : 0;
        }

        @Arbiter
        public void after(final III_Result r)
        {
            int problems = (int)gate.inside() + (gate.isClosed() ? 0 : 100);
            if (gate.tryEnter())
            {
                problems += 10;
                gate.exit();
            }
            r.r3 = problems;
        }
    }
}
