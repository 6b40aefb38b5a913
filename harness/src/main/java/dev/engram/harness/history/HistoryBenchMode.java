package dev.engram.harness.history;

import dev.engram.recovery.StateContext;
import dev.engram.recovery.StateStore;

/**
 * Which history machinery {@code bench history} measures: the defaults, or {@code scan} (today's replay from the
 * nearest checkpoint and full journal scans) for a before/after comparison in one build.
 */
enum HistoryBenchMode
{
    DEFAULT, SCAN;

    static HistoryBenchMode parse(final String text)
    {
        return switch (text)
        {
            case "default" -> DEFAULT;
            case "scan" -> SCAN;
            default -> throw new IllegalArgumentException("--mode must be default or scan: " + text);
        };
    }

    String label()
    {
        return name().toLowerCase();
    }

    void configure(final StateContext ctx)
    {
        ctx.historyIndex(this == DEFAULT);
    }

    /**
     * Wait until the background history machinery has caught up with {@code version} (nothing in scan mode).
     */
    void awaitReady(final StateStore store, final long version)
    {
        final long start = System.nanoTime();
        if (!store.awaitHistoryIndexed(version, 30, java.util.concurrent.TimeUnit.MINUTES))
        {
            throw new IllegalStateException("history index not at version=" + version + " within 30 minutes");
        }
        System.out.printf("history index and anchors caught up %.1f s after the load%n", (System.nanoTime() - start) / 1e9);
    }
}
