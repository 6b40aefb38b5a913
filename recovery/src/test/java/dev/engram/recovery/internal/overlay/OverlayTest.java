package dev.engram.recovery.internal.overlay;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.journal.JournalReader;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The overlay built from a real journal equals a plain model applying the same deltas.
 */
class OverlayTest
{
    @TempDir
    Path dir;

    static byte[] patched(final byte[] current, final long offset, final byte[] data)
    {
        final byte[] base = current == null ? new byte[0] : current;
        final byte[] result = new byte[(int)Math.max(base.length, offset + data.length)];
        System.arraycopy(base, 0, result, 0, base.length);
        System.arraycopy(data, 0, result, (int)offset, data.length);
        return result;
    }

    /**
     * @return base values served from a map of key -> value (a checkpoint stand-in).
     */
    static Overlay.BaseValues baseValues(final Map<String, byte[]> baseState)
    {
        return (key, off, len, out) ->
        {
            final byte[] bytes = new byte[len];
            key.getBytes(off, bytes);
            final byte[] value = baseState.get(new String(bytes, StandardCharsets.UTF_8));
            if (value == null)
            {
                return false;
            }
            out.wrap(value);
            return true;
        };
    }

    @Test
    void shouldMatchTheModelAfterRandomPutsDeletesAndPatches()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final Map<String, byte[]> model = new HashMap<>();
        final Map<String, byte[]> baseState = new HashMap<>();
        for (int i = 0; i < 20; i++)
        {
            final byte[] value = new byte[random.nextInt(3000)];
            random.nextBytes(value);
            baseState.put("base/" + i, value);
        }
        model.putAll(baseState);
        final Overlay.BaseValues base = baseValues(baseState);

        try (Journal journal = Journal.open(new JournalContext().directory(dir).ringSlotCount(4096)))
        {
            final Delta delta = journal.newDelta();
            long version = 0;
            for (int i = 0; i < 20_000; i++)
            {
                delta.clear();
                final int ops = 1 + random.nextInt(3);
                for (int o = 0; o < ops; o++)
                {
                    final String key = random.nextInt(4) == 0 ? "base/" + random.nextInt(25) : "k/" + random.nextInt(300);
                    final int action = random.nextInt(10);
                    if (action < 5)
                    {
                        final byte[] value = new byte[random.nextInt(200)];
                        random.nextBytes(value);
                        delta.put(key, value);
                        model.put(key, value);
                    }
                    else if (action < 7)
                    {
                        delta.delete(key);
                        model.remove(key);
                    }
                    else
                    {
                        final byte[] data = new byte[1 + random.nextInt(64)];
                        random.nextBytes(data);
                        final long offset = random.nextInt(400);
                        delta.patch(key, offset, data);
                        model.put(key, patched(model.get(key), offset, data));
                    }
                }
                version = journal.append(delta);
            }
            assertTrue(journal.awaitWritten(version, 30, TimeUnit.SECONDS));

            try (JournalMappedFiles files = journal.newMappedFiles();
                 JournalReader reader = journal.newReader();
                 Overlay overlay = new Overlay(16, files::wrap))
            {
                final TailIndexer indexer = new TailIndexer(overlay, base);
                reader.replay(1, indexer);
                assertEquals(version, indexer.lastVersion());
                assertEquals(version, overlay.lastVersion());

                final OverlayReader lookup = new OverlayReader(overlay);
                final UnsafeBuffer keyBuffer = new UnsafeBuffer(new byte[64]);
                int checked = 0;
                for (int i = 0; i < 300; i++)
                {
                    for (final String key : new String[] {"k/" + i, "base/" + (i % 25)})
                    {
                        final int keyLength = keyBuffer.putStringWithoutLengthUtf8(0, key);
                        final OverlayReader.Result result = lookup.lookup(keyBuffer, 0, keyLength);
                        final byte[] expected = model.get(key);
                        final byte[] actual;
                        if (result == OverlayReader.Result.VALUE)
                        {
                            actual = new byte[lookup.valueLength()];
                            lookup.value().getBytes(0, actual);
                        }
                        else if (result == OverlayReader.Result.TOMBSTONE)
                        {
                            actual = null;
                        }
                        else
                        {
                            actual = baseState.get(key);   // untouched since the base
                        }
                        assertArrayEquals(expected, actual, "key=" + key + " seed=" + seed);
                        checked++;
                    }
                }
                assertEquals(600, checked);
                final int[] visited = {0};
                overlay.forEach((k, ko, kl, kind, v, value, vl) -> visited[0]++);
                assertEquals(overlay.size(), visited[0]);
            }
        }
    }

    @Test
    void shouldReuseAKeysArenaBlockAcrossPutThenPatchInsteadOfGrowingWithoutBound()
    {
        // values held in memory stand in for the journal: cycle = index into the list
        final java.util.List<byte[]> journal = new java.util.ArrayList<>();
        final Overlay.JournalValues values = (out, cycle, position, length) -> out.wrap(journal.get(cycle), (int)position, length);
        final int valueLength = 100 * 1024;
        final UnsafeBuffer key = new UnsafeBuffer("population/1".getBytes(StandardCharsets.UTF_8));
        final UnsafeBuffer data = new UnsafeBuffer(new byte[64]);
        try (Overlay overlay = new Overlay(16, values))
        {
            long version = 0;
            byte[] expected = null;
            long afterFirstRound = 0;
            for (int round = 0; round < 500; round++)
            {
                final byte[] put = new byte[valueLength];
                java.util.Arrays.fill(put, (byte)round);
                journal.add(put);
                overlay.putJournalRef(key, 0, key.capacity(), ++version, journal.size() - 1, 0, valueLength);
                data.setMemory(0, 64, (byte)(round + 1));
                final long offset = (round * 97L) % valueLength;
                overlay.patch(key, 0, key.capacity(), ++version, offset, data, 0, 64, null);
                expected = patched(put, offset, data.byteArray());
                if (round == 0)
                {
                    afterFirstRound = overlay.valueBytesAllocated();
                }
            }
            assertEquals(afterFirstRound, overlay.valueBytesAllocated(),
                "500 PUT-then-PATCH rounds on one key must reuse its block, not take a new one each time");
            final OverlayReader reader = new OverlayReader(overlay);
            assertEquals(OverlayReader.Result.VALUE, reader.lookup(key, 0, key.capacity()));
            final byte[] read = new byte[reader.valueLength()];
            reader.value().getBytes(0, read);
            assertArrayEquals(expected, read);
        }
    }

    @Test
    void shouldLeaveAnEntryReadableWhenAPatchIsRefusedForABadSourceRange()
    {
        final Overlay.JournalValues none = (out, cycle, position, length) -> out.wrap(0, 0);
        final UnsafeBuffer key = new UnsafeBuffer("k".getBytes(StandardCharsets.UTF_8));
        try (Overlay overlay = new Overlay(16, none))
        {
            overlay.patch(key, 0, 1, 1, 0, new UnsafeBuffer(new byte[] {1, 2, 3, 4}), 0, 4, null);   // in the arena
            final UnsafeBuffer shortSource = new UnsafeBuffer(new byte[2]);
            assertThrows(IndexOutOfBoundsException.class, () -> overlay.patch(key, 0, 1, 2, 0, shortSource, 0, 4, null));
            final OverlayReader reader = new OverlayReader(overlay);
            // the refused patch must not leave the entry's seqlock odd: a reader would spin forever
            assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () ->
                assertEquals(OverlayReader.Result.VALUE, reader.lookup(key, 0, 1)));
            final byte[] read = new byte[reader.valueLength()];
            reader.value().getBytes(0, read);
            assertArrayEquals(new byte[] {1, 2, 3, 4}, read);
        }
    }
}
