package dev.engram.examples.consciousness;

import dev.engram.engine.Engram;
import dev.engram.journal.EngramSystemProperties;

import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The process {@link ConsciousnessCrashTest} kills: opens the engine (recovering it), resumes the workload
 * after the recovered version and commits one step after another at a steady pace, with checkpoints every
 * few hundred frames built in the background. After each step it publishes in a mapped report file:
 * offset 0 the journal's written version, offset 8 the version the open recovered, offset 16 the
 * checkpoints done.
 * Args: directory, seed, report file, checkpoint every N frames, steps per second, size flags...
 */
public final class ConsciousnessCrashChild
{
    static final int WRITTEN_OFFSET = 0;
    static final int RECOVERED_OFFSET = 8;
    static final int CHECKPOINTS_OFFSET = 16;
    static final int REPORT_LENGTH = 64;

    private ConsciousnessCrashChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        EngramSystemProperties.apply();
        final Path dir = Path.of(args[0]);
        final long seed = Long.parseLong(args[1]);
        final Path reportFile = Path.of(args[2]);
        final long checkpointEveryFrames = Long.parseLong(args[3]);
        final long stepsPerSecond = Long.parseLong(args[4]);
        final ConsciousnessWorkload.Sizes sizes = ConsciousnessWorkload.Sizes.parse(Arrays.copyOfRange(args, 5, args.length));
        try (RandomAccessFile file = new RandomAccessFile(reportFile.toFile(), "rw");
             FileChannel channel = file.getChannel())
        {
            final MappedByteBuffer report = channel.map(FileChannel.MapMode.READ_WRITE, 0, REPORT_LENGTH);
            final Engram engram = Engram.open(dir, ExampleTestSupport.context(checkpointEveryFrames));
            final long recovered = engram.recoveryReport().recoveredVersion();
            final ConsciousnessWorkload workload = new ConsciousnessWorkload(seed, sizes).resumeAfter(recovered);
            report.putLong(RECOVERED_OFFSET, recovered);
            report.putLong(WRITTEN_OFFSET, engram.writtenVersion());
            final long nsPerStep = TimeUnit.SECONDS.toNanos(1) / stepsPerSecond;
            final long startNs = System.nanoTime();
            final long deadline = startNs + TimeUnit.SECONDS.toNanos(120);
            long committed = 0;
            while (System.nanoTime() < deadline)
            {
                // a steady pace leaves CPU for the background checkpointer on 2 cores, so kills land in its builds too
                while (committed * nsPerStep > System.nanoTime() - startNs)
                {
                    LockSupport.parkNanos(100_000);
                }
                final long expected = workload.nextStep();
                final long version = workload.step(engram);
                if (version != expected)
                {
                    throw new IllegalStateException("step=" + expected + " was committed as version=" + version);
                }
                committed++;
                report.putLong(WRITTEN_OFFSET, engram.writtenVersion());
                report.putLong(CHECKPOINTS_OFFSET, engram.checkpointCount());
            }
            System.exit(3); // never reached in a test: the parent kills first
        }
    }
}
