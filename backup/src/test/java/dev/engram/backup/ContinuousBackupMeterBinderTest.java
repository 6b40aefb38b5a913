package dev.engram.backup;

import dev.engram.backup.micrometer.ContinuousBackupMeterBinder;
import dev.engram.engine.Engram;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The recovery point lag of continuous shipping, exported to Micrometer: it grows while written versions wait for the
 * next backup and is 0 once one holds them all; the counters follow the backups made.
 */
class ContinuousBackupMeterBinderTest
{
    @TempDir
    Path tmp;

    private static long append(final Engram engram, final int count)
    {
        long last = 0;
        for (int i = 0; i < count; i++)
        {
            last = engram.delta().put("key/" + (i % 50), ("v" + i).getBytes(StandardCharsets.UTF_8)).commit();
        }
        return last;
    }

    @Test
    void shouldExportTheLagWhileVersionsWaitAndZeroOnceShipped() throws Exception
    {
        try (Engram engram = Engram.open(tmp.resolve("src"), Stores.ctx());
             Backups backups = Backups.open(tmp.resolve("repo")))
        {
            final SimpleMeterRegistry registry = new SimpleMeterRegistry();
            // an interval of an hour: the first tick (at once) finds nothing written, the next is far away
            try (ContinuousBackup shipping = ContinuousBackup.start(backups, engram, TimeUnit.HOURS.toMillis(1)))
            {
                new ContinuousBackupMeterBinder(shipping).bindTo(registry);
                final long last = append(engram, 200);
                assertTrue(engram.awaitWritten(last, 60, TimeUnit.SECONDS));
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (registry.get("engram.backup.rpo.lag").gauge().value() <= 0 && System.nanoTime() < deadline)
                {
                    Thread.onSpinWait();
                }
                assertTrue(registry.get("engram.backup.rpo.lag").gauge().value() > 0, "written versions wait for a backup");
                assertEquals(0, registry.get("engram.backup.shipped").functionCounter().count());
            }
            final SimpleMeterRegistry shipped = new SimpleMeterRegistry();
            try (ContinuousBackup shipping = ContinuousBackup.start(backups, engram, 20))
            {
                new ContinuousBackupMeterBinder(shipping).bindTo(shipped);
                final long last = append(engram, 200);
                assertTrue(shipping.awaitShipped(last, 120, TimeUnit.SECONDS), String.valueOf(shipping.lastFailure()));
                if (engram.writtenVersion() == last)
                {
                    assertEquals(0.0, shipped.get("engram.backup.rpo.lag").gauge().value());
                }
                assertTrue(shipped.get("engram.backup.shipped.version").gauge().value() >= last);
                assertTrue(shipped.get("engram.backup.shipped").functionCounter().count() >= 1);
                assertEquals(0, shipped.get("engram.backup.failures").functionCounter().count());
            }
        }
    }
}
