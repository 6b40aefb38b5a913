package dev.engram.harness.peers;

import dev.engram.harness.cpu.ThreadCpu;
import dev.engram.harness.recovery.ChildOutput;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CPU one measured phase of the writer child cost, by thread role ({@link ThreadCpu}), written as a
 * {@code @cpu-<phase>} record: {@code puts}, and nanoseconds per role over the whole phase. At a fixed rate the
 * caller spins between puts to keep the schedule, so its share is its put calls' time (call start to return,
 * summed), not its thread's CPU; flat out it is its thread's CPU.
 */
final class PhaseCpu
{
    /** Record tag prefix. */
    static final String TAG = "cpu-";

    private final ThreadCpu.Snapshot before = ThreadCpu.take();

    /**
     * @param phase          the phase's name ({@code rate-10000}, {@code latency}, {@code flat-out}).
     * @param puts           puts the phase made.
     * @param callerCallsNs  the caller's time inside put calls, or -1 to take its thread's CPU.
     */
    void record(final String phase, final long puts, final long callerCallsNs)
    {
        final Map<String, Long> roles = ThreadCpu.between(before, ThreadCpu.take(), Thread.currentThread().getName());
        if (callerCallsNs >= 0)
        {
            final long spin = roles.get(ThreadCpu.CALLER) - callerCallsNs;
            roles.put(ThreadCpu.CALLER, callerCallsNs);
            if (roles.get(ThreadCpu.TOTAL) >= 0)
            {
                roles.put(ThreadCpu.TOTAL, roles.get(ThreadCpu.TOTAL) - Math.max(0, spin));
            }
        }
        final List<Object> fields = new ArrayList<>(List.of("phase", phase, "puts", puts));
        roles.forEach((role, ns) ->
        {
            fields.add(role + "Ns");
            fields.add(ns);
        });
        ChildOutput.record(TAG + phase, fields.toArray());
    }
}
