package dev.engram.recovery.internal.checkpoint;

import dev.engram.recovery.CheckpointCompression;
import dev.engram.recovery.CheckpointCorruptionException;
import dev.engram.recovery.CheckpointInfo;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.engram.recovery.internal.checkpoint.CheckpointTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class CheckpointRoundTripTest
{
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(CheckpointCompression.class)
    void shouldReadBackEveryEntryWhenStateHasSmallLargeEmptyAndMultiByteKeys(final CheckpointCompression compression)
    {
        final Random random = new Random(seed());
        final TreeMap<String, byte[]> state = randomState(random, 3000, 5, 200_000);
        final CheckpointInfo info = writeFull(dir, 1, 42, state, compression, CheckpointWriterContext.TARGET_BLOCK_LENGTH_DEFAULT);
        assertEquals(state.size(), info.entryCount());
        assertEquals(0, info.tombstoneCount());
        assertEquals(42, info.stateVersion());
        assertEquals(43, info.journalResumeVersion());
        assertEquals(1, info.baseId());
        assertFalse(info.isDelta());
        assertEquals(Files.exists(info.path()) ? info.fileLength() : -1, info.path().toFile().length());
        if (compression == CheckpointCompression.ZSTD)
        {
            assertTrue(info.compressionRatio() > 1.2, "ratio=" + info.compressionRatio());
        }
        try (MappedCheckpoint checkpoint = MappedCheckpoint.open(info.path()))
        {
            assertEquals(info, checkpoint.info());
            assertHolds(checkpoint, state);
            final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
            for (int i = 0; i < 1000; i++)
            {
                assertEquals(LookupStatus.ABSENT, checkpoint.lookup("absent/" + i, view));
            }
            assertEquals(LookupStatus.ABSENT, checkpoint.lookup("k/", view));
            assertEquals(0, checkpoint.verifyAllBlocks(), "every block was already checked while reading");
        }
    }

    @Test
    void shouldGiveEachOversizeEntryABlockOfItsOwnWhenValuesExceedTheTarget()
    {
        final Map<String, byte[]> state = new LinkedHashMap<>();
        state.put("small-1", new byte[10]);
        state.put("big", new byte[10_000]);
        state.put("small-2", new byte[10]);
        final CheckpointInfo info = writeFull(dir, 1, 1, state, CheckpointCompression.NONE, 4096);
        assertEquals(3, info.blockCount());
        try (MappedCheckpoint checkpoint = MappedCheckpoint.open(info.path()))
        {
            final List<Integer> blocks = new ArrayList<>();
            checkpoint.forEachEntry(e -> blocks.add(e.blockIndex()));
            assertEquals(List.of(0, 1, 2), blocks);
            assertHolds(checkpoint, state);
        }
    }

    @ParameterizedTest
    @EnumSource(CheckpointCompression.class)
    void shouldReportTombstonesDistinctlyFromAbsentKeysWhenDeltaRemovesKeys(final CheckpointCompression compression)
    {
        final Random random = new Random(seed());
        final TreeMap<String, byte[]> state = randomState(random, 200, 1, 100_000);
        final CheckpointInfo full = writeFull(dir, 1, 10, state, compression, 4096);
        final Map<String, byte[]> changes = new TreeMap<>();
        changes.put("k/new", new byte[] {1, 2, 3});
        changes.put("large/0", null);
        changes.put(UTF8_KEYS[0], null);
        changes.put(UTF8_KEYS[1], new byte[0]);
        final CheckpointInfo delta = writeDelta(dir, full, 2, 20, changes, compression, 4096);
        assertTrue(delta.isDelta());
        assertEquals(1, delta.parentId());
        assertEquals(1, delta.baseId());
        assertEquals(1, delta.chainOrdinal());
        assertEquals(10, delta.parentStateVersion());
        assertEquals(2, delta.tombstoneCount());
        assertEquals(2, delta.putCount());
        try (MappedCheckpoint checkpoint = MappedCheckpoint.open(delta.path()))
        {
            assertHolds(checkpoint, changes);
            final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
            assertEquals(LookupStatus.TOMBSTONE, checkpoint.lookup("large/0", view));
            assertEquals(LookupStatus.ABSENT, checkpoint.lookup("large/1", view));
        }
    }

    @Test
    void shouldRefuseAKeyWrittenTwiceWhenPublishing()
    {
        try (CheckpointWriter writer = CheckpointWriter.create(new CheckpointWriterContext().directory(dir).checkpointId(1).stateVersion(1)))
        {
            writer.put("a", new byte[] {1}).put("b", new byte[] {2}).put("a", new byte[] {3});
            final IllegalStateException ex = assertThrows(IllegalStateException.class, writer::publish);
            assertTrue(ex.getMessage().contains("key=a"), ex.getMessage());
        }
        assertEquals(List.of(), CheckpointFiles.listCheckpoints(dir));
        assertFalse(Files.exists(dir.resolve(CheckpointFiles.checkpointFileName(1) + CheckpointFiles.TMP_SUFFIX)));
    }

    @Test
    void shouldRefuseTombstonesInAFullCheckpointAndMisuse()
    {
        try (CheckpointWriter writer = CheckpointWriter.create(new CheckpointWriterContext().directory(dir).checkpointId(1).stateVersion(1)))
        {
            assertThrows(IllegalStateException.class, () -> writer.tombstone("a"));
            assertThrows(IllegalArgumentException.class, () -> writer.put("", new byte[1]));
            assertThrows(IllegalArgumentException.class, () -> writer.put("x".repeat(70_000), new byte[1]));
        }
        assertThrows(IllegalArgumentException.class, () -> new CheckpointWriterContext().directory(dir).checkpointId(0).stateVersion(1).conclude());
        assertThrows(IllegalArgumentException.class, () -> new CheckpointWriterContext().directory(dir).checkpointId(1).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new CheckpointWriterContext().directory(dir).checkpointId(1).stateVersion(1).targetBlockLength(100).conclude());
    }

    @Test
    void shouldPublishOwnerOnlyFilesAndRefuseToOverwriteAPublishedId() throws Exception
    {
        final CheckpointInfo info = writeFull(dir, 7, 1, Map.of("a", new byte[] {1}), CheckpointCompression.NONE, 4096);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(info.path())));
        assertEquals(CheckpointFiles.checkpointFileName(7), info.path().getFileName().toString());
        assertEquals(7, CheckpointFiles.checkpointId(info.path().getFileName().toString()));
        assertThrows(IllegalStateException.class,
            () -> CheckpointWriter.create(new CheckpointWriterContext().directory(dir).checkpointId(7).stateVersion(2)));
    }

    @Test
    void shouldNotMistakeATempFileLeftByACrashForACheckpoint() throws Exception
    {
        final CheckpointInfo published = writeFull(dir, 1, 1, Map.of("a", new byte[] {1}), CheckpointCompression.NONE, 4096);
        // A writer that "crashes" mid-way: its temp file stays behind, with data but no footer.
        final CheckpointWriter abandoned = CheckpointWriter.create(new CheckpointWriterContext().directory(dir).checkpointId(2).stateVersion(2));
        for (int i = 0; i < 20_000; i++)
        {
            abandoned.put("k" + i, new byte[100]);
        }
        final Path tmp = dir.resolve(CheckpointFiles.checkpointFileName(2) + CheckpointFiles.TMP_SUFFIX);
        assertTrue(Files.size(tmp) > 1024 * 1024, "size=" + Files.size(tmp));
        assertEquals(List.of(published.path()), CheckpointFiles.listCheckpoints(dir));
        final CheckpointCorruptionException ex = assertThrows(CheckpointCorruptionException.class, () -> MappedCheckpoint.open(tmp));
        assertTrue(ex.getMessage().contains(tmp.toString()), ex.getMessage());
        abandoned.close();
        assertFalse(Files.exists(tmp), "close without publish removes the temp file");

        // A new writer for the same id replaces a stale temp file.
        Files.write(tmp, new byte[] {1, 2, 3});
        final CheckpointInfo second = writeFull(dir, 2, 2, Map.of("b", new byte[] {2}), CheckpointCompression.NONE, 4096);
        assertFalse(Files.exists(tmp));
        assertEquals(List.of(published.path(), second.path()), CheckpointFiles.listCheckpoints(dir));
    }

    @Test
    void shouldServeConcurrentReadersTheSameValuesWhenBlocksAreDecompressedOnFirstUse() throws Exception
    {
        final Random random = new Random(seed());
        final TreeMap<String, byte[]> state = randomState(random, 5000, 3, 100_000);
        final CheckpointInfo info = writeFull(dir, 1, 1, state, CheckpointCompression.ZSTD, 4096);
        final List<String> keys = new ArrayList<>(state.keySet());
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try (MappedCheckpoint checkpoint = MappedCheckpoint.open(info.path()))
        {
            final List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++)
            {
                final long threadSeed = random.nextLong();
                results.add(pool.submit(() ->
                {
                    final Random r = new Random(threadSeed);
                    final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
                    int checked = 0;
                    for (int i = 0; i < 20_000; i++)
                    {
                        final String key = keys.get(r.nextInt(keys.size()));
                        assertEquals(LookupStatus.FOUND, checkpoint.lookup(key, view));
                        assertArrayEquals(state.get(key), bytes(view), key);
                        checked++;
                    }
                    return checked;
                }));
            }
            for (final Future<Integer> result : results)
            {
                assertEquals(20_000, result.get(60, TimeUnit.SECONDS));
            }
        }
        finally
        {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void shouldWriteAnEmptyCheckpoint()
    {
        final CheckpointInfo info = writeFull(dir, 3, 0, Map.of(), CheckpointCompression.ZSTD, 4096);
        assertEquals(0, info.entryCount());
        assertEquals(0, info.blockCount());
        try (MappedCheckpoint checkpoint = MappedCheckpoint.open(info.path()))
        {
            assertHolds(checkpoint, Map.of());
            assertEquals(LookupStatus.ABSENT, checkpoint.lookup("a", new UnsafeBuffer(new byte[0])));
        }
    }
}
