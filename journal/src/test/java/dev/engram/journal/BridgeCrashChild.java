package dev.engram.journal;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Child JVM of {@link JournalBridgeTest}: opens the journal in {@code args[0]} in the background after version
 * {@code args[2]} with the queue's open held back for good, appends {@code args[3]} deltas ({@code k/<version>}) at
 * once, waits until the last is written (it is then in the bridge file) and tells the parent through the
 * {@link CrashReportFile} at {@code args[1]} (the written version, stored only if the queue was still not open); then
 * waits to be killed.
 */
public final class BridgeCrashChild
{
    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final long lastVersion = Long.parseLong(args[2]);
        final int count = Integer.parseInt(args[3]);
        final CountDownLatch never = new CountDownLatch(1);
        try (CrashReportFile report = CrashReportFile.open(Path.of(args[1])))
        {
            report.opening();
            final long startNs = System.nanoTime();
            final Journal journal = Journal.openInBackground(JournalTestSupport.smallContext(dir), lastVersion, () ->
            {
                try
                {
                    never.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            });
            report.opened(lastVersion, System.nanoTime() - startNs);
            final Delta delta = journal.newDelta();
            long version = lastVersion;
            for (int i = 0; i < count; i++)
            {
                version = journal.append(delta.clear().put("k/" + (version + 1), ("value " + (version + 1)).getBytes()));
            }
            if (journal.awaitWritten(version, 60, TimeUnit.SECONDS) && !journal.isQueueOpen())
            {
                report.writtenVersion(version);
            }
            never.await();
        }
    }
}
