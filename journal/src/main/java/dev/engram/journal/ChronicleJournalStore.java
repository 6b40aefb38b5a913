package dev.engram.journal;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The journal's Chronicle Queue: opening it with Engram's settings, and the file-level facts the
 * journal needs (which cycle files exist, which file holds a cycle). Cycle files are made owner-only.
 */
final class ChronicleJournalStore implements AutoCloseable
{
    static final String CYCLE_FILE_SUFFIX = ".cq4";

    private final Path directory;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final CycleFiles cycleFiles;
    private final Object listingLock = new Object();

    private final java.util.List<String> discardedCycleFiles;

    ChronicleJournalStore(final JournalContext ctx)
    {
        this.directory = ctx.directory();
        this.discardedCycleFiles = discardHalfCreatedCycleFiles(directory);
        this.rollCycle = ctx.rollCycle();
        this.cycleFiles = new CycleFiles(directory, rollCycle);
        final StoreFileListener permissions = new StoreFileListener()
        {
            @Override
            public void onAcquired(final int cycle, final File file)
            {
                // called for every store acquired, including by readers; only files that exist need it
                DirectoryLock.setOwnerOnlyIfExists(file.toPath(), "rw-------");
            }

            @Override
            public void onReleased(final int cycle, final File file)
            {
            }
        };
        try
        {
            this.queue = buildQueue(ctx, permissions);
        }
        catch (final RuntimeException ex)
        {
            // Chronicle's own exceptions (e.g. "Unable to claim exclusive lock on file .../metadata.cq4t" after its
            // timeout, for a garbled metadata file) say nothing of the journal or what to do
            throw new JournalException("journal queue in " + directory + " could not be opened: " + ex + "; its " +
                metadataFile().getFileName() + " or a cycle file's header may be damaged: move " +
                metadataFile().getFileName() + " aside (Chronicle rebuilds it from the cycle files) and reopen", ex);
        }
        if (queue.metaStore().readOnly())
        {
            // Chronicle could not read its metadata file and fell back to a read-only queue (a warning in its log):
            // every append would then fail with "Can't append to a read-only chronicle", naming nothing
            queue.close();
            throw new JournalException("journal metadata file " + metadataFile() + " cannot be read (damaged?): " +
                "Chronicle opened the queue in " + directory + " read-only; nothing was written: move " +
                metadataFile().getFileName() + " aside (Chronicle rebuilds it from the cycle files) and reopen");
        }
        restrictExistingFiles();
    }

    /**
     * Chronicle reads {@code queue.force.unlock.mode} when a queue is built. ALWAYS (break a stale write lock
     * on timeout even if its PID looks alive, as in containers) is safe for the journal's queue only: the
     * journal holds the directory's exclusive lock and one thread appends. So it is set just while this queue
     * is built and restored at once, never left for the application's other queues.
     */
    private SingleChronicleQueue buildQueue(final JournalContext ctx, final StoreFileListener permissions)
    {
        synchronized (ChronicleJournalStore.class)
        {
            final String previous = System.getProperty(EngramSystemProperties.FORCE_UNLOCK_MODE);
            System.setProperty(EngramSystemProperties.FORCE_UNLOCK_MODE, "ALWAYS");
            try
            {
                return SingleChronicleQueueBuilder.binary(directory)
                    .rollCycle(rollCycle)
                    .timeoutMS(ctx.chronicleTimeoutMs())
                    .blockSize(ctx.chronicleBlockSize())
                    .timeProvider(ctx.epochMsClock()::getAsLong)
                    .storeFileListener(permissions)
                    .build();
            }
            finally
            {
                if (previous == null)
                {
                    System.clearProperty(EngramSystemProperties.FORCE_UNLOCK_MODE);
                }
                else
                {
                    System.setProperty(EngramSystemProperties.FORCE_UNLOCK_MODE, previous);
                }
            }
        }
    }

    private void restrictExistingFiles()
    {
        final File[] files = directory.toFile().listFiles();
        if (files != null)
        {
            for (final File file : files)
            {
                if (file.isFile())
                {
                    DirectoryLock.setOwnerOnly(file.toPath(), "rw-------");
                }
            }
        }
    }

    /**
     * A process killed while Chronicle creates a cycle file leaves a file whose first header word is 0 or
     * still marked not-complete: it holds no excerpt. Chronicle would wait its timeout on it, twice (tail
     * scan, then appender) and then move it aside itself. The journal holds the directory's exclusive lock,
     * so no other writer can be creating it: move it aside at once, under Chronicle's own ".discard" name.
     */
    static java.util.List<String> discardHalfCreatedCycleFiles(final Path directory)
    {
        final java.util.List<String> discarded = new java.util.ArrayList<>();
        final File[] files = directory.toFile().listFiles((dir, name) -> name.endsWith(CYCLE_FILE_SUFFIX));
        if (files == null)
        {
            return discarded;
        }
        for (final File file : files)
        {
            try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(file, "r"))
            {
                final int firstWord = raf.length() < 4 ? 0 : Integer.reverseBytes(raf.readInt());
                if (firstWord == 0 || (firstWord & 0x80000000) != 0)
                {
                    final File target = new File(file.getPath() + SingleChronicleQueue.DISCARD_FILE_SUFFIX);
                    java.nio.file.Files.move(file.toPath(), target.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    discarded.add(file.getName());
                }
            }
            catch (final java.io.IOException ex)
            {
                throw new JournalException("cannot inspect journal cycle file=" + file + ": " + ex.getMessage(), ex);
            }
        }
        return discarded;
    }

    /**
     * Delete the cycle files moved aside as half-created ({@code *.cq4.discard}, by recovery or by Chronicle):
     * they hold no excerpt, so nothing is lost; left alone they pile up after repeated crashes.
     *
     * @return files deleted.
     */
    int deleteDiscardedCycleFiles()
    {
        final File[] files = directory.toFile().listFiles((dir, name) ->
            name.endsWith(CYCLE_FILE_SUFFIX + SingleChronicleQueue.DISCARD_FILE_SUFFIX));
        int deleted = 0;
        if (files != null)
        {
            for (final File file : files)
            {
                if (file.delete())
                {
                    deleted++;
                }
            }
        }
        return deleted;
    }

    java.util.List<String> discardedCycleFiles()
    {
        return discardedCycleFiles;
    }

    SingleChronicleQueue queue()
    {
        return queue;
    }

    RollCycle rollCycle()
    {
        return rollCycle;
    }

    Path directory()
    {
        return directory;
    }

    /**
     * @return the cycles that have a file, ascending.
     */
    NavigableSet<Long> cycles()
    {
        synchronized (listingLock)
        {
            for (int attempt = 0; ; attempt++)
            {
                queue.refreshDirectoryListing();
                final int first = queue.firstCycle();
                final int last = queue.lastCycle();
                if (first == Integer.MAX_VALUE || last == Integer.MIN_VALUE || first > last)
                {
                    return new TreeSet<>();
                }
                try
                {
                    // a plain copy: Chronicle returns a range view, whose subSet outside [first, last] throws
                    return new TreeSet<>(queue.listCyclesBetween(first, last));
                }
                catch (final IllegalStateException ex)
                {
                    // Chronicle's listing named a cycle file that retention removed meanwhile: list again
                    if (attempt >= 3)
                    {
                        throw new JournalException("cannot list journal cycles in " + directory + ": " + ex.getMessage(), ex);
                    }
                }
            }
        }
    }

    /**
     * Delete an old cycle file and refresh Chronicle's listing at once, so no one lists a deleted cycle.
     */
    void deleteCycleFile(final File file)
    {
        synchronized (listingLock)
        {
            if (file.exists() && !file.delete())
            {
                throw new JournalException("cannot delete journal cycle file=" + file);
            }
            queue.refreshDirectoryListing();
        }
    }

    /**
     * @param cycle a cycle.
     * @return the file holding it, or null if there is none.
     */
    File fileForCycle(final int cycle)
    {
        final File file = cycleFiles.fileFor(cycle);
        return file.exists() ? file : null;
    }

    /**
     * @return the cycle files by name, as recovery's scanner and the mapped reads find them.
     */
    CycleFiles cycleFiles()
    {
        return cycleFiles;
    }

    /**
     * @return the directory-listing table file Chronicle keeps beside the cycles.
     */
    Path metadataFile()
    {
        return directory.resolve(SingleChronicleQueue.QUEUE_METADATA_FILE);
    }

    boolean metadataFileExists()
    {
        return Files.exists(metadataFile());
    }

    @Override
    public void close()
    {
        queue.close();
    }
}
