package dev.engram.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Deltas longer than a ring slot travel through the arena: byte for byte what was appended, in version order,
 * with no heap copy while the arena has room; and, with an arena small enough to fill and wrap while four
 * producers race, every delta still arrives intact, the overflow taking the heap path.
 */
class JournalArenaTest
{
    @TempDir
    Path dir;

    private static byte[] value(final int producer, final int index, final int length)
    {
        final byte[] bytes = new byte[length];
        final SplittableRandom random = new SplittableRandom(producer * 1_000_003L + index);
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)random.nextInt();
        }
        return bytes;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldCarryLongDeltasThroughTheArenaWithoutHeapCopies()
    {
        final int count = 2_000;
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).ringArenaLength(1 << 20)))
        {
            final Delta delta = journal.newDelta();
            // a synchronous open allocates the arena before it returns: the very first long delta goes through it
            assertEquals(1, journal.append(delta.clear().put("first", new byte[2000])));
            for (int i = 0; i < count; i++)
            {
                final int length = 300 + (i * 37) % 4000;   // 300..4299 bytes: every one over the 256-byte slot
                final long version = journal.append(delta.clear().put("k" + i, value(0, i, length)));
                assertEquals(i + 2, version);
                if (i % 100 == 99)
                {
                    assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));   // keep the arena from filling
                }
            }
            assertTrue(journal.awaitWritten(count + 1, 60, TimeUnit.SECONDS));
            assertEquals(0, journal.heapFrameCount(), "a delta that fit the arena was copied to the heap");
            final int[] seen = {0};
            try (JournalReader reader = journal.newReader())
            {
                reader.replay(2, frame ->
                {
                    final int i = seen[0]++;
                    assertEquals(i + 2, frame.version());
                    assertTrue(frame.nextOp());
                    final byte[] expected = value(0, i, 300 + (i * 37) % 4000);
                    assertEquals(expected.length, frame.dataLength());
                    final byte[] actual = new byte[frame.dataLength()];
                    frame.buffer().getBytes(frame.dataOffset(), actual);
                    assertArrayEquals(expected, actual, "version " + (i + 2));
                });
            }
            assertEquals(count, seen[0]);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldKeepEveryDeltaIntactWhenRacingProducersFillAndWrapTheArena() throws Exception
    {
        final int producers = 4;
        final int perProducer = 20_000;
        final long[][] versions = new long[producers][perProducer];
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        // 16 KiB arena: frames up to 4 KiB fit, a handful at a time, so it fills, wraps and overflows to the heap
        try (Journal journal = Journal.open(JournalTestSupport.smallContext(dir).ringSlotCount(4096).ringArenaLength(16 * 1024)))
        {
            final CyclicBarrier start = new CyclicBarrier(producers);
            final Thread[] threads = new Thread[producers];
            for (int p = 0; p < producers; p++)
            {
                final int producer = p;
                threads[p] = new Thread(() ->
                {
                    try
                    {
                        final Delta delta = journal.newDelta();
                        start.await();
                        for (int i = 0; i < perProducer; i++)
                        {
                            versions[producer][i] = journal.append(delta.clear().put("p" + producer + "/" + i,
                                value(producer, i, lengthOf(producer, i))));
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failure.compareAndSet(null, ex);
                    }
                }, "producer-" + p);
                threads[p].start();
            }
            for (final Thread thread : threads)
            {
                thread.join();
            }
            assertNull(failure.get(), () -> String.valueOf(failure.get()));
            final long total = (long)producers * perProducer;
            assertTrue(journal.awaitWritten(total, 60, TimeUnit.SECONDS));

            final int[] next = new int[producers];
            final long[] expectedVersion = {1};
            try (JournalReader reader = journal.newReader())
            {
                reader.replay(1, frame ->
                {
                    assertEquals(expectedVersion[0]++, frame.version());
                    assertTrue(frame.nextOp());
                    final String key = frame.key();
                    final int slash = key.indexOf('/');
                    final int producer = Integer.parseInt(key.substring(1, slash));
                    final int i = Integer.parseInt(key.substring(slash + 1));
                    assertEquals(next[producer]++, i, "producer " + producer + " out of program order");
                    assertEquals(versions[producer][i], frame.version(), "append returned another version");
                    final byte[] actual = new byte[frame.dataLength()];
                    frame.buffer().getBytes(frame.dataOffset(), actual);
                    assertArrayEquals(value(producer, i, lengthOf(producer, i)), actual, key);
                });
            }
            assertEquals(total, expectedVersion[0] - 1);
            assertTrue(journal.backPressureEvents() > 0, "the arena never filled: the test did not exercise its back-pressure");
            assertTrue(journal.heapFrameCount() > 0, "frames over a quarter of the arena took the heap path");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldApplyBackPressureWhenTheArenaIsFullAndReuseRecordsOfRefusedAppends() throws Exception
    {
        final BlockingIdle idle = new BlockingIdle();
        // an 8 KiB arena takes frames up to 2 KiB: four ~1.9 KiB deltas fill it while the writer is held
        final JournalContext ctx = JournalTestSupport.smallContext(dir).ringSlotCount(8).ringArenaLength(8192)
            .backPressurePolicy(BackPressurePolicy.FAIL_FAST).writerIdleStrategySupplier(() -> idle);
        try (Journal journal = Journal.open(ctx))
        {
            try
            {
                assertTrue(idle.writerParked.await(10, TimeUnit.SECONDS));   // the arena is allocated by now
                final Delta big = journal.newDelta().put("big", new byte[1900]);
                final Delta small = journal.newDelta().put("s", new byte[8]);
                assertEquals(1, journal.append(big));
                assertEquals(2, journal.append(big));
                assertEquals(3, journal.append(big));
                assertEquals(4, journal.append(big));
                assertEquals(0, journal.heapFrameCount(), "in the arena, not on the heap");
                assertEquals(Journal.BACK_PRESSURED, journal.tryAppend(big), "arena full");
                final JournalBackPressureException full = assertThrows(JournalBackPressureException.class, () -> journal.append(big));
                assertTrue(full.getMessage().contains("policy=FAIL_FAST"), full.getMessage());
                assertEquals(5, journal.append(small), "a delta that fits a slot is not held up by the arena");
                idle.release.countDown();
                assertTrue(journal.awaitWritten(5, 60, TimeUnit.SECONDS));
                assertEquals(2, journal.backPressureEvents(), "two refusals counted");
                assertEquals(0, journal.ringOccupancy());
                assertEquals(0, journal.heapFrameCount());
                final long sixth = journal.append(big);
                assertEquals(6, sixth, "the freed arena takes it");
                assertTrue(journal.awaitWritten(sixth, 60, TimeUnit.SECONDS));
                try (JournalReader reader = journal.newReader())
                {
                    final long[] versions = {0};
                    reader.replay(1, frame ->
                    {
                        versions[0]++;
                        assertEquals(versions[0], frame.version());
                        assertTrue(frame.nextOp());
                        assertEquals(versions[0] == 5 ? 8 : 1900, frame.dataLength(), "version " + versions[0]);
                    });
                    assertEquals(6, versions[0], "refused appends used no version");
                }
            }
            finally
            {
                idle.release.countDown();   // or close would wait for the held writer forever
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldHandBackTheArenaRecordOfADeltaThatFoundTheRingFull() throws Exception
    {
        final BlockingIdle idle = new BlockingIdle();
        final JournalContext ctx = JournalTestSupport.smallContext(dir).ringSlotCount(2).ringArenaLength(4096)
            .backPressurePolicy(BackPressurePolicy.FAIL_FAST).writerIdleStrategySupplier(() -> idle);
        try (Journal journal = Journal.open(ctx))
        {
            try
            {
                assertTrue(idle.writerParked.await(10, TimeUnit.SECONDS));
                final Delta big = journal.newDelta().put("big", new byte[950]);
                final Delta small = journal.newDelta().put("s", new byte[8]);
                journal.append(small);
                journal.append(small);   // ring full, arena empty
                for (int i = 0; i < 10; i++)
                {
                    // each refused append claimed (and must hand back) a 1 KiB record of the 4 KiB arena
                    assertEquals(Journal.BACK_PRESSURED, journal.tryAppend(big));
                    assertThrows(JournalBackPressureException.class, () -> journal.append(big));
                }
                idle.release.countDown();
                assertTrue(journal.awaitWritten(2, 60, TimeUnit.SECONDS));
                for (int i = 0; i < 20; i++)
                {
                    // if the 20 abandoned records were never freed, the arena would stay full and these would throw
                    final long version = journal.append(big);
                    assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
                }
                assertEquals(22, journal.writtenVersion());
                assertEquals(0, journal.heapFrameCount());
            }
            finally
            {
                idle.release.countDown();   // or close would wait for the held writer forever
            }
        }
    }

    private static int lengthOf(final int producer, final int i)
    {
        return (i + producer) % 3 == 0 ? 16 + (i % 200) : 300 + ((i * 131 + producer * 17) % 3800);
    }
}
