package dev.engram.bench.recovery;

import java.util.List;
import java.util.Map;

/**
 * What the checkpoint-vs-append-latency child reported: caller-side append latency with no checkpoint
 * ({@code quiet}) and while checkpoints were built back to back ({@code checkpointing}).
 */
record ImpactResult(long stateBytes, Map<String, String> stateReady, Map<String, String> quiet,
    Map<String, String> checkpointing, Map<String, String> impact)
{
    static ImpactResult of(final long stateBytes, final List<Map<String, String>> records, final int rate, final int phaseSeconds)
    {
        Map<String, String> stateReady = null;
        Map<String, String> quiet = null;
        Map<String, String> checkpointing = null;
        Map<String, String> impact = null;
        for (final Map<String, String> record : records)
        {
            switch (record.get("@"))
            {
                case "state-ready" -> stateReady = record;
                case "latency" -> {
                    if ("quiet".equals(record.get("phase")))
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
        if (stateReady == null || quiet == null || checkpointing == null || impact == null)
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
        return new ImpactResult(stateBytes, stateReady, quiet, checkpointing, impact);
    }

    double p99Ratio()
    {
        return (double)Samples.get(checkpointing, "p99Ns") / Samples.get(quiet, "p99Ns");
    }
}
