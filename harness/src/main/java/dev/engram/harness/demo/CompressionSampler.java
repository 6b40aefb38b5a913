package dev.engram.harness.demo;

import com.github.luben.zstd.Zstd;
import dev.engram.recovery.StateContext;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How well each kind of value compresses, measured the way a checkpoint compresses: a sample of the kind's
 * values laid end to end, cut into blocks of {@link StateContext#BLOCK_LENGTH_DEFAULT} bytes, each block
 * zstd-compressed at level {@link StateContext#ZSTD_LEVEL_DEFAULT}. Float weights compress poorly, text-like
 * records well, so one average would say little. Single-threaded.
 */
public final class CompressionSampler
{
    private final long maxBytesPerKind;
    private final Map<String, Sample> samples = new LinkedHashMap<>();

    /** @param maxBytesPerKind values of a kind beyond this many bytes are not sampled. */
    CompressionSampler(final long maxBytesPerKind)
    {
        this.maxBytesPerKind = maxBytesPerKind;
    }

    /** Add one value of {@code kind} to its sample (ignored once the sample is full). */
    void add(final String kind, final byte[] value)
    {
        final Sample sample = samples.computeIfAbsent(kind, k -> new Sample());
        if (sample.bytes.size() + (long)value.length <= maxBytesPerKind || sample.values == 0)
        {
            sample.bytes.write(value, 0, value.length);
            sample.values++;
        }
    }

    /** @return one ratio per kind, in the order the kinds were first added. */
    List<KindRatio> ratios()
    {
        final List<KindRatio> ratios = new ArrayList<>();
        samples.forEach((kind, sample) ->
        {
            final byte[] raw = sample.bytes.toByteArray();
            long compressed = 0;
            for (int offset = 0; offset < raw.length; offset += StateContext.BLOCK_LENGTH_DEFAULT)
            {
                final int length = Math.min(StateContext.BLOCK_LENGTH_DEFAULT, raw.length - offset);
                final byte[] block = java.util.Arrays.copyOfRange(raw, offset, offset + length);
                compressed += Zstd.compress(block, StateContext.ZSTD_LEVEL_DEFAULT).length;
            }
            ratios.add(new KindRatio(kind, sample.values, raw.length, compressed));
        });
        return ratios;
    }

    /**
     * @param kind            the component kind.
     * @param values          values sampled.
     * @param rawBytes        their bytes.
     * @param compressedBytes their bytes compressed block by block.
     */
    public record KindRatio(String kind, long values, long rawBytes, long compressedBytes)
    {
        public double ratio()
        {
            return compressedBytes == 0 ? 1.0 : (double)rawBytes / compressedBytes;
        }

        String encode()
        {
            return kind + ";" + values + ";" + rawBytes + ";" + compressedBytes;
        }

        static KindRatio decode(final String text)
        {
            final String[] f = text.split(";");
            return new KindRatio(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
        }
    }

    private static final class Sample
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long values;
    }
}
