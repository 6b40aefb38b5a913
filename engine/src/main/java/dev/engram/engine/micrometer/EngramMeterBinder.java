package dev.engram.engine.micrometer;

import dev.engram.engine.Engram;
import dev.engram.engine.MetricsSnapshot;
import dev.engram.recovery.DiskUsage;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.HdrHistogram.Histogram;

import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Exposes an engine's metrics to Micrometer (and from there Prometheus and the rest) for applications
 * that already use it. Micrometer is an optional dependency of the engine: this class is the only one
 * that needs it. Gauges read a snapshot taken at most once per second (percentiles in seconds); the disk gauges
 * ({@code engram.disk.bytes} by {@code part}, {@code engram.disk.live.state.bytes}) a measurement at most 10 s old.
 * <pre>{@code
 * new EngramMeterBinder(engram).bindTo(registry);
 * }</pre>
 */
public final class EngramMeterBinder implements MeterBinder
{
    private static final long SNAPSHOT_TTL_NS = 1_000_000_000L;
    /** Disk use walks the state directory: measured at most every 10 s. */
    private static final long DISK_TTL_NS = 10_000_000_000L;

    private final Engram engram;
    private final Tags tags;
    private MetricsSnapshot snapshot;
    private long snapshotAtNs;
    private DiskUsage disk;
    private long diskAtNs;

    public EngramMeterBinder(final Engram engram)
    {
        this(engram, Tags.empty());
    }

    public EngramMeterBinder(final Engram engram, final Tags tags)
    {
        this.engram = engram;
        this.tags = tags;
    }

    private synchronized MetricsSnapshot snapshot()
    {
        final long now = System.nanoTime();
        if (snapshot == null || now - snapshotAtNs > SNAPSHOT_TTL_NS)
        {
            snapshot = engram.metrics().snapshot();
            snapshotAtNs = now;
        }
        return snapshot;
    }

    private synchronized DiskUsage disk()
    {
        final long now = System.nanoTime();
        if (disk == null || now - diskAtNs > DISK_TTL_NS)
        {
            try
            {
                disk = engram.diskUsage();
            }
            catch (final IllegalStateException closed)
            {
                return null;
            }
            diskAtNs = now;
        }
        return disk;
    }

    @Override
    public void bindTo(final MeterRegistry registry)
    {
        disk(registry, "journal", DiskUsage::journalBytes);
        disk(registry, "journal.reserved", DiskUsage::journalReservedBytes);
        disk(registry, "checkpoints", DiskUsage::checkpointBytes);
        disk(registry, "index.maps", DiskUsage::indexMapBytes);
        disk(registry, "history.index", DiskUsage::historyIndexBytes);
        disk(registry, "history.anchors", DiskUsage::historyAnchorBytes);
        disk(registry, "other", DiskUsage::otherBytes);
        disk(registry, "total", DiskUsage::totalBytes);
        Gauge.builder("engram.disk.live.state.bytes", this, binder -> value(binder.disk(), DiskUsage::liveStateBytes))
            .tags(tags).baseUnit("bytes").strongReference(true).register(registry);
        histogram(registry, "engram.append.latency", MetricsSnapshot::appendLatency);
        histogram(registry, "engram.journal.write.lag", MetricsSnapshot::writeLag);
        histogram(registry, "engram.apply.lag", MetricsSnapshot::applyLag);
        histogram(registry, "engram.journal.sync.latency", MetricsSnapshot::syncLatency);
        histogram(registry, "engram.checkpoint.duration", MetricsSnapshot::checkpointDuration);
        gauge(registry, "engram.version.written", s -> s.writtenVersion());
        gauge(registry, "engram.version.synced", s -> s.syncedVersion());
        gauge(registry, "engram.version.applied", s -> s.appliedVersion());
        gauge(registry, "engram.journal.bytes", s -> s.bytesWritten());
        gauge(registry, "engram.journal.syncs", s -> s.syncs());
        gauge(registry, "engram.checkpoints", s -> s.checkpoints());
        gauge(registry, "engram.checkpoints.delta", s -> s.deltaCheckpoints());
        gauge(registry, "engram.checkpoint.compression.ratio", MetricsSnapshot::lastCompressionRatio);
        gauge(registry, "engram.ring.occupancy", s -> s.ringOccupancy());
        gauge(registry, "engram.backpressure.events", s -> s.backPressureEvents());
        gauge(registry, "engram.heap.frames", s -> s.heapFrames());
        gauge(registry, "engram.recovery.seconds", s -> s.recoveryNs() / 1e9);
        gauge(registry, "engram.offheap.overlay.reserved.bytes", s -> s.overlayMemoryReserved());
        gauge(registry, "engram.offheap.overlay.used.bytes", s -> s.overlayMemoryUsed());
        gauge(registry, "engram.offheap.overlay.peak.bytes", s -> s.overlayMemoryPeak());
        gauge(registry, "engram.offheap.checkpoint.build.reserved.bytes", s -> s.checkpointBuildMemoryReserved());
        gauge(registry, "engram.offheap.checkpoint.build.peak.bytes", s -> s.checkpointBuildMemoryPeak());
        gauge(registry, "engram.quarantined.keys", s -> s.quarantinedKeys());
    }

    private void gauge(final MeterRegistry registry, final String name, final ToDoubleFunction<MetricsSnapshot> value)
    {
        Gauge.builder(name, this, binder -> value.applyAsDouble(binder.snapshot())).tags(tags).strongReference(true)
            .register(registry);
    }

    /** {@code engram.disk.bytes{part=...}}: {@link Engram#diskUsage()} by part (measured at most every 10 s). */
    private void disk(final MeterRegistry registry, final String part, final ToLongFunction<DiskUsage> value)
    {
        Gauge.builder("engram.disk.bytes", this, binder -> value(binder.disk(), value)).tags(tags).tag("part", part)
            .baseUnit("bytes").strongReference(true).register(registry);
    }

    private static double value(final DiskUsage disk, final ToLongFunction<DiskUsage> value)
    {
        return disk == null ? Double.NaN : value.applyAsLong(disk);
    }

    private void histogram(
        final MeterRegistry registry, final String name, final java.util.function.Function<MetricsSnapshot, Histogram> histogram)
    {
        for (final double percentile : new double[] {50, 99, 99.9, 99.99})
        {
            Gauge.builder(name, this, binder -> histogram.apply(binder.snapshot()).getValueAtPercentile(percentile) / 1e9)
                .tags(tags).tag("percentile", Double.toString(percentile / 100)).baseUnit("seconds").strongReference(true)
                .register(registry);
        }
        Gauge.builder(name + ".max", this, binder -> histogram.apply(binder.snapshot()).getMaxValue() / 1e9)
            .tags(tags).baseUnit("seconds").strongReference(true).register(registry);
        Gauge.builder(name + ".count", this, binder -> histogram.apply(binder.snapshot()).getTotalCount())
            .tags(tags).strongReference(true).register(registry);
    }
}
