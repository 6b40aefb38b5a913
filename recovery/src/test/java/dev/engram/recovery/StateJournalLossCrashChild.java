package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.EngramSystemProperties;
import dev.engram.journal.Journal;

import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The process {@link StateJournalLossCrashTest} kills: opens the state (without accepting journal loss), then appends
 * the seeded workload from the next version on at ~10k deltas/s on a journal that rolls a cycle file every second,
 * with background checkpoints and retention. Publishes in a mapped report file: offset 0 the journal's written
 * version, offset 8 the version the open recovered.
 * Args: directory, seed, report file.
 */
public final class StateJournalLossCrashChild
{
    private StateJournalLossCrashChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        EngramSystemProperties.apply();
        final Path dir = Path.of(args[0]);
        final SeededWorkload workload = new SeededWorkload(Long.parseLong(args[1]), StateJournalLossCrashTest.LARGE_VALUE);
        try (RandomAccessFile file = new RandomAccessFile(args[2], "rw");
             FileChannel channel = file.getChannel())
        {
            final MappedByteBuffer report = channel.map(FileChannel.MapMode.READ_WRITE, 0, 64);
            final StateStore store = StateStore.open(StateJournalLossCrashTest.context(dir));
            final long recovered = store.recoveryReport().recoveredVersion();
            report.putLong(8, recovered);
            final Journal journal = store.journal();
            report.putLong(0, journal.writtenVersion());
            final Delta delta = journal.newDelta();
            final long startNs = System.nanoTime();
            final long deadline = startNs + 120_000_000_000L;
            long version = recovered;
            while (System.nanoTime() < deadline)
            {
                while ((version - recovered) * 100_000L > System.nanoTime() - startNs)
                {
                    java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                }
                for (int i = 0; i < 32; i++)
                {
                    version++;
                    final long appended = journal.append(workload.fill(version, delta));
                    if (appended != version)
                    {
                        throw new IllegalStateException("expected version " + version + " got " + appended);
                    }
                }
                report.putLong(0, journal.writtenVersion());
            }
            System.exit(3); // never reached in a test: the parent kills first
        }
    }
}
