package dev.engram.harness.crash;

import dev.engram.engine.EngramContext;
import dev.engram.examples.consciousness.ConsciousnessCodecs;
import dev.engram.examples.consciousness.ConsciousnessWorkload;
import dev.engram.journal.SyncPolicy;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;

/**
 * The engine configuration the soak's child and parent share: small checkpoints often, journal cycle
 * files rolling every second, periodic sync, the example's codecs.
 */
final class CrashSoakConfig
{
    static final ConsciousnessWorkload.Sizes SIZES = new ConsciousnessWorkload.Sizes(8, 64 * 1024, 500, 20);
    static final long CHECKPOINT_EVERY_FRAMES = 600;
    static final int SYNC_EVERY_STEPS = 97;

    private CrashSoakConfig()
    {
    }

    static EngramContext context()
    {
        final EngramContext ctx = new EngramContext().syncPolicy(SyncPolicy.PERIODIC).syncIntervalMs(10)
            .checkpointEveryFrames(CHECKPOINT_EVERY_FRAMES).checkpointIntervalMs(0);
        ctx.journal().rollCycle(TestRollCycles.TEST_SECONDLY)
            // a loaded machine can hold the journal (its queue still opening after recovery) seconds behind: the
            // worker waits for it rather than die of the ring's default 5 s timeout; the soak is not about rate
            .backPressureTimeoutNs(java.util.concurrent.TimeUnit.SECONDS.toNanos(120));
        ctx.state().snapshotIndex(false).maxChainLength(4).deltaChangedKeysRatio(1.0);
        return ConsciousnessCodecs.register(ctx);
    }
}
