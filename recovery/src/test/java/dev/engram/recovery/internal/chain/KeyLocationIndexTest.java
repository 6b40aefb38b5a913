package dev.engram.recovery.internal.chain;

import dev.engram.recovery.CheckpointCompression;
import dev.engram.recovery.CheckpointInfo;
import dev.engram.recovery.SnapshotIndexDamagedException;
import dev.engram.recovery.internal.checkpoint.CheckpointEntry;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import dev.engram.recovery.internal.checkpoint.CheckpointTestSupport;
import dev.engram.recovery.internal.checkpoint.KeyLocation;
import dev.engram.recovery.internal.checkpoint.LookupStatus;
import dev.engram.recovery.internal.checkpoint.MappedCheckpoint;

import net.openhft.chronicle.map.ChronicleMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static dev.engram.recovery.internal.checkpoint.CheckpointTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A full checkpoint and several deltas with puts, overwrites and removals, against a plain map model.
 */
class KeyLocationIndexTest
{
    private static final int DELTAS = 4;

    @TempDir
    Path dir;

    private final List<TreeMap<String, byte[]>> statesByOrdinal = new ArrayList<>();
    private final List<CheckpointInfo> infos = new ArrayList<>();
    private final List<String> everKey = new ArrayList<>();
    private final List<CheckpointChain> opened = new ArrayList<>();
    private ExecutorService executor;

    @BeforeEach
    void writeChainAgainstAModel()
    {
        final Random random = new Random(seed());
        final TreeMap<String, byte[]> model = randomState(random, 2000, 2, 70_000);
        infos.add(writeFull(dir, 10, 1000, model, CheckpointCompression.ZSTD, 4096));
        statesByOrdinal.add(new TreeMap<>(model));
        everKey.addAll(model.keySet());
        long version = 1000;
        for (int d = 1; d <= DELTAS; d++)
        {
            final Map<String, byte[]> changes = new TreeMap<>();
            final List<String> live = new ArrayList<>(model.keySet());
            for (int i = 0; i < 300; i++)
            {
                final int kind = random.nextInt(3);
                if (kind == 0 && !live.isEmpty())
                {
                    changes.put(live.get(random.nextInt(live.size())), null);
                }
                else
                {
                    final String key = kind == 1 && !live.isEmpty() ? live.get(random.nextInt(live.size())) : "d" + d + "/" + i;
                    final byte[] value = new byte[random.nextInt(10) == 0 ? 20_000 : random.nextInt(100)];
                    fill(random, value);
                    changes.put(key, value);
                }
            }
            // a key removed in one delta and put back in a later one, and one removed twice
            if (d == 2)
            {
                changes.put("k/removed-and-back", null);
            }
            if (d == 3)
            {
                changes.put("k/removed-and-back", new byte[] {42});
            }
            for (final Map.Entry<String, byte[]> e : changes.entrySet())
            {
                if (e.getValue() == null)
                {
                    model.remove(e.getKey());
                }
                else
                {
                    model.put(e.getKey(), e.getValue());
                    everKey.add(e.getKey());
                }
            }
            version += 10;
            infos.add(writeDelta(dir, infos.get(d - 1), 10 + d, version, changes,
                d % 2 == 0 ? CheckpointCompression.NONE : CheckpointCompression.ZSTD, 4096));
            statesByOrdinal.add(new TreeMap<>(model));
        }
        executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "key-index-opener"));
    }

    @AfterEach
    void closeEverything() throws InterruptedException
    {
        for (final CheckpointChain chain : opened)
        {
            chain.close();
        }
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
    }

    private CheckpointChain chain(final int headOrdinal)
    {
        final CheckpointChain chain = CheckpointChain.open(dir, infos.get(headOrdinal).checkpointId());
        opened.add(chain);
        return chain;
    }

    private static Map<String, Long> contents(final KeyLocationIndex index)
    {
        final Map<String, Long> result = new HashMap<>();
        index.forEach((key, location) -> result.put(new String(key, StandardCharsets.UTF_8), location));
        return result;
    }

    /**
     * The index holds exactly the live keys, each pointing at the entry with its current value.
     */
    private void assertIndexEqualsChain(final KeyLocationIndex index, final CheckpointChain chain, final Map<String, byte[]> state)
    {
        final Map<String, Long> contents = contents(index);
        assertEquals(state.keySet(), contents.keySet());
        assertEquals(state.size(), index.liveKeyCount());
        final CheckpointEntry entry = new CheckpointEntry();
        for (final Map.Entry<String, Long> e : contents.entrySet())
        {
            final long location = e.getValue();
            chain.checkpoint(KeyLocation.chainOrdinal(location))
                .readEntry(KeyLocation.blockIndex(location), KeyLocation.offsetInBlock(location), entry);
            assertEquals(e.getKey(), entry.keyString());
            assertFalse(entry.isTombstone());
            assertArrayEquals(state.get(e.getKey()), bytes(entry.value()), e.getKey());
        }
    }

    private void assertChainAnswers(final CheckpointChain chain, final Map<String, byte[]> state)
    {
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        for (final String key : everKey)
        {
            final byte[] expected = state.get(key);
            if (expected == null)
            {
                assertEquals(LookupStatus.ABSENT, chain.get(key, view), key);
            }
            else
            {
                assertEquals(LookupStatus.FOUND, chain.get(key, view), key);
                assertArrayEquals(expected, bytes(view), key);
            }
        }
        assertEquals(LookupStatus.ABSENT, chain.get("never/written", view));
    }

    @Test
    void shouldEqualTheChainContentsAfterEachDeltaWhenBuiltByCopyAndApply()
    {
        for (int ordinal = 0; ordinal <= DELTAS; ordinal++)
        {
            final CheckpointChain chain = chain(ordinal);
            final KeyIndexReport report = KeyLocationIndex.publish(dir, chain);
            assertEquals(ordinal == 0 ? KeyIndexReport.Method.BUILT_FROM_FULL : KeyIndexReport.Method.COPIED_FROM_PARENT,
                report.method(), report.toString());
            assertEquals(statesByOrdinal.get(ordinal).size(), report.liveKeys());
            try (KeyLocationIndex index = KeyLocationIndex.open(dir, chain))
            {
                assertEquals(KeyIndexReport.Method.OPENED, index.report().method());
                assertIndexEqualsChain(index, chain, statesByOrdinal.get(ordinal));
            }
        }
    }

    @Test
    void shouldGiveTheSameAnswersWithAndWithoutTheKeyIndexAttached()
    {
        for (int ordinal = 0; ordinal <= DELTAS; ordinal++)
        {
            KeyLocationIndex.publish(dir, chain(ordinal));
        }
        final CheckpointChain chain = chain(DELTAS);
        assertFalse(chain.hasKeyIndex());
        assertChainAnswers(chain, statesByOrdinal.get(DELTAS));
        chain.attach(KeyLocationIndex.open(dir, chain));
        assertTrue(chain.hasKeyIndex());
        assertChainAnswers(chain, statesByOrdinal.get(DELTAS));
        assertTrue(chain.hasKeyIndex(), "the index answered everything: " + chain.keyIndexFailure());
        assertNull(chain.keyIndexFailure());
        // an older head's chain still answers for its own version
        final CheckpointChain older = chain(2);
        older.attach(KeyLocationIndex.open(dir, older));
        assertChainAnswers(older, statesByOrdinal.get(2));
        assertThrows(IllegalArgumentException.class, () -> chain.attach(KeyLocationIndex.open(dir, older)));
    }

    @Test
    void shouldAnswerFromInFileIndexesUntilTheAsyncOpenAttachesTheIndex() throws Exception
    {
        for (int ordinal = 0; ordinal <= DELTAS; ordinal++)
        {
            KeyLocationIndex.publish(dir, chain(ordinal));
        }
        final CheckpointChain chain = chain(DELTAS);
        final var future = chain.attachKeyIndexAsync(dir, executor);
        assertChainAnswers(chain, statesByOrdinal.get(DELTAS));
        final KeyLocationIndex index = future.get(60, TimeUnit.SECONDS);
        assertTrue(chain.hasKeyIndex());
        assertEquals(KeyIndexReport.Method.OPENED, index.report().method());
        assertChainAnswers(chain, statesByOrdinal.get(DELTAS));
    }

    @Test
    void shouldRebuildAMissingIndexFromTheChain() throws IOException
    {
        final CheckpointChain chain = chain(DELTAS);
        try (KeyLocationIndex index = KeyLocationIndex.openOrRebuild(dir, chain))
        {
            assertEquals(KeyIndexReport.Method.REBUILT_FROM_CHAIN, index.report().method());
            assertTrue(index.report().reason().contains("missing"), index.report().reason());
            assertIndexEqualsChain(index, chain, statesByOrdinal.get(DELTAS));
        }
        try (KeyLocationIndex index = KeyLocationIndex.openOrRebuild(dir, chain))
        {
            assertEquals(KeyIndexReport.Method.OPENED, index.report().method());
        }
        // unsealed (publication interrupted between the map's rename and the seal's)
        Files.delete(CheckpointFiles.sealOf(KeyLocationIndex.fileFor(dir, chain.head().info().checkpointId())));
        try (KeyLocationIndex index = KeyLocationIndex.openOrRebuild(dir, chain))
        {
            assertEquals(KeyIndexReport.Method.REBUILT_FROM_CHAIN, index.report().method());
            assertTrue(index.report().reason().contains("no seal"), index.report().reason());
        }
    }

    @Test
    void shouldRebuildFromTheChainWhenTheParentIndexIsMissingAtPublication()
    {
        KeyLocationIndex.publish(dir, chain(0));
        KeyLocationIndex.publish(dir, chain(1));
        final KeyIndexReport report = KeyLocationIndex.publish(dir, chain(3));
        assertEquals(KeyIndexReport.Method.REBUILT_FROM_CHAIN, report.method());
        assertTrue(report.reason().contains("parent index unusable"), report.reason());
        final CheckpointChain chain = chain(3);
        try (KeyLocationIndex index = KeyLocationIndex.open(dir, chain))
        {
            assertIndexEqualsChain(index, chain, statesByOrdinal.get(3));
        }
    }

    @Test
    void shouldRebuildADamagedIndexWhenBytesAreFlippedOrTheFileIsTruncated() throws IOException
    {
        for (int ordinal = 0; ordinal <= DELTAS; ordinal++)
        {
            KeyLocationIndex.publish(dir, chain(ordinal));
        }
        final CheckpointChain chain = chain(DELTAS);
        final Path file = KeyLocationIndex.fileFor(dir, chain.head().info().checkpointId());
        final Random random = new Random(seed());
        for (int i = 0; i < 3; i++)
        {
            final byte[] damaged = Files.readAllBytes(file);
            final int position = random.nextInt(damaged.length);
            damaged[position] ^= 0x04;
            Files.write(file, damaged);
            try (KeyLocationIndex index = KeyLocationIndex.openOrRebuild(dir, chain))
            {
                assertEquals(KeyIndexReport.Method.REBUILT_FROM_CHAIN, index.report().method(), "flip at " + position);
                assertTrue(index.report().reason().contains("CRC32C"), index.report().reason());
                assertIndexEqualsChain(index, chain, statesByOrdinal.get(DELTAS));
            }
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.truncate(channel.size() - 4096);
        }
        try (KeyLocationIndex index = KeyLocationIndex.openOrRebuild(dir, chain))
        {
            assertEquals(KeyIndexReport.Method.REBUILT_FROM_CHAIN, index.report().method());
            assertTrue(index.report().reason().contains("length"), index.report().reason());
            assertIndexEqualsChain(index, chain, statesByOrdinal.get(DELTAS));
        }
    }

    @Test
    void shouldRebuildAStaleIndexThatBelongsToAnotherHead() throws IOException
    {
        KeyLocationIndex.publish(dir, chain(0));
        KeyLocationIndex.publish(dir, chain(1));
        final Path parentIndex = KeyLocationIndex.fileFor(dir, infos.get(1).checkpointId());
        final Path headIndex = KeyLocationIndex.fileFor(dir, infos.get(2).checkpointId());
        Files.copy(parentIndex, headIndex, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(CheckpointFiles.sealOf(parentIndex), CheckpointFiles.sealOf(headIndex), StandardCopyOption.REPLACE_EXISTING);
        final CheckpointChain chain = chain(2);
        final SnapshotIndexDamagedException ex = assertThrows(SnapshotIndexDamagedException.class, () -> KeyLocationIndex.open(dir, chain));
        assertTrue(ex.getMessage().contains("another chain"), ex.getMessage());
        try (KeyLocationIndex index = KeyLocationIndex.openOrRebuild(dir, chain))
        {
            assertEquals(KeyIndexReport.Method.REBUILT_FROM_CHAIN, index.report().method());
            assertIndexEqualsChain(index, chain, statesByOrdinal.get(2));
        }
    }

    @Test
    void shouldDetachAnIndexThatNamesTheWrongEntryAndStillAnswerCorrectly() throws IOException
    {
        final CheckpointChain chain = chain(DELTAS);
        final CheckpointInfo head = chain.head().info();
        final Path file = KeyLocationIndex.fileFor(dir, head.checkpointId());
        final Path tmp = CheckpointFiles.tmpOf(file);
        // A sealed index whose every location names another key's entry: the base's first entry for every
        // key but that entry's own, which is sent to the second entry. (Pointing a key at an older entry of
        // the same key cannot be caught by the key check, so the test never does that.)
        final Map<String, byte[]> state = statesByOrdinal.get(DELTAS);
        final String[] firstKey = new String[1];
        final long[] secondLocation = {-1};
        chain.base().forEachEntry(entry ->
        {
            if (firstKey[0] == null)
            {
                firstKey[0] = entry.keyString();
            }
            else if (secondLocation[0] < 0)
            {
                secondLocation[0] = KeyLocation.pack(0, entry.blockIndex(), entry.offsetInBlock());
            }
        });
        try (ChronicleMap<byte[], Long> map = ChronicleMap.of(byte[].class, Long.class).entries(state.size() * 2L)
            .averageKeySize(12).createPersistedTo(tmp.toFile()))
        {
            for (final String key : state.keySet())
            {
                map.put(key.getBytes(StandardCharsets.UTF_8), key.equals(firstKey[0]) ? secondLocation[0] : KeyLocation.pack(0, 0, 0));
            }
        }
        MapSeal.publish(tmp, file, MapSealDescriptor.KIND_KEY_INDEX, head.checkpointId(), head.baseId(), head.chainOrdinal(),
            state.size(), state.size() * 2L);
        chain.attach(KeyLocationIndex.open(dir, chain));
        assertChainAnswers(chain, state);
        assertFalse(chain.hasKeyIndex());
        assertInstanceOf(SnapshotIndexDamagedException.class, chain.keyIndexFailure());
        assertTrue(chain.keyIndexFailure().getMessage().contains("does not hold the live key"), chain.keyIndexFailure().getMessage());
    }

    @Test
    void shouldRefuseFilesThatDoNotFormAChain()
    {
        final List<MappedCheckpoint> wrongOrder = new ArrayList<>();
        try
        {
            wrongOrder.add(MappedCheckpoint.open(infos.get(0).path()));
            wrongOrder.add(MappedCheckpoint.open(infos.get(2).path()));
            assertThrows(IllegalArgumentException.class, () -> CheckpointChain.of(wrongOrder));
            assertThrows(IllegalArgumentException.class, () -> CheckpointChain.of(wrongOrder.subList(1, 2)));
        }
        finally
        {
            wrongOrder.forEach(MappedCheckpoint::close);
        }
    }
}
