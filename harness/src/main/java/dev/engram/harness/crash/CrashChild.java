package dev.engram.harness.crash;

import dev.engram.engine.Engram;
import dev.engram.examples.consciousness.ConsciousnessWorkload;
import dev.engram.journal.EngramSystemProperties;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static dev.engram.harness.crash.CrashOracleDescriptor.*;

/**
 * The worker the soak kills: recovers the state, resumes the seeded workload after the recovered version
 * (multi-key batches, PATCH of large values, deletes), with checkpoints, journal rolls and durability waits,
 * and records in the oracle what each durability level acknowledged. Args: dir, seed, oracle file, steps/s.
 */
public final class CrashChild
{
    /** The harness command that runs a worker ({@code Main crash-child DIR SEED ORACLE STEPS_PER_SECOND}). */
    public static final String COMMAND = "crash-child";

    private CrashChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        EngramSystemProperties.apply();
        final Path dir = Path.of(args[0]);
        final long seed = Long.parseLong(args[1]);
        final long stepsPerSecond = Long.parseLong(args[3]);
        try (CrashOracle oracle = new CrashOracle(Path.of(args[2])))
        {
            final Engram engram = Engram.open(dir, CrashSoakConfig.context());
            final long recovered = engram.recoveryReport().recoveredVersion();
            oracle.set(OPENED_OFFSET, recovered);
            final ConsciousnessWorkload workload = new ConsciousnessWorkload(seed, CrashSoakConfig.SIZES).resumeAfter(recovered);
            final long nsPerStep = TimeUnit.SECONDS.toNanos(1) / stepsPerSecond;
            final long start = System.nanoTime();
            long steps = 0;
            while (true)
            {
                while (steps * nsPerStep > System.nanoTime() - start)
                {
                    LockSupport.parkNanos(50_000);
                }
                final long version = workload.step(engram);
                steps++;
                oracle.set(ATTEMPTED_OFFSET, version);
                oracle.set(WRITTEN_ACK_OFFSET, engram.writtenVersion());
                if (steps % CrashSoakConfig.SYNC_EVERY_STEPS == 0 && engram.awaitSynced(version, 5, TimeUnit.SECONDS))
                {
                    oracle.set(SYNCED_ACK_OFFSET, version);
                }
                oracle.set(CHECKPOINTS_OFFSET, engram.checkpointCount());
            }
        }
    }
}
