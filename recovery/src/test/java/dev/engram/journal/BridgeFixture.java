package dev.engram.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Test support for the recovery module's fault suite (in the journal's package for its package-private background open
 * with a held-back queue): the bridge file ({@link JournalBridgeDescriptor}) a crash leaves when the process dies while
 * a background open's queue is still opening.
 */
public final class BridgeFixture
{
    /** Fills the delta of a version. */
    @FunctionalInterface
    public interface Fill
    {
        Delta fill(long version, Delta delta);
    }

    private BridgeFixture()
    {
    }

    /**
     * Put a bridge's bytes (from {@link #bridgeBytes}) into a journal directory as a crash in the bridge phase leaves
     * them: the bridge file and its mark (a copy of its header, {@link JournalBridgeMark}).
     */
    public static void writeCrashState(final java.nio.file.Path journalDirectory, final byte[] bridge) throws IOException
    {
        Files.write(journalDirectory.resolve(JournalBridgeDescriptor.FILE_NAME), bridge);
        Files.write(journalDirectory.resolve(JournalBridgeDescriptor.MARK_FILE_NAME),
            java.util.Arrays.copyOf(bridge, JournalBridgeDescriptor.HEADER_LENGTH));
    }

    /**
     * Open the journal in {@code ctx} in the background after {@code lastVersion} with its queue held back, append
     * versions {@code lastVersion + 1 .. to}, wait until they are written (to the bridge) and take the bridge's bytes;
     * then let the queue open and close. The directory then holds those versions in its queue: run this on a scratch
     * copy and put the bytes returned into a copy of the journal as it was.
     *
     * @return the bridge's bytes as a crash at that moment leaves them.
     */
    public static byte[] bridgeBytes(final JournalContext ctx, final long lastVersion, final long to, final Fill fill)
    {
        final CountDownLatch gate = new CountDownLatch(1);
        try (Journal journal = Journal.openInBackground(ctx, lastVersion, () ->
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
            try
            {
                final Delta delta = journal.newDelta();
                for (long version = lastVersion + 1; version <= to; version++)
                {
                    journal.append(fill.fill(version, delta.clear()));
                }
                if (!journal.awaitWritten(to, 60, TimeUnit.SECONDS) || journal.isQueueOpen())
                {
                    throw new IllegalStateException("version " + to + " was not written to the bridge in 60 s");
                }
                return Files.readAllBytes(ctx.directory().resolve(JournalBridgeDescriptor.FILE_NAME));
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
            finally
            {
                gate.countDown();
            }
        }
    }
}
