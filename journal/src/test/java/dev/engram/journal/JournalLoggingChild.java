package dev.engram.journal;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Child JVM of {@link JournalLoggingTest}: slf4j-simple logs to stdout; the journal's queue open is held back while a
 * producer fills the ring (FAIL_FAST), then let go. The bridge is off
 * ({@code bridgeMaxLength(0)}): with it the journal thread would drain the ring while the queue opens.
 */
public final class JournalLoggingChild
{
    public static void main(final String[] args) throws Exception
    {
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.out");
        final CountDownLatch gate = new CountDownLatch(1);
        final JournalContext ctx = new JournalContext().directory(Path.of(args[0])).ringSlotCount(16).ringSlotLength(256)
            .ringArenaLength(0).backPressurePolicy(BackPressurePolicy.FAIL_FAST)
            .bridgeMaxLength(0);   // no bridge: the ring fills while the queue is held back
        try (Journal journal = Journal.openInBackground(ctx, 0, () ->
        {
            try
            {
                gate.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }))
        {
            final Delta delta = journal.newDelta().put("k", new byte[8]);
            int refused = 0;
            for (int i = 0; i < 64; i++)
            {
                try
                {
                    journal.append(delta);
                }
                catch (final JournalBackPressureException ex)
                {
                    refused++;
                }
            }
            System.out.println("refused=" + refused);
            gate.countDown();
        }
    }
}
