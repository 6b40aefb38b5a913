package dev.engram.journal;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * 4 producers x 250k deltas: every version 1..1M present once, in order, and each producer's own deltas
 * in its program order, with the version append returned matching the frame that holds the delta.
 */
class JournalConcurrencyTest
{
    private static final int PRODUCERS = 4;
    private static final int PER_PRODUCER = 250_000;

    @TempDir
    Path dir;

    @Test
    void shouldGiveDenseVersionsInJournalOrderAcrossProducers() throws Exception
    {
        final long[][] returnedVersions = new long[PRODUCERS][PER_PRODUCER];
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Journal journal = Journal.open(new JournalContext().directory(dir).ringSlotCount(16 * 1024)))
        {
            final CyclicBarrier start = new CyclicBarrier(PRODUCERS);
            final Thread[] threads = new Thread[PRODUCERS];
            for (int p = 0; p < PRODUCERS; p++)
            {
                final int producer = p;
                threads[p] = new Thread(() ->
                {
                    try
                    {
                        final Delta delta = journal.newDelta();
                        final UnsafeBuffer value = new UnsafeBuffer(new byte[16]);
                        start.await();
                        for (int i = 0; i < PER_PRODUCER; i++)
                        {
                            value.putInt(0, producer);
                            value.putInt(4, i);
                            delta.clear().put("p" + producer, value, 0, 16);
                            returnedVersions[producer][i] = journal.append(delta);
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
                thread.join(TimeUnit.MINUTES.toMillis(2));
                assertFalse(thread.isAlive(), "producer did not finish");
            }
            assertNull(failure.get(), () -> "producer failed: " + failure.get());
            final long total = (long)PRODUCERS * PER_PRODUCER;
            assertEquals(total, journal.lastAppendedVersion());
            assertTrue(journal.awaitWritten(total, 60, TimeUnit.SECONDS));

            final int[] nextPerProducer = new int[PRODUCERS];
            final long[] expectedVersion = {1};
            final ReplayResult result;
            try (JournalReader reader = journal.newReader())
            {
                result = reader.replay(1, frame ->
                {
                    assertEquals(expectedVersion[0], frame.version());
                    assertTrue(frame.nextOp());
                    final int producer = frame.buffer().getInt(frame.dataOffset());
                    final int sequence = frame.buffer().getInt(frame.dataOffset() + 4);
                    assertEquals(nextPerProducer[producer], sequence, "producer " + producer + " out of program order");
                    assertEquals(returnedVersions[producer][sequence], frame.version(), "append returned another version");
                    nextPerProducer[producer]++;
                    expectedVersion[0]++;
                });
            }
            assertEquals(total, result.framesDelivered());
            assertEquals(total, result.lastVersion());
            assertFalse(result.tornTail());
            for (int p = 0; p < PRODUCERS; p++)
            {
                assertEquals(PER_PRODUCER, nextPerProducer[p]);
            }
        }
    }
}
