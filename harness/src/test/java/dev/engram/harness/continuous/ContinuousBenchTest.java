package dev.engram.harness.continuous;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code bench continuous} in miniature: it ships while the producer appends, samples the RPO lag, and prints every
 * phase and the result line (no figure is asserted: a loaded machine moves them all).
 */
class ContinuousBenchTest
{
    @TempDir
    Path dir;

    @Test
    void shouldShipWhileAppendingAndReportTheLagAndEveryPhase() throws Exception
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ContinuousBench.Shipping shipping;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            shipping = ContinuousBench.run(new String[] {"--keys", "2000", "--value", "100", "--rate", "2000",
                "--seconds", "1.5", "--warmup", "0.2", "--interval-ms", "100", "--sample-ms", "5", "--dir", dir.toString()}, out);
        }
        final String printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(shipping.backups() >= 1, printed);
        assertEquals(0, shipping.failures(), printed);
        assertTrue(shipping.shippedVersion() > 20, "a backup made while appending holds appended versions: " + printed);
        assertTrue(shipping.shippedVersion() <= shipping.writtenVersion(), printed);
        assertTrue(shipping.rpoMs().getTotalCount() > 0, printed);
        assertTrue(shipping.repositoryBytes() > 2000 * 100, "the base backup holds the state: " + printed);
        for (final String line : new String[] {"without shipping", "with shipping every 100 ms", "without shipping, again (warm)",
            "RPO lag while shipping", "RESULT interval 100 ms"})
        {
            assertTrue(printed.contains(line), line + " in:\n" + printed);
        }
        assertThrows(IllegalArgumentException.class, () -> ContinuousBench.run(new String[] {"--interval-ms", "0"}, System.out));
        assertThrows(IllegalArgumentException.class, () -> ContinuousBench.run(new String[] {"--bogus"}, System.out));
    }
}
