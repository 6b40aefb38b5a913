package dev.engram.bench;

import dev.engram.journal.EngramSystemProperties;
import dev.engram.journal.JournalContext;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.nio.file.Path;

/**
 * The raw baseline: a Chronicle Queue with the journal's roll cycle and 64 MiB blocks, so a side-by-side
 * run differs only in the path a delta takes, but with Chronicle's own write-lock behaviour.
 * <p>
 * Two raw producers share Chronicle's write lock. {@link EngramSystemProperties#apply()} sets
 * {@code queue.force.unlock.mode=ALWAYS} JVM-wide (right for the journal, whose queue has one appending
 * thread and a directory lock of its own); with it, a lock holder descheduled for 1.5 × timeoutMS has its
 * lock broken by the other live thread, and the queue is corrupted (seen here under load: "Data at ...
 * overwritten?"). So the baseline queue is built with Chronicle's defaults for both: unlock only if the
 * holding process is dead, and the default timeout. Chronicle reads the mode when the queue is built.
 */
public final class RawChronicleQueue
{
    /** The journal's Chronicle block size for the default maxDeltaLength (see JournalContext). */
    public static final long BLOCK_SIZE = 64L << 20;
    private static final String CHRONICLE_DEFAULT_UNLOCK_MODE = "LOCKING_PROCESS_DEAD";

    private RawChronicleQueue()
    {
    }

    public static synchronized SingleChronicleQueue open(final Path directory)
    {
        EngramSystemProperties.apply();
        final String journalMode = System.getProperty(EngramSystemProperties.FORCE_UNLOCK_MODE);
        System.setProperty(EngramSystemProperties.FORCE_UNLOCK_MODE, CHRONICLE_DEFAULT_UNLOCK_MODE);
        try
        {
            return SingleChronicleQueueBuilder.binary(directory)
                .rollCycle(new JournalContext().rollCycle())
                .blockSize(BLOCK_SIZE)
                .build();
        }
        finally
        {
            if (journalMode == null)
            {
                System.clearProperty(EngramSystemProperties.FORCE_UNLOCK_MODE);
            }
            else
            {
                System.setProperty(EngramSystemProperties.FORCE_UNLOCK_MODE, journalMode);
            }
        }
    }
}
