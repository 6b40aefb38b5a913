package dev.engram.harness.recovery;

import java.util.List;
import java.util.Map;

/**
 * What the checkpoint-vs-append-latency child reported: caller-side append latency with no checkpoint
 * ({@code quiet}) and while checkpoints were built back to back ({@code checkpointing}).
 */
record ImpactResult(long stateBytes, Map<String, String> stateReady, Map<String, String> quietCall,
    Map<String, String> checkpointingCall, Map<String, String> quiet, Map<String, String> checkpointing,
    Map<String, String> impact)
{
    static ImpactResult of(final long stateBytes, final List<Map<String, String>> records, final int rate, final int phaseSeconds)
    {
        Map<String, String> stateReady = null;
        Map<String, String> quietCall = null;
        Map<String, String> checkpointingCall = null;
        Map<String, String> quiet = null;
        Map<String, String> checkpointing = null;
        Map<String, String> impact = null;
        for (final Map<String, String> record : records)
        {
            switch (record.get("@"))
            {
                case "state-ready" -> stateReady = record;
                case "latency" -> {
                    final boolean isQuiet = "quiet".equals(record.get("phase"));
                    if ("call".equals(record.get("kind")))
                    {
                        if (isQuiet)
                        {
                            quietCall = record;
                        }
                        else
                        {
                            checkpointingCall = record;
                        }
                    }
                    else if (isQuiet)
                    {
                        quiet = record;
                    }
                    else
                    {
                        checkpointing = record;
                    }
                }
                case "impact" -> impact = record;
                default -> { }
            }
        }
        if (stateReady == null || quietCall == null || checkpointingCall == null || quiet == null || checkpointing == null ||
            impact == null)
        {
            throw new IllegalStateException("checkpoint impact run sent incomplete records: " + records);
        }
        final long expectedCount = (long)rate * phaseSeconds;
        for (final Map<String, String> phase : List.of(quiet, checkpointing))
        {
            final long count = Samples.get(phase, "count");
            if (Math.abs(count - expectedCount) > 1)
            {
                throw new IllegalStateException("phase " + phase.get("phase") + " recorded " + count + " appends, expected " +
                    expectedCount + " (rate x seconds)");
            }
        }
        if (!Boolean.parseBoolean(impact.get("denseVersions")) || Samples.get(impact, "checkpoints") < 1 ||
            Samples.get(impact, "fullCheckpoints") != Samples.get(impact, "checkpoints"))
        {
            throw new IllegalStateException("checkpoint impact run failed its self-check (dense versions, >= 1 full checkpoint " +
                "during the checkpointing phase): " + impact);
        }
        return new ImpactResult(stateBytes, stateReady, quietCall, checkpointingCall, quiet, checkpointing, impact);
    }

    /** @return p99 of the append call while checkpointing / p99 with no checkpoint. */
    double callP99Ratio()
    {
        return (double)Samples.get(checkpointingCall, "p99Ns") / Samples.get(quietCall, "p99Ns");
    }

    /** @return the same for latency from the intended start. */
    double scheduleP99Ratio()
    {
        return (double)Samples.get(checkpointing, "p99Ns") / Samples.get(quiet, "p99Ns");
    }
}
