package dev.engram.engine;

import dev.engram.engine.micrometer.EngramMeterBinder;
import dev.engram.journal.SyncPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class EngramMetricsTest
{
    @TempDir
    Path dir;

    @Test
    void shouldRecordEveryHistogramAndWriteIntervalLogsHdrHistogramCanRead() throws Exception
    {
        final Path log = dir.resolve("metrics.hlog");
        final EngramContext ctx = new EngramContext().syncPolicy(SyncPolicy.ALWAYS).checkpointIntervalMs(0).compress(true);
        ctx.state().snapshotIndex(false);
        final long last;
        try (Engram engram = Engram.open(dir.resolve("state"), ctx))
        {
            engram.metrics().startIntervalLog(log, 50);
            long v = 0;
            for (int i = 0; i < 20_000; i++)
            {
                v = engram.delta().put("user/" + (i % 500), new byte[100]).commit();
            }
            assertTrue(engram.awaitSynced(v, 60, TimeUnit.SECONDS));
            assertTrue(engram.awaitApplied(v, 60, TimeUnit.SECONDS));
            engram.checkpoint();
            last = v;
            final MetricsSnapshot snapshot = engram.metrics().snapshot();
            assertEquals(20_000, snapshot.appendLatency().getTotalCount());
            assertTrue(snapshot.syncLatency().getTotalCount() >= 1);
            assertTrue(snapshot.syncs() >= 1);
            assertEquals(1, snapshot.checkpointDuration().getTotalCount());
            assertTrue(snapshot.checkpointBytes().getMaxValue() > 0);
            assertTrue(snapshot.lastCompressionRatio() > 1.0, "zstd on repetitive values");
            assertEquals(last, snapshot.writtenVersion());
            assertTrue(snapshot.bytesWritten() > 20_000 * 100L);
            assertTrue(snapshot.recoveryNs() > 0);
            assertTrue(snapshot.overlayMemoryReserved() > 0 && snapshot.overlayMemoryUsed() > 0, snapshot.describe());
            assertTrue(snapshot.overlayMemoryPeak() >= snapshot.overlayMemoryReserved());
            assertTrue(snapshot.checkpointBuildMemoryPeak() > 0, "the checkpoint's build was counted");
            assertEquals(0, snapshot.checkpointBuildMemoryReserved(), "no build in progress");

            final SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new EngramMeterBinder(engram).bindTo(registry);
            assertEquals(last, registry.get("engram.version.written").gauge().value());
            assertEquals(20_000, registry.get("engram.append.latency.count").gauge().value());
            assertTrue(registry.get("engram.offheap.overlay.reserved.bytes").gauge().value() > 0);
            assertTrue(registry.get("engram.offheap.checkpoint.build.peak.bytes").gauge().value() > 0);
            // disk by part: the journal holds the 20,000 deltas, the checkpoint its file; the parts add up to the total
            final double journal = registry.get("engram.disk.bytes").tag("part", "journal").gauge().value();
            final double checkpoints = registry.get("engram.disk.bytes").tag("part", "checkpoints").gauge().value();
            assertTrue(journal >= 20_000 * 100 && checkpoints > 0, "journal " + journal + ", checkpoints " + checkpoints);
            final dev.engram.recovery.DiskUsage disk = engram.diskUsage();
            assertEquals(disk.totalBytes(), disk.journalBytes() + disk.journalReservedBytes() + disk.checkpointBytes() +
                disk.indexMapBytes() + disk.historyIndexBytes() + disk.historyAnchorBytes() + disk.otherBytes());
            assertTrue(disk.liveStateBytes() >= 500 * 100, "the checkpoint's 500 keys of 100 bytes: " + disk.describe());
            assertEquals(disk.liveStateBytes(), registry.get("engram.disk.live.state.bytes").gauge().value());
            assertEquals(0, snapshot.heapFrames(), "100-byte deltas travel inline");

            // over a quarter of the 16 MiB arena: the one kind of delta still copied to the heap
            final long big = engram.delta().put("big", new byte[5 << 20]).commit();
            assertTrue(engram.awaitWritten(big, 60, TimeUnit.SECONDS));
            assertEquals(1, engram.metrics().snapshot().heapFrames());
        }
        final Set<String> tags = new HashSet<>();
        long appends = 0;
        try (HistogramLogReader reader = new HistogramLogReader(log.toFile()))
        {
            Histogram h;
            while ((h = (Histogram)reader.nextIntervalHistogram()) != null)
            {
                tags.add(h.getTag());
                if ("append".equals(h.getTag()))
                {
                    appends += h.getTotalCount();
                }
            }
        }
        assertTrue(tags.containsAll(Set.of("append", "writeLag", "applyLag", "sync", "checkpointDuration", "checkpointBytes")), tags.toString());
        assertTrue(appends > 0 && appends <= 20_001, "appends in the log: " + appends);
    }

    @Test
    void shouldKeepItsGaugesWhenOnlyTheRegistryHoldsTheBinder() throws Exception
    {
        final EngramContext ctx = new EngramContext().checkpointIntervalMs(0);
        ctx.state().snapshotIndex(false);
        try (Engram engram = Engram.open(dir.resolve("state"), ctx))
        {
            final long v = engram.delta().put("k", new byte[8]).commit();
            assertTrue(engram.awaitWritten(v, 60, TimeUnit.SECONDS));
            final SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new EngramMeterBinder(engram).bindTo(registry);   // the usual idiom: nobody keeps the binder
            for (int i = 0; i < 3; i++)
            {
                System.gc();   // Micrometer holds a gauge's object weakly unless asked not to
            }
            assertEquals(v, registry.get("engram.version.written").gauge().value());
            assertEquals(0, registry.get("engram.heap.frames").gauge().value());
        }
    }

    @Test
    void shouldCountQuarantinedKeysInTheMetricsAndTheMeterRegistry() throws Exception
    {
        final EngramContext ctx = new EngramContext().checkpointIntervalMs(0);
        ctx.state().snapshotIndex(false);
        try (Engram engram = Engram.open(dir.resolve("state"), ctx))
        {
            final SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new EngramMeterBinder(engram).bindTo(registry);
            // a PATCH past the largest value, as engines that did not check patch() offsets wrote them
            final dev.engram.journal.Delta delta = engram.newDelta().patch("bad", 0, new byte[] {1});
            final java.lang.reflect.Field buffer = dev.engram.journal.Delta.class.getDeclaredField("buffer");
            final java.lang.reflect.Field lastOp = dev.engram.journal.Delta.class.getDeclaredField("lastOpOffset");
            buffer.setAccessible(true);
            lastOp.setAccessible(true);
            ((org.agrona.MutableDirectBuffer)buffer.get(delta)).putLong(lastOp.getInt(delta) +
                dev.engram.journal.DeltaFrameDescriptor.OP_PATCH_OFFSET_OFFSET,
                dev.engram.journal.DeltaFrameDescriptor.MAX_VALUE_LENGTH, java.nio.ByteOrder.LITTLE_ENDIAN);
            final long v = engram.append(delta);
            assertTrue(engram.awaitApplied(v, 60, TimeUnit.SECONDS));
            assertEquals(1, engram.metrics().snapshot().quarantinedKeys());
            assertEquals("bad", engram.quarantinedKeys().get(0).key());
            assertThrows(dev.engram.recovery.QuarantinedKeyException.class, () -> engram.get("bad"));
            assertTrue(engram.metrics().snapshot().describe().contains("quarantined keys=1"));
            assertNotNull(registry.find("engram.quarantined.keys").gauge(), "a Micrometer gauge");
        }
    }
}
