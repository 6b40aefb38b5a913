package dev.engram.journal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The background threads' idle strategy: each park is sized by the work the previous wake-up found, so a thread
 * fed a trickle wakes about once per longest park rather than once per item (the wake-ups were most of the journal
 * thread's and the applier's CPU at 10,000 deltas/s), and one fed a flood parks briefly.
 */
class BatchingIdleStrategyTest
{
    private static final long MIN = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long MAX = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void wakeUpsThatFindLessThanABatchLengthenTheParkToTheLongest()
    {
        final BatchingIdleStrategy idle = new BatchingIdleStrategy(MIN, MAX);
        long park = 0;
        for (int i = 0; i < 10; i++)
        {
            idle.idle(1);   // a trickle: one item per wake-up
            park = idle.nextParkNs();
        }
        assertEquals(MAX, park);
    }

    @Test
    void wakeUpsThatFindFullBatchesShortenTheParkToTheShortest()
    {
        final BatchingIdleStrategy idle = new BatchingIdleStrategy(MIN, MAX);
        for (int i = 0; i < 10; i++)
        {
            idle.nextParkNs();
        }
        long park = 0;
        for (int i = 0; i < 10; i++)
        {
            idle.idle(BatchingIdleStrategy.TARGET_BATCH / 2);
            idle.idle(BatchingIdleStrategy.TARGET_BATCH / 2);   // two drains before parking: one batch in all
            park = idle.nextParkNs();
        }
        assertEquals(MIN, park);
    }

    @Test
    void aSteadyRateSettlesWhereAWakeUpFindsAboutABatch()
    {
        final BatchingIdleStrategy idle = new BatchingIdleStrategy(MIN, MAX);
        final double itemsPerNs = 200_000 / 1e9;   // 200,000 items/s
        long park = MIN;
        long lowest = Long.MAX_VALUE;
        long highest = 0;
        for (int i = 0; i < 100; i++)
        {
            idle.idle((int)(park * itemsPerNs));   // what piled up during the last park
            park = idle.nextParkNs();
            if (i >= 50)
            {
                lowest = Math.min(lowest, park);
                highest = Math.max(highest, park);
            }
        }
        final long batchNs = (long)(BatchingIdleStrategy.TARGET_BATCH / itemsPerNs);
        assertTrue(lowest <= batchNs, "lowest park " + lowest + " ns, a batch takes " + batchNs + " ns");
        assertTrue(highest >= batchNs / 2 && highest <= batchNs * 2, "highest park " + highest + " ns, a batch takes " + batchNs + " ns");
    }

    @Test
    void theDefaultBackgroundStrategyParksLongerThanTheOldFixedCeilingWhenFedATrickle()
    {
        final var strategy = JournalContext.backgroundIdleStrategy();
        final BatchingIdleStrategy idle = assertInstanceOf(BatchingIdleStrategy.class, strategy);
        long park = 0;
        for (int i = 0; i < 10; i++)
        {
            idle.idle(1);
            park = idle.nextParkNs();
        }
        assertEquals(JournalContext.IDLE_MAX_PARK_NS_DEFAULT, park);
        assertTrue(park > TimeUnit.MICROSECONDS.toNanos(200), "longest park " + park + " ns");
    }

    @Test
    void resetGoesBackToTheShortestPark()
    {
        final BatchingIdleStrategy idle = new BatchingIdleStrategy(MIN, MAX);
        for (int i = 0; i < 10; i++)
        {
            idle.nextParkNs();
        }
        idle.reset();
        idle.idle(BatchingIdleStrategy.TARGET_BATCH);
        assertEquals(MIN, idle.nextParkNs());
    }

    @Test
    void refusesParksThatCannotBeOrdered()
    {
        assertThrows(IllegalArgumentException.class, () -> new BatchingIdleStrategy(0, MAX));
        assertThrows(IllegalArgumentException.class, () -> new BatchingIdleStrategy(MAX, MIN));
    }
}
