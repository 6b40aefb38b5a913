package dev.engram.journal;

import dev.engram.journal.internal.CycleFiles;
import dev.engram.journal.internal.DirectoryLock;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.impl.StoreFileListener;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The journal's Chronicle Queue: opening it with Engram's settings, and the file-level facts the
 * journal needs (which cycle files exist, which file holds a cycle). Cycle files are made owner-only.
 */
final class ChronicleJournalStore implements AutoCloseable
{
    static final String CYCLE_FILE_SUFFIX = CycleFiles.CYCLE_FILE_SUFFIX;

    /**
     * The time Chronicle rolls cycles by, when set (not {@code Long.MIN_VALUE}): while a bridge's frames are copied into
     * the queue (before any other thread uses it), each goes into the cycle current when it was written to the bridge.
     */
    private volatile long clockOverrideMs = Long.MIN_VALUE;
    /**
     * The earliest time Chronicle rolls cycles by: the start of the newest cycle file at open (so a clock behind it,
     * or names put ahead of the clock by size rolls, never make Chronicle start an older cycle after a newer one), then
     * the start of the cycle after one that reached {@link JournalContext#rollBytes()} ({@link #rollIfFull}).
     */
    private volatile long rollFloorMs = Long.MIN_VALUE;
    private final long rollBytes;
    private final long cycleLengthMs;
    private final long maxFrameLength;
    private volatile long sizeRolls;
    private int sizedCycle = Integer.MIN_VALUE;   // the cycle rollIfFull measures, and where its first frame began
    private long sizedFrom;
    private final Path directory;
    private final SingleChronicleQueue queue;
    private final RollCycle rollCycle;
    private final CycleFiles cycleFiles;
    private final Object listingLock = new Object();

    private final java.util.List<String> discardedCycleFiles;

    ChronicleJournalStore(final JournalContext ctx)
    {
        this(ctx, new org.agrona.collections.IntHashSet());
    }

    /**
     * @param endedCycles cycles whose file ends with Chronicle's end-of-file mark ({@link TailGarbage#clearBeforeOpen}):
     *                    if the newest is one, the queue goes on in the cycle after it.
     */
    ChronicleJournalStore(final JournalContext ctx, final org.agrona.collections.IntHashSet endedCycles)
    {
        this.directory = ctx.directory();
        // Chronicle writes its metadata file as it opens (locks, listing): kept to put back if the open fails
        this.metadataBefore = new SmallFileCopy(directory.resolve(METADATA_FILE));
        this.damagedBefore = new SmallFileCopy(directory.resolve(DAMAGED_METADATA_FILE));
        this.discardedCycleFiles = discardHalfCreatedCycleFiles(directory);
        this.rollCycle = ctx.rollCycle();
        this.rollBytes = ctx.rollBytes();
        this.cycleLengthMs = rollCycle.lengthInMillis();
        this.maxFrameLength = ctx.maxDeltaLength();
        try
        {
            this.queue = buildQueueRebuildingMetadata(ctx, new StoreFileListener()
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
            });
        }
        catch (final RuntimeException | Error ex)
        {
            undoOpen(ex);   // a failed open leaves the directory as it found it
            throw ex;
        }
        this.cycleFiles = new CycleFiles(directory, rollCycle);
        restrictExistingFiles();
        queue.refreshDirectoryListing();
        final int newest = queue.lastCycle();
        if (newest != Integer.MIN_VALUE && newest >= 0)
        {
            // a roll writes the end mark into the full file, then creates the next: a kill between the two leaves the
            // newest file ended, and its name may be ahead of the clock (a roll by size), where Chronicle would refuse
            // to write after the mark (WriteAfterEOFException)
            rollFloorMs = (endedCycles.contains(newest) ? newest + 1L : newest) * cycleLengthMs;
        }
    }

    /** Chronicle's own metadata file in the journal directory (its table store: locks, listing, roll cycle). */
    static final String METADATA_FILE = "metadata.cq4t";
    /** Where a metadata file that Chronicle could not use is kept after it was rebuilt (the newest such copy). */
    static final String DAMAGED_METADATA_FILE = METADATA_FILE + ".damaged";

    private String metadataRebuilt;
    private final SmallFileCopy metadataBefore;
    private final SmallFileCopy damagedBefore;

    /**
     * Chronicle's {@code metadata.cq4t} holds nothing the journal needs that the cycle files and the manifest do not
     * (its directory listing is refreshed from the files, the roll cycle is the journal's, the write lock is forced
     * open under the journal's own directory lock, its replication indexes are unused). A damaged one made Chronicle
     * fail to build the queue ({@code Unable to claim exclusive lock}, {@code Can't find an appropriate RollCycles})
     * or, worse, fall back to a read-only queue that failed only at the first append, after ready. So the queue is
     * built, checked (writable, the journal's roll cycle) and, if either fails, built again from a fresh metadata file
     * with the damaged one kept aside as {@code metadata.cq4t.damaged}; if that fails too, the damaged file is put back
     * and the open fails naming it.
     */
    private SingleChronicleQueue buildQueueRebuildingMetadata(final JournalContext ctx, final StoreFileListener permissions)
    {
        final Path metadata = directory.resolve(METADATA_FILE);
        final RuntimeException first;
        try
        {
            final SingleChronicleQueue built = buildQueue(ctx, permissions);
            final String problem = unusable(built);
            if (problem == null)
            {
                return built;
            }
            built.close();
            first = new JournalException(problem);
        }
        catch (final RuntimeException | AssertionError ex)
        {
            if (!Files.exists(metadata))
            {
                throw ex;
            }
            return rebuildMetadata(ctx, permissions, metadata, ex);
        }
        if (!Files.exists(metadata))
        {
            throw first;
        }
        return rebuildMetadata(ctx, permissions, metadata, first);
    }

    private SingleChronicleQueue rebuildMetadata(final JournalContext ctx, final StoreFileListener permissions,
        final Path metadata, final Throwable cause)
    {
        final Path aside = directory.resolve(DAMAGED_METADATA_FILE);
        try
        {
            Files.move(metadata, aside, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            final JournalException failure = new JournalException("Chronicle cannot use the journal's metadata file=" +
                metadata + " (" + cause + ") and it cannot be moved aside to rebuild it (" + ex.getMessage() + "): move it " +
                "out of the journal directory by hand (Chronicle rebuilds it from the cycle files) and reopen", cause);
            failure.addSuppressed(ex);
            throw failure;
        }
        try
        {
            final SingleChronicleQueue rebuilt = buildQueue(ctx, permissions);
            final String problem = unusable(rebuilt);
            if (problem != null)
            {
                rebuilt.close();
                throw new JournalException(problem);
            }
            metadataRebuilt = "Chronicle could not use the journal's metadata file=" + metadata + " (" + cause +
                "): rebuilt from the cycle files; the damaged file is kept as " + aside.getFileName();
            return rebuilt;
        }
        catch (final RuntimeException | AssertionError ex)
        {
            // put back what was there: a failed open changes nothing
            metadataBefore.restore(ex);
            damagedBefore.restore(ex);
            final JournalException failure = new JournalException("cannot open the journal's Chronicle queue in " +
                directory + ": " + cause + "; rebuilding its metadata file=" + metadata + " did not help either: " + ex +
                "; nothing was changed: check the directory's files and permissions (and the JVM flags Chronicle needs), " +
                "or restore the journal from a backup", ex);
            failure.addSuppressed(cause);
            throw failure;
        }
    }

    /**
     * @return why a queue just built cannot serve as the journal's, or null if it can.
     */
    private String unusable(final SingleChronicleQueue built)
    {
        if (built.metaStore().readOnly())
        {
            return "Chronicle opened the queue read-only (it falls back to that when it cannot use its metadata file)";
        }
        if (built.rollCycle().lengthInMillis() != rollCycle.lengthInMillis() || !built.rollCycle().format().equals(rollCycle.format()))
        {
            return "Chronicle's metadata file names rollCycle=" + built.rollCycle() + ", not the journal's " + rollCycle;
        }
        return null;
    }

    /**
     * @return what was done about an unusable metadata file at open, or null if it was fine.
     */
    String metadataRebuilt()
    {
        return metadataRebuilt;
    }

    /**
     * Chronicle reads {@code queue.force.unlock.mode} when a queue is built. ALWAYS (break a stale write lock
     * on timeout even if its PID looks alive, as in containers) is safe for the journal's queue only: the
     * journal holds the directory's exclusive lock and one thread appends. So it is set just while this queue
     * is built and restored at once, never left for the application's other queues.
     */
    private SingleChronicleQueue buildQueue(final JournalContext ctx, final StoreFileListener permissions)
    {
        final java.util.function.LongSupplier clock = ctx.epochMsClock();
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
                    .timeProvider(() ->
                    {
                        final long overridden = clockOverrideMs;
                        final long now = overridden != Long.MIN_VALUE ? overridden : clock.getAsLong();
                        final long floor = rollFloorMs;
                        return now < floor ? floor : now;
                    })
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
                    // never over an older discard: a failed open moves this one back (undoDiscards)
                    File target = new File(file.getPath() + SingleChronicleQueue.DISCARD_FILE_SUFFIX);
                    for (int n = 1; target.exists(); n++)
                    {
                        target = new File(file.getPath() + "." + n + SingleChronicleQueue.DISCARD_FILE_SUFFIX);
                    }
                    raf.close();
                    java.nio.file.Files.move(file.toPath(), target.toPath());
                    discarded.add(file.getName() + " -> " + target.getName());
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
        final File[] files = directory.toFile().listFiles((dir, name) -> isDiscardedCycleFile(name));
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

    /**
     * @return true for {@code <cycle>.cq4.discard} and {@code <cycle>.cq4.<n>.discard} (a name taken already).
     */
    static boolean isDiscardedCycleFile(final String name)
    {
        return name.endsWith(CYCLE_FILE_SUFFIX + SingleChronicleQueue.DISCARD_FILE_SUFFIX) ||
            name.matches(".*\\" + CYCLE_FILE_SUFFIX + "\\.[0-9]+\\" + SingleChronicleQueue.DISCARD_FILE_SUFFIX);
    }

    /**
     * After a failed open (the queue closed, nothing appended): put Chronicle's metadata file back as it was and move
     * the half-created cycle files this open moved aside back where they were.
     */
    void undoOpen(final Throwable failure)
    {
        metadataBefore.restore(failure);
        damagedBefore.restore(failure);
        undoDiscards(failure);
    }

    private void undoDiscards(final Throwable failure)
    {
        for (final String move : discardedCycleFiles)
        {
            final int arrow = move.indexOf(" -> ");
            final Path from = directory.resolve(move.substring(0, arrow));
            final Path to = directory.resolve(move.substring(arrow + 4));
            try
            {
                if (!Files.exists(from))
                {
                    Files.move(to, from);
                }
            }
            catch (final IOException ex)
            {
                failure.addSuppressed(ex);
            }
        }
    }

    java.util.List<String> discardedCycleFiles()
    {
        return discardedCycleFiles;
    }

    /**
     * Roll cycles by {@code epochMs} instead of the context's clock ({@code Long.MIN_VALUE}: the clock again); see
     * {@link JournalBridgeCopy}.
     */
    void clockOverride(final long epochMs)
    {
        clockOverrideMs = epochMs;
    }

    /**
     * Writer thread (or the bridge copy, before the writer runs): a frame of {@code frameLength} bytes of {@code cycle}
     * ended at file offset {@code position}. Once the frames written into the cycle file since its first (or, after a
     * reopen, since the first written by this open) reach {@link JournalContext#rollBytes()}, Chronicle's clock is
     * moved to the start of the
     * next cycle, so the next frame starts a new cycle file (Chronicle writes the end mark into this one, as at a roll
     * by time). One compare per frame below the size.
     */
    void rollIfFull(final int cycle, final long position, final int frameLength)
    {
        if (cycle != sizedCycle)
        {
            // this frame is the first written into the cycle file (since open): measure from where it starts, after
            // Chronicle's header and index arrays (64 KiB and more for the hourly roll cycles)
            sizedCycle = cycle;
            sizedFrom = position - frameLength;
        }
        if (position - sizedFrom >= rollBytes && rollBytes > 0)
        {
            final long next = (cycle + 1L) * cycleLengthMs;
            if (next > rollFloorMs)
            {
                rollFloorMs = next;
                sizeRolls++;   // one writer at a time
            }
        }
    }

    /**
     * @return how many cycle files were ended by size ({@link #rollIfFull}) since open.
     */
    long sizeRolls()
    {
        return sizeRolls;
    }

    /**
     * @return the largest frame the journal writes ({@link JournalContext#maxDeltaLength()}).
     */
    long maxFrameLength()
    {
        return maxFrameLength;
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
