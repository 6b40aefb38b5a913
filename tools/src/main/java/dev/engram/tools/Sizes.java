package dev.engram.tools;

import java.time.Instant;
import java.util.Locale;

/**
 * How the CLI prints sizes, counts and times.
 */
final class Sizes
{
    private Sizes()
    {
    }

    static String bytes(final long bytes)
    {
        if (bytes < 1024)
        {
            return bytes + " B";
        }
        final String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static String count(final long count)
    {
        return String.format(Locale.ROOT, "%,d", count);
    }

    static String time(final long epochNs)
    {
        return epochNs < 0 ? "-" : Instant.ofEpochSecond(0, epochNs).toString();
    }

    static String timeMs(final long epochMs)
    {
        return epochMs <= 0 ? "-" : Instant.ofEpochMilli(epochMs).toString();
    }
}
