package dev.engram.bench;

import dev.engram.journal.JournalContext;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.nio.file.Path;

/**
 * The raw baseline: a Chronicle Queue opened with the settings the journal gives its own queue (roll
 * cycle, lock timeout, 64 MiB blocks), so a side-by-side run differs only in the path a delta takes.
 */
final class RawChronicleQueue
{
    /** The journal's Chronicle block size for the default maxDeltaLength (see JournalContext). */
    static final long BLOCK_SIZE = 64L << 20;

    private RawChronicleQueue()
    {
    }

    static SingleChronicleQueue open(final Path directory)
    {
        final JournalContext defaults = new JournalContext();
        return SingleChronicleQueueBuilder.binary(directory)
            .rollCycle(defaults.rollCycle())
            .timeoutMS(defaults.chronicleTimeoutMs())
            .blockSize(BLOCK_SIZE)
            .build();
    }
}
