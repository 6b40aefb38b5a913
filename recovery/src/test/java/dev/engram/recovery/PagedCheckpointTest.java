package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.recovery.internal.chain.CheckpointChain;
import dev.engram.recovery.internal.checkpoint.BlockTableDescriptor;
import dev.engram.recovery.internal.checkpoint.CheckpointFooterDescriptor;
import dev.engram.recovery.internal.checkpoint.CheckpointHeaderDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Page deltas (docs/checkpoint-format.md, "Paged values"): a delta checkpoint of a large value patched in a few places
 * stores those pages only; values read through chains of paged deltas, and after reopen, equal a model; a damaged
 * page is refused like any damaged block.
 */
class PagedCheckpointTest
{
    private static final int PAGE = 16 * 1024;

    @TempDir
    Path dir;

    private StateContext ctx(final boolean compress)
    {
        return new StateContext().directory(dir).background(false).compress(compress).pageLength(PAGE)
            .checkpointEveryFrames(Long.MAX_VALUE).checkpointIntervalMs(0).maxChainLength(6)
            .deltaChangedKeysRatio(10).maxChainSizeRatio(100);
    }

    private static byte[] random(final SplittableRandom random, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt(256);   // incompressible, as float weights nearly are
        }
        return bytes;
    }

    private static void patch(final Map<String, byte[]> model, final String key, final int offset, final byte[] data)
    {
        byte[] value = model.getOrDefault(key, new byte[0]);
        if (offset + data.length > value.length)
        {
            value = Arrays.copyOf(value, offset + data.length);
        }
        System.arraycopy(data, 0, value, offset, data.length);
        model.put(key, value);
    }

    private static void assertModel(final StateStore store, final Map<String, byte[]> model, final String when)
    {
        try (StateReader reader = store.newReader())
        {
            for (final Map.Entry<String, byte[]> e : model.entrySet())
            {
                assertArrayEquals(e.getValue(), reader.get(e.getKey()), () -> when + ": key=" + e.getKey());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldEqualTheModelThroughManyPagedDeltaCheckpointsAndAfterReopen(final boolean compress)
    {
        final SplittableRandom random = new SplittableRandom(7);
        final Map<String, byte[]> model = new HashMap<>();
        long deltas = 0;
        long version = 0;
        try (StateStore store = StateStore.open(ctx(compress)))
        {
            final Journal journal = store.journal();
            final Delta delta = journal.newDelta();
            for (int k = 0; k < 4; k++)
            {
                final byte[] value = random(random, 200_000 + k * 40_000);   // not a whole number of pages
                model.put("big/" + k, value);
                version = journal.append(delta.clear().put("big/" + k, value));
            }
            for (int round = 0; round < 16; round++)
            {
                for (int op = 0; op < 40; op++)
                {
                    final String key = "big/" + random.nextInt(4);
                    final int kind = random.nextInt(100);
                    delta.clear();
                    if (kind < 80)
                    {
                        final int length = 1 + random.nextInt(3000);
                        final int offset = random.nextInt(model.get(key).length + (kind < 5 ? 20_000 : -length));
                        final byte[] data = random(random, length);
                        delta.patch(key, offset, data);
                        patch(model, key, offset, data);
                    }
                    else if (kind < 90)
                    {
                        final byte[] value = random(random, 100_000 + random.nextInt(200_000));
                        delta.put(key, value);
                        model.put(key, value);
                    }
                    else
                    {
                        final String small = "small/" + random.nextInt(50);
                        final byte[] value = random(random, 1 + random.nextInt(500));
                        delta.put(small, value);
                        model.put(small, value);
                    }
                    version = journal.append(delta);
                }
                assertTrue(store.awaitApplied(version, 30, TimeUnit.SECONDS));
                final CheckpointInfo info = store.checkpoint();
                assertEquals(version, info.stateVersion());
                if (info.isDelta())
                {
                    deltas++;
                }
                assertModel(store, model, "after checkpoint " + round);
            }
        }
        assertTrue(deltas >= 8, "paged delta checkpoints: " + deltas);
        try (StateStore store = StateStore.open(ctx(compress)))
        {
            assertEquals(version, store.recoveryReport().recoveredVersion());
            assertEquals(0, store.recoveryReport().framesReplayed(), store.recoveryReport().describe());
            assertModel(store, model, "after reopen");
        }
    }

    @Test
    void shouldStoreOnlyTheChangedPagesOfALargeValueInADelta() throws IOException
    {
        final SplittableRandom random = new SplittableRandom(3);
        final byte[] weights = random(random, 1 << 20);
        final CheckpointInfo delta;
        try (StateStore store = StateStore.open(ctx(true)))
        {
            final Journal journal = store.journal();
            journal.append(journal.newDelta().put("population/1/weights", weights).put("population/1", new byte[64]));
            assertFalse(store.checkpoint().isDelta());
            // three small patches, on three pages
            long version = 0;
            for (final int offset : new int[]{1_000, 400_000, 1_040_000})
            {
                final byte[] data = random(random, 2_000);
                version = journal.append(journal.newDelta().patch("population/1/weights", offset, data));
                System.arraycopy(data, 0, weights, offset, data.length);
            }
            assertTrue(store.awaitApplied(version, 30, TimeUnit.SECONDS));
            delta = store.checkpoint();
            assertTrue(delta.isDelta(), delta.toString());
            try (StateReader reader = store.newReader())
            {
                assertArrayEquals(weights, reader.get("population/1/weights"));
            }
        }
        final long changedPages = 3L * PAGE;
        final long index = 4096;   // header, footer, block table, page map, in-file index
        final long size = Files.size(delta.path());
        assertTrue(size <= 2 * changedPages + index, "delta checkpoint of 3 patched pages: " + size + " bytes");
        try (StateStore store = StateStore.open(ctx(true)))
        {
            try (StateReader reader = store.newReader())
            {
                assertArrayEquals(weights, reader.get("population/1/weights"));
            }
        }
    }

    @Test
    void shouldRefuseADamagedPageReferencedFromADelta() throws IOException
    {
        final SplittableRandom random = new SplittableRandom(5);
        final byte[] weights = random(random, 256 * 1024);
        final CheckpointInfo full;
        final CheckpointInfo delta;
        try (StateStore store = StateStore.open(ctx(false)))
        {
            final Journal journal = store.journal();
            journal.append(journal.newDelta().put("w", weights));
            full = store.checkpoint();
            final long version = journal.append(journal.newDelta().patch("w", 100, new byte[]{1, 2, 3}));
            assertTrue(store.awaitApplied(version, 30, TimeUnit.SECONDS));
            delta = store.checkpoint();
            assertTrue(delta.isDelta());
        }
        // flip a byte in the last page block of the full checkpoint: the delta still names that page
        final long pageOffset = lastPageBlockOffset(full.path());
        try (RandomAccessFile file = new RandomAccessFile(full.path().toFile(), "rw"))
        {
            file.seek(pageOffset + 10);
            final int b = file.read();
            file.seek(pageOffset + 10);
            file.write(b ^ 0x40);
        }
        try (CheckpointChain chain = CheckpointChain.open(delta.path().getParent(), delta.checkpointId()))
        {
            final UnsafeBuffer view = new UnsafeBuffer(0, 0);
            final CheckpointCorruptionException ex = assertThrows(CheckpointCorruptionException.class,
                () -> chain.get("w", view));
            assertTrue(ex.getMessage().contains(full.path().getFileName().toString()), ex.getMessage());
            assertTrue(ex.getMessage().contains("CRC32C"), ex.getMessage());
        }
    }

    private static long lastPageBlockOffset(final Path file) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(LITTLE_ENDIAN);
        assertEquals(CheckpointHeaderDescriptor.FORMAT_VERSION_PAGED, bytes.getInt(CheckpointHeaderDescriptor.FORMAT_VERSION_OFFSET));
        final int footer = bytes.capacity() - CheckpointFooterDescriptor.FOOTER_LENGTH;
        final long blocks = bytes.getLong(footer + CheckpointFooterDescriptor.BLOCK_COUNT_OFFSET);
        final long table = bytes.getLong(footer + CheckpointFooterDescriptor.BLOCK_TABLE_OFFSET_OFFSET);
        long found = -1;
        for (int i = 0; i < blocks; i++)
        {
            final int row = (int)(table + (long)i * BlockTableDescriptor.ROW_LENGTH);
            if ((bytes.get(row + BlockTableDescriptor.FLAGS_OFFSET) & BlockTableDescriptor.FLAG_PAGE) != 0)
            {
                found = bytes.getLong(row + BlockTableDescriptor.FILE_OFFSET_OFFSET);
            }
        }
        assertTrue(found > 0, "no page block in " + file);
        return found;
    }
}
