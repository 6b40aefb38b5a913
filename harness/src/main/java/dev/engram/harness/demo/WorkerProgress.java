package dev.engram.harness.demo;

import dev.engram.engine.MetricsSnapshot;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.Properties;
import java.util.zip.DataFormatException;

/**
 * What the worker last told the parent: steps committed, time spent stepping and the engine's metrics
 * (histograms included, HdrHistogram's compressed encoding in Base64), as a properties file the worker
 * replaces atomically (temp file, then rename) a few times a second.
 *
 * @param steps     steps committed by this worker.
 * @param elapsedNs time since its first paced step.
 * @param metrics   the engine's metrics at that moment (totals since open).
 */
public record WorkerProgress(long steps, long elapsedNs, MetricsSnapshot metrics)
{
    private static final String[] HISTOGRAMS = {
        "appendLatency", "writeLag", "applyLag", "syncLatency", "checkpointDuration", "checkpointBytes"};

    /** @return steps per second over the elapsed time (0 before any). */
    public double stepsPerSecond()
    {
        return elapsedNs <= 0 ? 0 : steps * 1e9 / elapsedNs;
    }

    void writeAtomically(final Path file) throws IOException
    {
        final Properties p = new Properties();
        p.setProperty("steps", Long.toString(steps));
        p.setProperty("elapsedNs", Long.toString(elapsedNs));
        final Histogram[] histograms = histograms(metrics);
        for (int i = 0; i < HISTOGRAMS.length; i++)
        {
            p.setProperty(HISTOGRAMS[i], encode(histograms[i]));
        }
        p.setProperty("writtenVersion", Long.toString(metrics.writtenVersion()));
        p.setProperty("syncedVersion", Long.toString(metrics.syncedVersion()));
        p.setProperty("appliedVersion", Long.toString(metrics.appliedVersion()));
        p.setProperty("bytesWritten", Long.toString(metrics.bytesWritten()));
        p.setProperty("syncs", Long.toString(metrics.syncs()));
        p.setProperty("checkpoints", Long.toString(metrics.checkpoints()));
        p.setProperty("deltaCheckpoints", Long.toString(metrics.deltaCheckpoints()));
        p.setProperty("lastCompressionRatio", Double.toString(metrics.lastCompressionRatio()));
        p.setProperty("ringOccupancy", Long.toString(metrics.ringOccupancy()));
        p.setProperty("backPressureEvents", Long.toString(metrics.backPressureEvents()));
        p.setProperty("heapFrames", Long.toString(metrics.heapFrames()));
        p.setProperty("recoveryNs", Long.toString(metrics.recoveryNs()));
        final Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.ISO_8859_1))
        {
            p.store(out, "engram demo worker progress");
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * @return the progress in {@code file}, or null if the worker has not written any yet.
     */
    static WorkerProgress read(final Path file) throws IOException
    {
        if (!Files.exists(file))
        {
            return null;
        }
        final Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1))
        {
            p.load(in);
        }
        final Histogram[] h = new Histogram[HISTOGRAMS.length];
        for (int i = 0; i < HISTOGRAMS.length; i++)
        {
            h[i] = decode(file, HISTOGRAMS[i], p.getProperty(HISTOGRAMS[i]));
        }
        final MetricsSnapshot metrics = new MetricsSnapshot(h[0], h[1], h[2], h[3], h[4], h[5],
            longOf(p, "writtenVersion"), longOf(p, "syncedVersion"), longOf(p, "appliedVersion"),
            longOf(p, "bytesWritten"), longOf(p, "syncs"), longOf(p, "checkpoints"), longOf(p, "deltaCheckpoints"),
            Double.parseDouble(p.getProperty("lastCompressionRatio")), longOf(p, "ringOccupancy"),
            longOf(p, "backPressureEvents"), longOf(p, "heapFrames"), longOf(p, "recoveryNs"));
        return new WorkerProgress(longOf(p, "steps"), longOf(p, "elapsedNs"), metrics);
    }

    private static Histogram[] histograms(final MetricsSnapshot m)
    {
        return new Histogram[] {
            m.appendLatency(), m.writeLag(), m.applyLag(), m.syncLatency(), m.checkpointDuration(), m.checkpointBytes()};
    }

    private static String encode(final Histogram histogram)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        final int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    private static Histogram decode(final Path file, final String name, final String base64) throws IOException
    {
        if (base64 == null)
        {
            throw new IOException("progress file=" + file + " has no histogram " + name);
        }
        try
        {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        }
        catch (final DataFormatException ex)
        {
            throw new IOException("progress file=" + file + ": histogram " + name + " cannot be decoded", ex);
        }
    }

    private static long longOf(final Properties p, final String name)
    {
        return Long.parseLong(p.getProperty(name, "0"));
    }
}
