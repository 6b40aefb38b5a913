package dev.engram.examples.consciousness;

import dev.engram.journal.EngramSystemProperties;
import net.openhft.chronicle.wire.SelfDescribingMarshallable;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One sample of the system's resource use (key {@link ConsciousnessKeys#SYSTEM_METRICS}, replaced by each new
 * sample): cpu, memory, gpu, io, network, processing time and the response time of each component.
 * Stored by {@link ConsciousnessCodecs#SYSTEM_METRICS}, a Chronicle Wire codec. Mutable, not thread-safe.
 */
public final class SystemMetrics extends SelfDescribingMarshallable
{
    static
    {
        EngramSystemProperties.apply();
    }

    private long sampledAtMs;
    private double cpuPercent;
    private long memoryUsedBytes;
    private long memoryTotalBytes;
    private double gpuPercent;
    private long ioReadBytesPerSecond;
    private long ioWriteBytesPerSecond;
    private long networkInBytesPerSecond;
    private long networkOutBytesPerSecond;
    private double processingTimeMs;
    private Map<String, Double> componentResponseMs = new LinkedHashMap<>();

    /** An empty sample (for the codec); fill it with the setters. */
    public SystemMetrics()
    {
    }

    public long sampledAtMs()
    {
        return sampledAtMs;
    }

    /** @param epochMs when the sample was taken. @return this. */
    public SystemMetrics sampledAtMs(final long epochMs)
    {
        this.sampledAtMs = epochMs;
        return this;
    }

    public double cpuPercent()
    {
        return cpuPercent;
    }

    /** @param percent of all cores, [0, 100]. @return this. */
    public SystemMetrics cpuPercent(final double percent)
    {
        this.cpuPercent = percent;
        return this;
    }

    public long memoryUsedBytes()
    {
        return memoryUsedBytes;
    }

    public long memoryTotalBytes()
    {
        return memoryTotalBytes;
    }

    /** @param usedBytes memory in use. @param totalBytes memory installed. @return this. */
    public SystemMetrics memory(final long usedBytes, final long totalBytes)
    {
        this.memoryUsedBytes = usedBytes;
        this.memoryTotalBytes = totalBytes;
        return this;
    }

    public double gpuPercent()
    {
        return gpuPercent;
    }

    /** @param percent gpu utilisation, [0, 100]. @return this. */
    public SystemMetrics gpuPercent(final double percent)
    {
        this.gpuPercent = percent;
        return this;
    }

    public long ioReadBytesPerSecond()
    {
        return ioReadBytesPerSecond;
    }

    public long ioWriteBytesPerSecond()
    {
        return ioWriteBytesPerSecond;
    }

    /** @param readBytesPerSecond disk reads. @param writeBytesPerSecond disk writes. @return this. */
    public SystemMetrics io(final long readBytesPerSecond, final long writeBytesPerSecond)
    {
        this.ioReadBytesPerSecond = readBytesPerSecond;
        this.ioWriteBytesPerSecond = writeBytesPerSecond;
        return this;
    }

    public long networkInBytesPerSecond()
    {
        return networkInBytesPerSecond;
    }

    public long networkOutBytesPerSecond()
    {
        return networkOutBytesPerSecond;
    }

    /** @param inBytesPerSecond received. @param outBytesPerSecond sent. @return this. */
    public SystemMetrics network(final long inBytesPerSecond, final long outBytesPerSecond)
    {
        this.networkInBytesPerSecond = inBytesPerSecond;
        this.networkOutBytesPerSecond = outBytesPerSecond;
        return this;
    }

    public double processingTimeMs()
    {
        return processingTimeMs;
    }

    /** @param ms mean processing time of a request. @return this. */
    public SystemMetrics processingTimeMs(final double ms)
    {
        this.processingTimeMs = ms;
        return this;
    }

    /** @return response time per component in milliseconds, read-only. */
    public Map<String, Double> componentResponseMs()
    {
        return Collections.unmodifiableMap(componentResponseMs);
    }

    /** @param component a component's name. @param ms its response time. @return this. */
    public SystemMetrics componentResponseMs(final String component, final double ms)
    {
        componentResponseMs.put(component, ms);
        return this;
    }
}
