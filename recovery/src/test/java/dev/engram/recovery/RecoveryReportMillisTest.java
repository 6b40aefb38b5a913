package dev.engram.recovery;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The open's INFO line gives the time to ready with one decimal, formatted by hand (String.format's first {@code %.1f}
 * in a JVM loads the locale data on the ready path): same digits as {@code %.1f} would print.
 */
class RecoveryReportMillisTest
{
    @Test
    void shouldRoundToOneDecimalLikePercentPointOneF()
    {
        for (final long ns : new long[] {0, 49_999, 50_000, 1_234_567, 1_250_000, 999_950_000, 12_345_678_901L})
        {
            assertEquals(String.format(java.util.Locale.ROOT, "%.1f", ns / 1e6), RecoveryReport.millis(ns), "ns=" + ns);
        }
    }
}
