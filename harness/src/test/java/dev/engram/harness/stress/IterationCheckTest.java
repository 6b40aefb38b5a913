package dev.engram.harness.stress;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class IterationCheckTest
{
    private final StressKeys live = new StressKeys("base/", 300);
    private final StressKeys churn = new StressKeys("tmp/", 10);
    private final StressStats stats = new StressStats();
    private final StressValue codec = new StressValue();
    private final IterationCheck check = new IterationCheck(live, churn, new StressReader(new AtomicLong(100), stats, "t"));

    @Test
    void shouldPassAnIterationSeeingEveryLiveKeyOnce()
    {
        check.begin("forEach", "", true);
        for (int i = 0; i < live.count(); i++)
        {
            check.onEntry(live.name(i), codec.value(live.hash(i), 1, 5));
        }
        check.onEntry(churn.name(3), codec.value(churn.hash(3), 1, 6));
        check.end();
        assertEquals(0, stats.failures());
        assertEquals(live.count() + 1, stats.validations.sum());
    }

    @Test
    void shouldCountMissedAndDuplicatedKeys()
    {
        check.begin("keys", "", false);
        for (int i = 1; i < live.count(); i++)
        {
            check.onEntry(live.name(i), null);
        }
        check.onEntry(live.name(7), null);
        check.onEntry(churn.name(1), null);
        check.onEntry(churn.name(1), null);
        check.end();
        assertEquals(1, stats.missedKeys.sum());
        assertEquals(2, stats.duplicateKeys.sum());
    }

    @Test
    void shouldExpectOnlyTheKeysUnderAPrefix()
    {
        check.begin("forEach(base/001)", "base/001", false);
        for (int i = 100; i < 200; i++)
        {
            check.onEntry(live.name(i), null);
        }
        check.end();
        assertEquals(0, stats.failures());
        check.begin("forEach(base/001)", "base/001", false);
        for (int i = 100; i < 201; i++)
        {
            check.onEntry(live.name(i), null);
        }
        check.end();
        assertEquals(1, stats.wrongValues.sum());
    }

    @Test
    void shouldFlagAValueOlderThanItsFloor()
    {
        live.raiseFloor(4, 50);
        check.begin("forEach", "base/0000", true);
        for (int i = 0; i < 10; i++)
        {
            check.onEntry(live.name(i), codec.value(live.hash(i), 1, 40));
        }
        check.end();
        assertEquals(1, stats.wrongValues.sum());
    }
}
