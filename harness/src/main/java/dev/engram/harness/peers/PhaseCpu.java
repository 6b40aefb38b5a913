package dev.engram.harness.peers;

import dev.engram.harness.cpu.ThreadCpu;
import dev.engram.harness.recovery.ChildOutput;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The CPU one measured phase of the writer child cost, by thread role ({@link ThreadCpu}), written as a
 * {@code @cpu-<phase>} record: {@code puts}, and nanoseconds per role over the whole phase. At a fixed rate the
 * caller spins between puts to keep the schedule, so its share is its thread's CPU inside the put calls (the
 * {@code --cpu-rates} phases) or, in the latency phase, which must not pay for reading it, the calls' wall time;
 * flat out it is its thread's CPU.
 */
final class PhaseCpu
{
    /** Record tag prefix. */
    static final String TAG = "cpu-";
    /** The total less the JIT compilers: what a put costs once the code is compiled (the JIT's is a warm-up cost). */
    static final String TOTAL_LESS_JIT = "totalLessJit";

    private final ThreadCpu.Snapshot before = ThreadCpu.take();

    /**
     * @param phase          the phase's name ({@code rate-10000}, {@code latency}, {@code flat-out}).
     * @param puts           puts the phase made.
     * @param callerCallsNs  the caller's time inside put calls (CPU, or wall where CPU was not read), or -1 to take
     *                       its thread's CPU.
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
        final long total = roles.get(ThreadCpu.TOTAL);
        final long jit = roles.get(ThreadCpu.JIT);
        roles.put(TOTAL_LESS_JIT, total < 0 || jit < 0 ? -1 : total - jit);
        final List<Object> fields = new ArrayList<>(List.of("phase", phase, "puts", puts));
        roles.forEach((role, ns) ->
        {
            fields.add(role + "Ns");
            fields.add(ns);
        });
        ChildOutput.record(TAG + phase, fields.toArray());
    }
}
