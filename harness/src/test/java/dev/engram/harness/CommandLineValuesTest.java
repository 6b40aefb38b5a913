package dev.engram.harness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class CommandLineValuesTest
{
    @Test
    void shouldParseCountsWithDecimalAndSizesWithBinarySuffixes()
    {
        assertEquals(500_000, CommandLineValues.count("--rate", "500k"));
        assertEquals(2_000_000, CommandLineValues.count("--rate", "2m"));
        assertEquals(1_000_000, CommandLineValues.count("--tail", "1_000_000"));
        assertEquals(1_000_000, CommandLineValues.count("--tail", "1,000,000"));
        assertEquals(256L << 20, CommandLineValues.bytes("--state", "256m"));
        assertEquals(1L << 30, CommandLineValues.bytes("--state", "1GiB"));
        assertEquals(64 << 10, CommandLineValues.intBytes("--value", "64k"));
        assertEquals(4096, CommandLineValues.intBytes("--value", "4096"));
        assertEquals(2.5, CommandLineValues.number("--seconds", "2.5"));
    }

    @Test
    void shouldNameTheOptionAndTheValueWhenInputIsBad()
    {
        final IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> CommandLineValues.count("--rate", "fast"));
        assertTrue(bad.getMessage().contains("--rate") && bad.getMessage().contains("fast"), bad.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CommandLineValues.bytes("--state", "-1g"));
        assertThrows(IllegalArgumentException.class, () -> CommandLineValues.intCount("--tail", "3000m"));
        assertThrows(IllegalArgumentException.class, () -> CommandLineValues.number("--seconds", "x"));
        assertThrows(IllegalArgumentException.class, () -> CommandLineValues.value(new String[] {"--rate"}, 1, "--rate"));
    }
}
