package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.journal.Journal;

import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The process {@link StateCrashTest} kills: opens the state (recovering it), then appends the seeded
 * workload from the next version on, as fast as it can, with checkpoints built continuously in the
 * background. After each batch it publishes the journal's written version in a mapped report file
 * (offset 0: written version; offset 8: version the open recovered; offset 16: checkpoints done).
 * Args: directory, seed, large value length, report file, maintain the snapshot index (Chronicle Map).
 */
public final class StateCrashChild
{
    private StateCrashChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        EngramSystemProperties.apply();
        final Path dir = Path.of(args[0]);
        final SeededWorkload workload = new SeededWorkload(Long.parseLong(args[1]), Integer.parseInt(args[2]));
        try (RandomAccessFile file = new RandomAccessFile(args[3], "rw");
             FileChannel channel = file.getChannel())
        {
            final MappedByteBuffer report = channel.map(FileChannel.MapMode.READ_WRITE, 0, 64);
            final boolean snapshotIndex = args.length > 4 && Boolean.parseBoolean(args[4]);
            final StateStore store = StateStore.open(StateCrashTest.context(dir).snapshotIndex(snapshotIndex));
            final long recovered = store.recoveryReport().recoveredVersion();
            report.putLong(8, recovered);
            report.putLong(0, store.journal().writtenVersion());
            final Journal journal = store.journal();
            final Delta delta = journal.newDelta();
            final long startNs = System.nanoTime();
            // longer than the parent waits for this child's progress (it kills first, or fails naming the child): a child
            // that gave up first on a loaded machine failed the test as "child died" (CI 2026-12-07, load 20)
            final long deadline = startNs + 900_000_000_000L;
            long version = recovered;
            while (System.nanoTime() < deadline)
            {
                // about 20k deltas/s: leaves the background checkpointer CPU on 2 cores, so kills land in builds
                while ((version - recovered) * 50_000L > System.nanoTime() - startNs)
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
                for (int i = 0; i < 64; i++)
                {
                    version++;
                    final long appended = journal.append(workload.fill(version, delta));
                    if (appended != version)
                    {
                        throw new IllegalStateException("expected version " + version + " got " + appended);
                    }
                }
                report.putLong(0, journal.writtenVersion());
                report.putLong(16, store.checkpointCount());
            }
            System.exit(3); // never reached in a test: the parent kills first
        }
    }
}
