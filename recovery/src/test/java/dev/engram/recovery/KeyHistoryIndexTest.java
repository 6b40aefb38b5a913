package dev.engram.recovery;

import dev.engram.recovery.internal.history.VersionHistory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.engram.recovery.HistoryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The per-key history index (docs/history.md, "Key history index"): {@code history(key)} from the index equals the
 * workload's ops and the journal scan, for every key and random ranges, without reading the journal once the
 * index caught up; a damaged, missing or stale index is detected, reported and rebuilt, and answers stay right
 * meanwhile (they scan the journal where the index does not reach).
 */
class KeyHistoryIndexTest
{
    private static final long VERSIONS = 1_000;

    @TempDir
    Path dir;

    private final SeededWorkload workload = new SeededWorkload(41, 2048);

    private StateContext ctx(final Path directory)
    {
        return new StateContext().directory(directory).background(false).snapshotIndex(false).checkpointIntervalMs(0)
            .historyIndexSegmentVersions(100).historyAnchorEveryFrames(0);
    }

    private static VersionHistory history(final StateStore store)
    {
        return store.versionHistory();
    }

    private void assertHistoryEqualsModel(final StateStore store, final long last, final String when)
    {
        final Map<String, List<ExpectedChange>> expected = expectedChanges(workload, 1, last);
        final long[] timestamps = timestamps(store.journal(), last);
        for (final String key : SeededWorkload.keyUniverse())
        {
            final KeyHistory history = store.history(key);
            final List<ExpectedChange> want = expected.getOrDefault(key, List.of());
            assertEquals(want.size(), history.changes().size(), () -> when + ": key=" + key);
            for (int i = 0; i < want.size(); i++)
            {
                final KeyHistory.Change change = history.changes().get(i);
                assertEquals(want.get(i).version(), change.version(), when + ": key=" + key);
                assertEquals(want.get(i).op(), change.op(), when + ": key=" + key);
                assertEquals(timestamps[(int)change.version()], change.timestampEpochNs(), when + ": key=" + key);
            }
        }
        final SplittableRandom random = new SplittableRandom(last);
        for (int i = 0; i < 100; i++)
        {
            final String key = SeededWorkload.keyUniverse()[random.nextInt(SeededWorkload.keyUniverse().length)];
            final long from = 1 + random.nextLong(last);
            final long to = from + random.nextLong(last - from + 1);
            final List<Long> want = expected.getOrDefault(key, List.of()).stream().map(ExpectedChange::version)
                .filter(v -> v >= from && v <= to).toList();
            final KeyHistory part = store.history(key, from, to);
            assertEquals(want, part.changes().stream().map(KeyHistory.Change::version).toList(),
                () -> when + ": key=" + key + " [" + from + ", " + to + "]");
        }
    }

    @Test
    void shouldAnswerFromTheIndexAsTheModelAndTheScanDoWithoutReadingTheJournal() throws Exception
    {
        try (StateStore store = StateStore.open(ctx(dir)))
        {
            append(store, workload, 1, 500);
            store.checkpoint();
            append(store, workload, 501, VERSIONS);
            assertTrue(store.awaitHistoryIndexed(VERSIONS, 60, TimeUnit.SECONDS));
            assertHistoryEqualsModel(store, VERSIONS, "from the index");
            assertEquals(0, history(store).historyFramesScanned(), "every answer came from the index");
            assertEquals(VERSIONS / 100, segments().size(), "a segment per 100 versions");
        }
        try (StateStore store = StateStore.open(ctx(dir).historyIndex(false)))
        {
            assertHistoryEqualsModel(store, VERSIONS, "scanning the journal (index off)");
        }
    }

    @Test
    void shouldAnswerRightWhileTheIndexIsBehind() throws Exception
    {
        try (StateStore store = StateStore.open(ctx(dir)))
        {
            append(store, workload, 1, 450);
            // whatever the follower has reached, the answer is the same
            assertHistoryEqualsModel(store, 450, "index catching up");
            assertTrue(store.awaitHistoryIndexed(450, 60, TimeUnit.SECONDS));
            assertHistoryEqualsModel(store, 450, "index caught up");
        }
    }

    @Test
    void shouldDetectReportAndRebuildADamagedSegment() throws Exception
    {
        buildIndex();
        final Path victim = segments().get(3);
        flipByteInTheMiddle(victim);
        try (StateStore store = StateStore.open(ctx(dir)))
        {
            assertHistoryEqualsModel(store, VERSIONS, "with a damaged segment");
            assertTrue(store.awaitHistoryIndexed(VERSIONS, 60, TimeUnit.SECONDS));
            awaitSegments(store, VERSIONS / 100);
            assertTrue(store.repairs().stream().anyMatch(r -> r.contains(victim.getFileName().toString())), store.repairs().toString());
            assertEquals(1, history(store).historyIndexSegmentsDropped());
            final long scanned = history(store).historyFramesScanned();
            assertHistoryEqualsModel(store, VERSIONS, "after the rebuild");
            assertEquals(scanned, history(store).historyFramesScanned(), "the rebuilt index answers alone");
        }
    }

    @Test
    void shouldDetectAnEntryDamagedAfterLoadAndStillAnswerRight() throws Exception
    {
        try (StateStore store = StateStore.open(ctx(dir)))
        {
            append(store, workload, 1, VERSIONS);
            assertTrue(store.awaitHistoryIndexed(VERSIONS, 60, TimeUnit.SECONDS));
            awaitSegments(store, VERSIONS / 100);
            // every entry of every segment damaged under the running store (the file is mapped)
            for (final Path segment : segments())
            {
                flipEveryEntryKeyByte(segment);
            }
            assertHistoryEqualsModel(store, VERSIONS, "entries damaged after load");
            assertTrue(history(store).historyIndexSegmentsDropped() > 0);
            assertTrue(store.repairs().stream().anyMatch(r -> r.contains("entry CRC32C mismatch")), store.repairs().toString());
            awaitSegments(store, VERSIONS / 100);
            assertHistoryEqualsModel(store, VERSIONS, "after the rebuild");
        }
    }

    @Test
    void shouldRebuildAMissingIndex() throws Exception
    {
        buildIndex();
        try (Stream<Path> files = Files.walk(dir.resolve("history-index")))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        try (StateStore store = StateStore.open(ctx(dir)))
        {
            assertHistoryEqualsModel(store, VERSIONS, "index missing");
            assertTrue(store.awaitHistoryIndexed(VERSIONS, 60, TimeUnit.SECONDS));
            awaitSegments(store, VERSIONS / 100);
            final long scanned = history(store).historyFramesScanned();
            assertHistoryEqualsModel(store, VERSIONS, "index rebuilt");
            assertEquals(scanned, history(store).historyFramesScanned());
        }
    }

    @Test
    void shouldDropAStaleIndexWrittenForAnotherHistory() throws Exception
    {
        // the same versions written by another workload: its segments are valid files, but of another history
        final Path other = dir.resolve("other");
        final SeededWorkload otherWorkload = new SeededWorkload(42, 2048);
        try (StateStore store = StateStore.open(ctx(other)))
        {
            append(store, otherWorkload, 1, VERSIONS);
            assertTrue(store.awaitHistoryIndexed(VERSIONS, 60, TimeUnit.SECONDS));
        }
        final Path mine = dir.resolve("mine");
        try (StateStore store = StateStore.open(ctx(mine).historyIndex(false)))
        {
            append(store, workload, 1, VERSIONS);
        }
        final Path index = mine.resolve("history-index");
        Files.createDirectories(index);
        try (Stream<Path> files = Files.list(other.resolve("history-index")))
        {
            for (final Path file : files.toList())
            {
                Files.copy(file, index.resolve(file.getFileName()));
            }
        }
        try (StateStore store = StateStore.open(ctx(mine)))
        {
            assertTrue(store.awaitHistoryIndexed(VERSIONS, 60, TimeUnit.SECONDS));
            assertTrue(store.repairs().stream().anyMatch(r -> r.contains("stale")), store.repairs().toString());
            assertHistoryEqualsModel(store, VERSIONS, "stale index dropped");
        }
    }

    private void buildIndex() throws Exception
    {
        try (StateStore store = StateStore.open(ctx(dir)))
        {
            append(store, workload, 1, VERSIONS);
            assertTrue(store.awaitHistoryIndexed(VERSIONS, 60, TimeUnit.SECONDS));
        }
        assertEquals(VERSIONS / 100, segments().size());
    }

    private List<Path> segments() throws IOException
    {
        final Path index = dir.resolve("history-index");
        if (!Files.isDirectory(index))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(index))
        {
            return files.filter(f -> f.toString().endsWith(".khi")).sorted().toList();
        }
    }

    /** The follower rebuilds what the index lacks when idle: wait for it, then count the segments on disk. */
    private void awaitSegments(final StateStore store, final long count) throws Exception
    {
        assertTrue(store.awaitHistoryIndexed(VERSIONS, 60, TimeUnit.SECONDS));
        final List<Path> segments = segments();
        assertEquals(count, segments.size(), () -> "segments: " + segments);
    }

    private static void flipByteInTheMiddle(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(file, bytes);
    }

    /** Flip the first key byte of every entry, in place (a mapped reader sees it). */
    private static void flipEveryEntryKeyByte(final Path file) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        final int keys = bytes.getInt(12);
        final List<Long> entries = new ArrayList<>();
        for (int slot = 0; slot < keys; slot++)
        {
            entries.add(bytes.getLong(64 + slot * 16 + 8));
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            for (final long entry : entries)
            {
                // the last byte of the entry's last change (its op code) is covered by the entry CRC only
                final int keyLength = bytes.getShort((int)entry) & 0xFFFF;
                final int changes = bytes.getInt((int)entry + 2);
                final long op = entry + 10 + keyLength + (long)changes * 17 - 1;
                channel.write(ByteBuffer.wrap(new byte[] {(byte)(bytes.get((int)op) ^ 0x40)}), op);
            }
        }
    }
}
