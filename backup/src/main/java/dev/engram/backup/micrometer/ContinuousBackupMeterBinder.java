package dev.engram.backup.micrometer;

import dev.engram.backup.ContinuousBackup;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Exposes a {@link ContinuousBackup}'s recovery point lag to Micrometer (and from there Prometheus and the rest), to
 * alert on: {@code engram.backup.rpo.lag} (seconds: what a lost source disk would lose now, 0 when the newest backup
 * holds every written version), {@code engram.backup.shipped.version}, and the counters {@code engram.backup.shipped}
 * (backups made) and {@code engram.backup.failures}. Micrometer is an optional dependency of the backup module: this
 * class is the only one that needs it.
 * <pre>{@code
 * new ContinuousBackupMeterBinder(shipping).bindTo(registry);
 * }</pre>
 */
public final class ContinuousBackupMeterBinder implements MeterBinder
{
    private final ContinuousBackup shipping;
    private final Tags tags;

    public ContinuousBackupMeterBinder(final ContinuousBackup shipping)
    {
        this(shipping, Tags.empty());
    }

    public ContinuousBackupMeterBinder(final ContinuousBackup shipping, final Tags tags)
    {
        this.shipping = shipping;
        this.tags = tags;
    }

    @Override
    public void bindTo(final MeterRegistry registry)
    {
        Gauge.builder("engram.backup.rpo.lag", shipping, s -> s.rpoLagMillis() / 1000.0)
            .tags(tags).baseUnit("seconds")
            .description("time since the newest backup pinned its version, while versions after it are written (0: all shipped)")
            .register(registry);
        Gauge.builder("engram.backup.shipped.version", shipping, ContinuousBackup::shippedVersion)
            .tags(tags).description("the state version the newest backup holds").register(registry);
        FunctionCounter.builder("engram.backup.shipped", shipping, ContinuousBackup::backups)
            .tags(tags).description("backups made by continuous shipping").register(registry);
        FunctionCounter.builder("engram.backup.failures", shipping, ContinuousBackup::failures)
            .tags(tags).description("continuous backups that failed (each retried at the next interval)").register(registry);
    }
}
