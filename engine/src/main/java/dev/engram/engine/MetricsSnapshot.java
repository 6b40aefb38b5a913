package dev.engram.engine;

import org.HdrHistogram.Histogram;

/**
 * A point-in-time copy of an engine's metrics. Histograms are in nanoseconds except
 * {@code checkpointBytes} (bytes); each holds everything recorded since the engine opened.
 *
 * @param appendLatency      caller-side latency of {@link Engram#append} (ns).
 * @param writeLag           append → written in the mapped journal, sampled about 1,000 times a second (ns).
 * @param applyLag           append → visible to readers, sampled likewise (ns).
 * @param syncLatency        each fsync of the journal (ns).
 * @param checkpointDuration each checkpoint build (ns).
 * @param checkpointBytes    each checkpoint's file size (bytes).
 * @param writtenVersion     highest version written.
 * @param syncedVersion      highest version synced.
 * @param appliedVersion     highest version readers see.
 * @param bytesWritten       journal frame bytes written since open.
 * @param syncs              forces done.
 * @param checkpoints        checkpoints published since open.
 * @param deltaCheckpoints   of those, incremental ones.
 * @param lastCompressionRatio raw / stored bytes of the last checkpoint (1.0 uncompressed).
 * @param ringOccupancy      deltas in the ring not yet written.
 * @param backPressureEvents times a producer found the ring (or its arena, for a delta longer than a slot) full.
 * @param heapFrames         deltas copied to a heap array because they fit neither a ring slot nor the arena
 *                           (the only appends that allocate; see {@code JournalContext.ringArenaLength}).
 * @param recoveryNs         how long the open's recovery took.
 * @param overlayMemoryReserved off-heap bytes reserved by the overlays (the live generation and replaced ones a
 *                           reader still holds): tables, entries, value blocks in use or free for reuse.
 * @param overlayMemoryUsed  of those, bytes holding entries, values and current tables.
 * @param overlayMemoryPeak  highest {@code overlayMemoryReserved} since open.
 * @param checkpointBuildMemoryReserved off-heap bytes of the checkpoint build in progress (0 between builds).
 * @param checkpointBuildMemoryPeak highest {@code checkpointBuildMemoryReserved} since open.
 * @param quarantinedKeys    keys quarantined since open (frames that could not be applied; see
 *                           {@code Engram.quarantinedKeys()}).
 */
public record MetricsSnapshot(
    Histogram appendLatency,
    Histogram writeLag,
    Histogram applyLag,
    Histogram syncLatency,
    Histogram checkpointDuration,
    Histogram checkpointBytes,
    long writtenVersion,
    long syncedVersion,
    long appliedVersion,
    long bytesWritten,
    long syncs,
    long checkpoints,
    long deltaCheckpoints,
    double lastCompressionRatio,
    long ringOccupancy,
    long backPressureEvents,
    long heapFrames,
    long recoveryNs,
    long overlayMemoryReserved,
    long overlayMemoryUsed,
    long overlayMemoryPeak,
    long checkpointBuildMemoryReserved,
    long checkpointBuildMemoryPeak,
    long quarantinedKeys)
{
    /**
     * Without the off-heap figures (0): for snapshots written before they existed (e.g. the demo's progress files).
     */
    public MetricsSnapshot(final Histogram appendLatency, final Histogram writeLag, final Histogram applyLag,
        final Histogram syncLatency, final Histogram checkpointDuration, final Histogram checkpointBytes,
        final long writtenVersion, final long syncedVersion, final long appliedVersion, final long bytesWritten,
        final long syncs, final long checkpoints, final long deltaCheckpoints, final double lastCompressionRatio,
        final long ringOccupancy, final long backPressureEvents, final long heapFrames, final long recoveryNs)
    {
        this(appendLatency, writeLag, applyLag, syncLatency, checkpointDuration, checkpointBytes, writtenVersion,
            syncedVersion, appliedVersion, bytesWritten, syncs, checkpoints, deltaCheckpoints, lastCompressionRatio,
            ringOccupancy, backPressureEvents, heapFrames, recoveryNs, 0, 0, 0, 0, 0, 0);
    }

    /**
     * @return a short human summary with percentiles in microseconds.
     */
    public String describe()
    {
        return String.format(
            "append %s%nwrite lag %s%napply lag %s%nsync %s%ncheckpoint %s, %d published (%d delta), last ratio %.2f%n" +
            "versions written=%d synced=%d applied=%d, %d bytes, ring=%d, back-pressure=%d, heap frames=%d, recovery %.1f ms%n" +
            "off-heap overlay reserved=%d used=%d peak=%d, checkpoint build reserved=%d peak=%d, quarantined keys=%d",
            percentiles(appendLatency), percentiles(writeLag), percentiles(applyLag), percentiles(syncLatency),
            percentiles(checkpointDuration), checkpoints, deltaCheckpoints, lastCompressionRatio,
            writtenVersion, syncedVersion, appliedVersion, bytesWritten, ringOccupancy, backPressureEvents, heapFrames, recoveryNs / 1e6,
            overlayMemoryReserved, overlayMemoryUsed, overlayMemoryPeak, checkpointBuildMemoryReserved, checkpointBuildMemoryPeak,
            quarantinedKeys);
    }

    static String percentiles(final Histogram h)
    {
        if (h.getTotalCount() == 0)
        {
            return "n=0";
        }
        return String.format("n=%d p50=%.2fus p99=%.2fus p99.9=%.2fus p99.99=%.2fus max=%.2fus", h.getTotalCount(),
            h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
            h.getValueAtPercentile(99.99) / 1e3, h.getMaxValue() / 1e3);
    }
}
