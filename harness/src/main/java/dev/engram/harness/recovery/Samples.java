package dev.engram.harness.recovery;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A handful of repeated measurements (one per fresh JVM): min, median and max, never a lone mean.
 */
public final class Samples
{
    private final List<Long> sorted;

    public Samples(final List<Long> values)
    {
        if (values.isEmpty())
        {
            throw new IllegalArgumentException("no samples");
        }
        final List<Long> copy = new ArrayList<>(values);
        Collections.sort(copy);
        this.sorted = List.copyOf(copy);
    }

    public static Samples of(final List<Map<String, String>> records, final ToLongFunction<Map<String, String>> value)
    {
        final List<Long> values = new ArrayList<>();
        for (final Map<String, String> record : records)
        {
            values.add(value.applyAsLong(record));
        }
        return new Samples(values);
    }

    public static long get(final Map<String, String> record, final String key)
    {
        final String value = record.get(key);
        if (value == null)
        {
            throw new IllegalStateException("record has no " + key + ": " + record);
        }
        return Long.parseLong(value);
    }

    public long min()
    {
        return sorted.get(0);
    }

    public long max()
    {
        return sorted.get(sorted.size() - 1);
    }

    /** Lower median for an even count (a value that was measured). */
    public long median()
    {
        return sorted.get((sorted.size() - 1) / 2);
    }

    public int count()
    {
        return sorted.size();
    }

    /** @return "min / median / max" of nanosecond samples, in ms. */
    public String nsAsMs()
    {
        return ms(min()) + " / " + ms(median()) + " / " + ms(max());
    }

    /** @return "min / median / max" of millisecond samples. */
    public String msAsMs()
    {
        return min() + " / " + median() + " / " + max();
    }

    public static String ms(final long ns)
    {
        final double ms = ns / 1e6;
        return ms < 10 ? String.format("%.1f", ms) : String.format("%,.0f", ms);
    }
}
