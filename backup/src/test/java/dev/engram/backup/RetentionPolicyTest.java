package dev.engram.backup;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RetentionPolicyTest
{
    /** Backups 1..10, six hours apart from 2026-12-01T00:00Z (four a day: ids 1-4 on the 1st, 5-8 the 2nd, 9-10 the 3rd). */
    private static List<BackupInfo> backups()
    {
        final List<BackupInfo> backups = new ArrayList<>();
        final Instant start = Instant.parse("2026-12-01T00:00:00Z");
        for (int id = 1; id <= 10; id++)
        {
            backups.add(new BackupInfo(id, id - 1, id - 1, id * 100L, start.plus(Duration.ofHours(6L * (id - 1))), 1,
                1, 1, 1, ""));
        }
        return backups;
    }

    @Test
    void keepLast()
    {
        assertEquals(Set.of(8L, 9L, 10L), RetentionPolicy.keepLast(3).kept(backups()));
        assertEquals(Set.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), RetentionPolicy.keepLast(20).kept(backups()));
    }

    @Test
    void keepWithinCountsFromTheNewestBackup()
    {
        // the newest is 2026-12-03T06:00Z; 12 hours before it: 12-02T18:00Z (id 8) onwards
        assertEquals(Set.of(8L, 9L, 10L), RetentionPolicy.keepWithin(Duration.ofHours(12)).kept(backups()));
    }

    @Test
    void keepDailyKeepsTheNewestOfEachDay()
    {
        assertEquals(Set.of(10L, 8L), RetentionPolicy.keepDaily(2).kept(backups()));
        assertEquals(Set.of(10L, 8L, 4L), RetentionPolicy.keepDaily(7).kept(backups()));
    }

    @Test
    void rulesAddUpAndTheNewestIsAlwaysKept()
    {
        assertEquals(Set.of(4L, 8L, 9L, 10L), RetentionPolicy.keepDaily(3).andLast(2).kept(backups()));
        assertEquals(Set.of(10L), new RetentionPolicy(0, Duration.ZERO, 0).kept(backups()));
        assertEquals(Set.of(), RetentionPolicy.keepLast(1).kept(List.of()));
        assertThrows(IllegalArgumentException.class, () -> RetentionPolicy.keepLast(-1));
    }
}
