package dev.engram.recovery.internal.history;

import dev.engram.journal.DeltaFrame;
import dev.engram.recovery.KeyHistory;
import dev.engram.recovery.internal.checkpoint.KeyHash;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The per-key version index behind {@code history(key)}: immutable segment files
 * ({@link KeyIndexSegmentDescriptor}), each the ops of a run of versions grouped by key, plus the run the
 * {@link HistoryFollower} is filling now, held in memory. A query takes each version range from a segment, from
 * the run in memory, or — where neither covers it (not indexed yet, dropped as damaged or stale, the index
 * off) — from a scan of the journal: the index only ever makes an answer faster, never different. Segments
 * are written, checked, dropped and rebuilt by the follower thread alone; queries run on any thread.
 */
final class KeyHistoryIndex
{
    /** Scans the journal for the ops of a key in a version range, oldest first (the fallback). */
    @FunctionalInterface
    interface RangeScanner
    {
        void scan(byte[] key, long from, long to, List<KeyHistory.Change> out);
    }

    /** Scans the journal for the keys its frames in a version range touch (the fallback of {@link #changedKeys}). */
    @FunctionalInterface
    interface KeysScanner
    {
        void scan(long from, long to, Set<String> out);
    }

    /**
     * What reading one journal frame costs in keys read from a segment (~1.1 µs a frame: read, CRC-checked, every op
     * decoded; ~0.2 µs a segment key: CRC-checked, decoded): {@link #changedKeys} reads a segment when its keys cost
     * less than the frames of the stretch.
     */
    static final int FRAME_COST_IN_KEYS = 4;

    private final Path directory;
    private final int segmentVersions;
    private final Consumer<String> onReport;
    /** Published segments, sorted by first version, never overlapping; replaced whole (copy on write). */
    private volatile List<KeyIndexSegment> segments = List.of();
    // the run in memory, guarded by this
    private final KeyRun current = new KeyRun();
    private long currentFirst = Long.MAX_VALUE;
    private long indexedThrough = -1;
    private long currentLastTimestamp = -1;
    private long currentFirstTimestamp = -1;
    private long framesScanned;
    private long segmentsDropped;

    KeyHistoryIndex(final Path directory, final int segmentVersions, final Consumer<String> onReport)
    {
        this.directory = directory;
        this.segmentVersions = segmentVersions;
        this.onReport = onReport;
    }

    Path directory()
    {
        return directory;
    }

    /**
     * Load the segments on disk: each is checked whole ({@link KeyIndexSegment#open}); damaged ones, stale ones
     * ({@code stale} says so: written for frames the journal no longer holds as they were) and overlapping ones
     * are reported and deleted. Called by the follower before it starts.
     */
    void load(final java.util.function.Predicate<KeyIndexSegment> stale)
    {
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create " + directory, ex);
        }
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(directory))
        {
            for (final Path file : listing)
            {
                final String name = file.getFileName().toString();
                if (name.endsWith(".tmp"))
                {
                    Files.deleteIfExists(file);   // a write that did not finish
                }
                else if (name.endsWith(KeyIndexSegmentDescriptor.SUFFIX))
                {
                    files.add(file);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + directory, ex);
        }
        files.sort(null);
        final List<KeyIndexSegment> loaded = new ArrayList<>();
        for (final Path file : files)
        {
            try
            {
                final KeyIndexSegment segment = KeyIndexSegment.open(file);
                if (!file.getFileName().toString().equals(
                    KeyIndexSegmentDescriptor.fileName(segment.firstVersion(), segment.lastVersion())))
                {
                    throw new KeyIndexDamagedException(file, -1, "name does not match its versions [" +
                        segment.firstVersion() + ", " + segment.lastVersion() + "]");
                }
                if (!loaded.isEmpty() && segment.firstVersion() <= loaded.get(loaded.size() - 1).lastVersion())
                {
                    throw new KeyIndexDamagedException(file, -1, "overlaps " + loaded.get(loaded.size() - 1).file());
                }
                if (stale.test(segment))
                {
                    throw new KeyIndexDamagedException(file, -1, "stale: the journal no longer holds the frames it indexed " +
                        "(versions [" + segment.firstVersion() + ", " + segment.lastVersion() + "])");
                }
                loaded.add(segment);
            }
            catch (final KeyIndexDamagedException ex)
            {
                drop(file, ex.getMessage());
            }
        }
        segments = List.copyOf(loaded);
    }

    private void drop(final Path file, final String why)
    {
        synchronized (this)
        {
            segmentsDropped++;
        }
        onReport.accept(why + "; dropped, rebuilt from the journal (history answers scan the journal meanwhile)");
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            onReport.accept("cannot delete key history index segment " + file + ": " + ex);
        }
    }

    /**
     * Drop a published segment found damaged after it was loaded; the follower rebuilds its versions.
     */
    void drop(final KeyIndexSegment segment, final String why)
    {
        synchronized (this)
        {
            final List<KeyIndexSegment> kept = new ArrayList<>(segments);
            if (!kept.remove(segment))
            {
                return;
            }
            segments = List.copyOf(kept);
        }
        drop(segment.file(), why);
    }

    List<KeyIndexSegment> segments()
    {
        return segments;
    }

    /**
     * Start the run in memory at {@code version} (the follower's first version).
     */
    synchronized void startAt(final long version)
    {
        current.clear();
        currentFirst = version;
        indexedThrough = version - 1;
        currentFirstTimestamp = -1;
        currentLastTimestamp = -1;
        notifyAll();   // the segments loaded and this start may already cover what a waiter wants
    }

    /**
     * Add a frame (the follower, in version order, from {@link #startAt}).
     *
     * @return true if the run in memory is full and should be written ({@link #flush}).
     */
    boolean add(final DeltaFrame frame)
    {
        final long version = frame.version();
        synchronized (this)
        {
            if (version != indexedThrough + 1)
            {
                throw new IllegalStateException("key history index expected version=" + (indexedThrough + 1) +
                    " got version=" + version);
            }
            frame.resetOps();
            while (frame.nextOp())
            {
                current.add(frame.buffer(), frame.keyOffset(), frame.keyLength(), version, frame.timestampEpochNs(),
                    frame.opType().code());
            }
            if (currentFirstTimestamp < 0)
            {
                currentFirstTimestamp = frame.timestampEpochNs();
            }
            currentLastTimestamp = frame.timestampEpochNs();
            indexedThrough = version;
            notifyAll();
            return indexedThrough - currentFirst + 1 >= segmentVersions;
        }
    }

    /**
     * Write the run in memory as a segment and publish it (the follower; the run is not changed meanwhile, as only
     * the follower adds to it).
     */
    void flush()
    {
        final long first;
        final long last;
        final long firstTimestamp;
        final long lastTimestamp;
        synchronized (this)
        {
            if (indexedThrough < currentFirst)
            {
                return;
            }
            first = currentFirst;
            last = indexedThrough;
            firstTimestamp = currentFirstTimestamp;
            lastTimestamp = currentLastTimestamp;
        }
        final Path file = KeyIndexSegmentWriter.write(directory, first, last, firstTimestamp, lastTimestamp, current);
        publish(KeyIndexSegment.open(file), () ->
        {
            current.clear();
            currentFirst = last + 1;
            currentFirstTimestamp = -1;
            currentLastTimestamp = -1;
        });
    }

    /**
     * Write and publish a segment rebuilt for versions the index lacks (the follower, from a journal scan).
     */
    void publishRebuilt(final long first, final long last, final long firstTimestamp, final long lastTimestamp,
        final KeyRun changes)
    {
        final Path file = KeyIndexSegmentWriter.write(directory, first, last, firstTimestamp, lastTimestamp, changes);
        publish(KeyIndexSegment.open(file), () -> {});
    }

    private synchronized void publish(final KeyIndexSegment segment, final Runnable alsoUnderLock)
    {
        final List<KeyIndexSegment> next = new ArrayList<>(segments);
        int at = 0;
        while (at < next.size() && next.get(at).firstVersion() < segment.firstVersion())
        {
            at++;
        }
        next.add(at, segment);
        segments = List.copyOf(next);
        alsoUnderLock.run();
        notifyAll();
    }

    /**
     * Delete the segments wholly before {@code firstJournalVersion} (the journal no longer holds their versions).
     */
    void retainFrom(final long firstJournalVersion)
    {
        final List<KeyIndexSegment> gone = new ArrayList<>();
        synchronized (this)
        {
            final List<KeyIndexSegment> kept = new ArrayList<>();
            for (final KeyIndexSegment segment : segments)
            {
                (segment.lastVersion() < firstJournalVersion ? gone : kept).add(segment);
            }
            if (gone.isEmpty())
            {
                return;
            }
            segments = List.copyOf(kept);
        }
        for (final KeyIndexSegment segment : gone)
        {
            try
            {
                Files.deleteIfExists(segment.file());
            }
            catch (final IOException ex)
            {
                onReport.accept("cannot delete key history index segment " + segment.file() + ": " + ex);
            }
        }
    }

    /**
     * The first version in {@code [from, to]} that neither a segment nor the run in memory covers, or -1.
     */
    synchronized long firstGap(final long from, final long to)
    {
        long v = from;
        for (final KeyIndexSegment segment : segments)
        {
            if (v > to)
            {
                return -1;
            }
            if (segment.lastVersion() < v)
            {
                continue;
            }
            if (segment.firstVersion() > v)
            {
                return v;
            }
            v = segment.lastVersion() + 1;
        }
        return v <= to && !(v >= currentFirst && v <= indexedThrough) ? v : -1;
    }

    /**
     * @return the first version at or after {@code from} that a segment or the run in memory covers, or
     * {@code Long.MAX_VALUE}.
     */
    synchronized long nextCovered(final long from)
    {
        for (final KeyIndexSegment segment : segments)
        {
            if (segment.lastVersion() >= from)
            {
                return Math.max(from, segment.firstVersion());
            }
        }
        return indexedThrough >= currentFirst && indexedThrough >= from ? Math.max(from, currentFirst) : Long.MAX_VALUE;
    }

    /**
     * @return the last version the follower has indexed (segments or memory), -1 before it started.
     */
    /**
     * @return the run in memory and the segments, in words (diagnostics).
     */
    synchronized String describeRun()
    {
        final StringBuilder out = new StringBuilder("run=[").append(currentFirst).append(", ").append(indexedThrough)
            .append("] segments=").append(segments.size());
        if (!segments.isEmpty())
        {
            out.append(" [").append(segments.get(0).firstVersion()).append("..").append(segments.get(segments.size() - 1)
                .lastVersion()).append(']');
        }
        return out.toString();
    }

    synchronized long indexedThrough()
    {
        return indexedThrough;
    }

    /**
     * Wait until the follower has indexed {@code version} and no version in {@code [firstVersion, version]} is left
     * to rebuild (tests, the bench).
     *
     * @return false if it had not within the timeout.
     */
    boolean awaitIndexed(final long version, final java.util.function.LongSupplier firstVersion, final long timeoutMs)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            // read again on every look: retention moves the journal's first version on without notifying this monitor,
            // and a gap below it is no gap. Read outside this monitor: retention takes its own lock, then this one
            final long first = Math.max(1, firstVersion.getAsLong());
            synchronized (this)
            {
                // a full run in memory is being written out: wait for its segment too
                if (indexedThrough >= version && indexedThrough - currentFirst + 1 < segmentVersions &&
                    firstGap(first, version) < 0)
                {
                    return true;
                }
                final long leftMs = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0)
                {
                    return false;
                }
                wait(Math.min(leftMs, 100));
            }
        }
    }

    synchronized long framesScanned()
    {
        return framesScanned;
    }

    synchronized long segmentsDropped()
    {
        return segmentsDropped;
    }

    synchronized void countScanned(final long frames)
    {
        framesScanned += frames;
    }

    /**
     * Every op on {@code key} in {@code [from, to]}, oldest first: from the segments and the run in memory where
     * they cover the versions, from {@code scanner} elsewhere. A segment whose entry fails its check is dropped
     * (reported; rebuilt by the follower) and its versions scanned instead.
     */
    List<KeyHistory.Change> changes(final String key, final long from, final long to, final RangeScanner scanner)
    {
        final byte[] keyBytes = utf8(key);
        final long hash = KeyHash.hash(keyBytes, 0, keyBytes.length);
        final List<KeyIndexSegment> published;
        final List<KeyHistory.Change> inMemory = new ArrayList<>();
        final long memoryFirst;
        final long memoryLast;
        synchronized (this)
        {
            published = segments;
            memoryFirst = currentFirst;
            memoryLast = indexedThrough;
            final int id = current.find(keyBytes, hash);
            if (id >= 0)
            {
                current.copyTo(id, from, to, inMemory);
            }
        }
        final List<KeyHistory.Change> out = new ArrayList<>();
        walk(published, memoryFirst, memoryLast, from, to, new Stretches()
        {
            @Override
            public void segment(final KeyIndexSegment segment, final long v, final long end)
            {
                final int mark = out.size();
                try
                {
                    segment.lookup(keyBytes, hash, v, end, out);
                }
                catch (final KeyIndexDamagedException ex)
                {
                    out.subList(mark, out.size()).clear();
                    drop(segment, ex.getMessage());
                    scan(scanner, keyBytes, v, end, out);
                }
            }

            @Override
            public void memory(final long v, final long end)
            {
                for (final KeyHistory.Change change : inMemory)
                {
                    if (change.version() >= v && change.version() <= end)
                    {
                        out.add(change);
                    }
                }
            }

            @Override
            public void journal(final long v, final long end)
            {
                scan(scanner, keyBytes, v, end, out);
            }
        });
        return out;
    }

    /** Where each stretch of a version range is read from. */
    private interface Stretches
    {
        void segment(KeyIndexSegment segment, long from, long to);

        void memory(long from, long to);

        void journal(long from, long to);
    }

    /**
     * Split {@code [from, to]} into stretches covered by a segment, by the run in memory, or by neither (the journal),
     * in version order.
     */
    private static void walk(final List<KeyIndexSegment> published, final long memoryFirst, final long memoryLast,
        final long from, final long to, final Stretches stretches)
    {
        long v = from;
        int next = 0;
        while (v <= to)
        {
            while (next < published.size() && published.get(next).lastVersion() < v)
            {
                next++;
            }
            final KeyIndexSegment segment = next < published.size() ? published.get(next) : null;
            final long end;
            if (segment != null && segment.firstVersion() <= v)
            {
                end = Math.min(to, segment.lastVersion());
                stretches.segment(segment, v, end);
            }
            else if (v >= memoryFirst && v <= memoryLast)
            {
                end = Math.min(to, memoryLast);
                stretches.memory(v, end);
            }
            else
            {
                long gapEnd = to;
                if (segment != null)
                {
                    gapEnd = Math.min(gapEnd, segment.firstVersion() - 1);
                }
                if (memoryLast >= memoryFirst && memoryFirst > v)
                {
                    gapEnd = Math.min(gapEnd, memoryFirst - 1);
                }
                end = gapEnd;
                stretches.journal(v, end);
            }
            v = end + 1;
        }
    }

    /**
     * Add to {@code out} every key with an op in {@code [from, to]}: for each stretch of versions, from whichever of
     * a segment (or the run in memory) and a journal scan costs less — a segment costs its keys, a scan the frames of
     * the stretch — and from a scan where the index does not reach. A segment whose entry fails its check is dropped
     * (reported; rebuilt by the follower) and its versions scanned instead. The caller pins the journal range.
     *
     * @return frames scanned (not counted in {@link #framesScanned()}, which is the key history's).
     */
    long changedKeys(final long from, final long to, final KeysScanner scanner, final Set<String> out)
    {
        final List<KeyIndexSegment> published;
        final long memoryFirst;
        final long memoryLast;
        final int memoryKeys;
        synchronized (this)
        {
            published = segments;
            memoryFirst = currentFirst;
            memoryLast = indexedThrough;
            memoryKeys = current.keyCount();
        }
        final long[] scanned = {0};
        walk(published, memoryFirst, memoryLast, from, to, new Stretches()
        {
            @Override
            public void segment(final KeyIndexSegment segment, final long v, final long end)
            {
                if ((end - v + 1) * FRAME_COST_IN_KEYS < segment.keyCount())
                {
                    journal(v, end);   // reading the frames costs less than the segment's keys
                    return;
                }
                try
                {
                    segment.changedKeys(v, end, out);
                }
                catch (final KeyIndexDamagedException ex)
                {
                    drop(segment, ex.getMessage());
                    journal(v, end);   // keys added before the damage are keys changed too
                }
            }

            @Override
            public void memory(final long v, final long end)
            {
                if ((end - v + 1) * FRAME_COST_IN_KEYS < memoryKeys || !memoryKeys(v, end, out))
                {
                    journal(v, end);
                }
            }

            @Override
            public void journal(final long v, final long end)
            {
                scanner.scan(v, end, out);
                scanned[0] += end - v + 1;
            }
        });
        return scanned[0];
    }

    /**
     * Add the keys of the run in memory with an op in {@code [from, to]}.
     *
     * @return false if the run no longer holds those versions (it was written out meanwhile: scan them instead).
     */
    private synchronized boolean memoryKeys(final long from, final long to, final Set<String> out)
    {
        if (from < currentFirst || to > indexedThrough)
        {
            return false;
        }
        current.keysChangedIn(from, to, out);
        return true;
    }

    /**
     * @return the key's bytes as the journal encodes them.
     */
    static byte[] utf8(final String key)
    {
        final byte[] bytes = new byte[dev.engram.journal.internal.Utf8.encodedLength(key)];
        dev.engram.journal.internal.Utf8.encode(key, new org.agrona.concurrent.UnsafeBuffer(bytes), 0);
        return bytes;
    }

    private void scan(final RangeScanner scanner, final byte[] key, final long from, final long to,
        final List<KeyHistory.Change> out)
    {
        scanner.scan(key, from, to, out);
        countScanned(to - from + 1);
    }
}
