package dev.engram.harness.demo;

import dev.engram.engine.EngramContext;
import dev.engram.examples.consciousness.ConsciousnessCodecs;
import dev.engram.examples.consciousness.ConsciousnessWorkload.Sizes;
import dev.engram.journal.JournalContext;
import dev.engram.journal.SyncPolicy;

/**
 * The engine configuration the demo's worker writes with and its recoverer opens with: the example's codecs,
 * background checkpoints every N frames (no timer), zstd blocks, no snapshot index, and a journal that takes
 * the world's largest delta.
 */
final class DemoEngine
{
    private DemoEngine()
    {
    }

    static EngramContext context(
        final Sizes sizes, final long checkpointEveryFrames, final SyncPolicy syncPolicy, final boolean compress)
    {
        final EngramContext ctx = ConsciousnessCodecs.register(new EngramContext()
            .syncPolicy(syncPolicy)
            .checkpointEveryFrames(checkpointEveryFrames)
            .checkpointIntervalMs(0)
            .compress(compress));
        // The snapshot index (Chronicle Map catalog + key index) serves point reads in chains of 8+ files; this
        // world changes weights everywhere, so its checkpoints are full ones and chains stay short, and building
        // the maps after each checkpoint cost seconds of CPU the 2-core demo machine needs for the workload.
        ctx.state().snapshotIndex(false);
        final long largestDelta = sizes.maxCycleDeltaLength();
        if (largestDelta > JournalContext.MAX_DELTA_LENGTH_DEFAULT)
        {
            ctx.journal().maxDeltaLength((int)Math.min(Integer.MAX_VALUE - 8, largestDelta));
        }
        return ctx;
    }
}
