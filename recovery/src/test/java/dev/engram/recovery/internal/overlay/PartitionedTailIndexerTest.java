package dev.engram.recovery.internal.overlay;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.journal.JournalReader;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The two-pass, partitioned tail index equals the one-frame-at-a-time index of the same journal, whatever
 * its buffer budget (records applied early) and however many partitions the table is split into.
 */
class PartitionedTailIndexerTest
{
    private static final int KEYS = 40_000;
    private static final int BASE_KEYS = 200;

    @TempDir
    Path dir;

    @Test
    void shouldSplitTheTableIntoCacheSizedSlices()
    {
        assertEquals(0, PartitionedTailIndexer.partitionBits(16));
        assertEquals(0, PartitionedTailIndexer.partitionBits(8192));
        assertEquals(1, PartitionedTailIndexer.partitionBits(16384));
        assertEquals(8, PartitionedTailIndexer.partitionBits(1 << 21));
        assertEquals(12, PartitionedTailIndexer.partitionBits(1 << 30));
    }

    @Test
    void shouldLayOutRecordsWithoutOverlaps()
    {
        assertEquals(TailRecordDescriptor.DATA_LENGTH_OFFSET + 4, TailRecordDescriptor.KEY_OFFSET);
        assertEquals(40, TailRecordDescriptor.recordLength(4, false), "36 + 4, already aligned");
        assertEquals(48, TailRecordDescriptor.recordLength(11, false));
        assertEquals(56, TailRecordDescriptor.recordLength(11, true), "PATCH carries 8 more bytes");
        assertEquals(47, TailRecordDescriptor.patchOffsetOffset(11));
        assertEquals(0, TailRecordDescriptor.recordLength(1, false) % 8);
    }

    @Test
    void shouldPlaceHomeSlotsByTheHashsTopBits()
    {
        assertEquals(0, Overlay.homeSlot(1, 16));
        assertEquals(15, Overlay.homeSlot(-1L, 16));
        assertEquals(0x8, Overlay.homeSlot(0x8000_0000_0000_0000L, 16));
        assertEquals((1 << 21) - 1, Overlay.homeSlot(-1L, 1 << 21));
    }

    @Test
    void shouldIndexLikeTheFrameAtATimeIndexer()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final Map<String, byte[]> baseState = new HashMap<>();
        for (int i = 0; i < BASE_KEYS; i++)
        {
            final byte[] value = new byte[random.nextInt(2000)];
            random.nextBytes(value);
            baseState.put("base/" + i, value);
        }
        final Overlay.BaseValues base = OverlayTest.baseValues(baseState);

        try (Journal journal = Journal.open(new JournalContext().directory(dir).ringSlotCount(4096)))
        {
            final Delta delta = journal.newDelta();
            long version = 0;
            for (int i = 0; i < 60_000; i++)
            {
                delta.clear();
                final int ops = 1 + random.nextInt(3);
                for (int o = 0; o < ops; o++)
                {
                    final String key = random.nextInt(8) == 0 ? "base/" + random.nextInt(BASE_KEYS + 10) :
                        "k/" + random.nextInt(KEYS) + (random.nextInt(50) == 0 ? "/a-longer-key-" + "x".repeat(random.nextInt(300)) : "");
                    final int action = random.nextInt(10);
                    if (action < 6)
                    {
                        final byte[] value = new byte[random.nextInt(100)];
                        random.nextBytes(value);
                        delta.put(key, value);
                    }
                    else if (action < 8)
                    {
                        delta.delete(key);
                    }
                    else
                    {
                        final byte[] data = new byte[1 + random.nextInt(40)];
                        random.nextBytes(data);
                        delta.patch(key, random.nextInt(300), data);
                    }
                }
                version = journal.append(delta);
            }
            assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));

            try (JournalMappedFiles files = journal.newMappedFiles();
                 Overlay expected = new Overlay(16, files::wrap))
            {
                try (JournalReader reader = journal.newReader())
                {
                    reader.replay(1, new TailIndexer(expected, base));
                }
                for (final long budget : new long[] {PartitionedTailIndexer.DEFAULT_BUFFER_BUDGET, 256 * 1024})
                {
                    for (final int presized : new int[] {16, 80_000})
                    {
                        try (Overlay actual = new Overlay(presized, files::wrap);
                             PartitionedTailIndexer indexer = new PartitionedTailIndexer(actual, base, budget))
                        {
                            try (JournalReader reader = journal.newReader())
                            {
                                reader.replay(1, indexer);
                            }
                            indexer.finish();
                            final String context = "seed=" + seed + " budget=" + budget + " presized=" + presized +
                                " partitionBits=" + indexer.partitionBits();
                            assertEquals(version, indexer.lastVersion(), context);
                            assertEquals(version, actual.lastVersion(), context);
                            assertSameEntries(expected, actual, context);
                        }
                    }
                }
            }
        }
    }

    private static void assertSameEntries(final Overlay expected, final Overlay actual, final String context)
    {
        assertEquals(expected.size(), actual.size(), context);
        final OverlayReader reader = new OverlayReader(actual);
        final int[] checked = {0};
        expected.forEach((key, keyOffset, keyLength, kind, version, value, valueLength) ->
        {
            final String name = key.getStringWithoutLengthUtf8(keyOffset, keyLength);
            final OverlayReader.Result result = reader.lookup(key, keyOffset, keyLength);
            if (kind == OverlayEntryDescriptor.KIND_TOMBSTONE)
            {
                assertEquals(OverlayReader.Result.TOMBSTONE, result, name + " " + context);
            }
            else
            {
                assertEquals(OverlayReader.Result.VALUE, result, name + " " + context);
                assertArrayEquals(bytes(value, valueLength), bytes(reader.value(), reader.valueLength()), name + " " + context);
            }
            checked[0]++;
        });
        assertEquals(expected.size(), checked[0], context);
    }

    private static byte[] bytes(final DirectBuffer buffer, final int length)
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(0, copy, 0, length);
        return copy;
    }
}
