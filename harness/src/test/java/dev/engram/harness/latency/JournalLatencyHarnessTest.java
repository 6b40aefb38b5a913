package dev.engram.harness.latency;

import dev.engram.bench.AppendPayload;
import dev.engram.bench.RawChronicleQueue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalLatencyHarnessTest
{
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldWriteEveryVersionAndRecordEveryAppendWhenRunBriefly(@TempDir final Path dir) throws Exception
    {
        final long rate = 20_000;
        final JournalLatencyHarness.Settings settings =
            new JournalLatencyHarness.Settings(rate, 0.05, 0.2, new int[]{1, 2}, 50_000, 1024, AppendPayload.FRAME_LENGTH, -1, dir,
                false);
        final ByteArrayOutputStream printed = new ByteArrayOutputStream();

        final JournalLatencyHarness.Report report =
            JournalLatencyHarness.run(settings, new PrintStream(printed, true, StandardCharsets.UTF_8));

        final String output = printed.toString(StandardCharsets.UTF_8);
        assertTrue(report.selfChecksPassed(), output);
        assertEquals(8, report.latency().size(), output);
        for (final LatencyResult result : report.latency())
        {
            assertTrue(result.check().passed(), result.check().detail());
            assertEquals(result.measuredAppends(), result.latencyNs().getTotalCount(), result.target());
            // 0.25 s on a 20k/s schedule: 5,000 appends, 4,000 of them in the measured window
            assertEquals(5_000, result.appends(), result.target());
            assertEquals(4_000, result.measuredAppends(), result.target());
            assertTrue(result.latencyNs().getMinValue() >= result.serviceNs().getMinValue(), result.target());
        }
        assertEquals(6, report.throughput().size(), output);
        for (final ThroughputResult result : report.throughput())
        {
            assertTrue(result.check().passed(), result.check().detail());
            assertEquals(50_000, result.appends());
            assertTrue(result.writtenNs() >= result.appendNs(), result.target());
        }
        assertTrue(output.contains("ALL SELF-CHECKS PASSED"), output);
        assertFalse(report.targets().isEmpty(), output);
        try (Stream<Path> left = Files.list(dir))
        {
            assertEquals(0, left.count(), "every run's queue directory is deleted afterwards");
        }
    }

    @Test
    void shouldFailTheSelfCheckWhenAnAppendIsMissing(@TempDir final Path dir) throws Exception
    {
        try (EngramAppendTarget target = new EngramAppendTarget(dir, 1024))
        {
            final long lastId;
            try (AppendTarget.ProducerAppender appender = target.newProducerAppender())
            {
                appender.append();
                lastId = appender.append();
            }
            assertTrue(target.awaitWrittenNs(lastId, TimeUnit.SECONDS.toNanos(10)) != -1);

            assertTrue(target.verify(2, lastId).passed());
            assertFalse(target.verify(3, lastId).passed(), "a claimed third append that never landed must fail the check");
        }
    }

    @Test
    void shouldKeepTheJournalUnlockModeWhenOpeningTheRawBaselineQueue(@TempDir final Path dir)
    {
        dev.engram.journal.EngramSystemProperties.apply();
        final String mode = System.getProperty(dev.engram.journal.EngramSystemProperties.FORCE_UNLOCK_MODE);

        try (var queue = RawChronicleQueue.open(dir); var appender = queue.createAppender())
        {
            appender.writeBytes(net.openhft.chronicle.bytes.BytesStore.wrap(AppendPayload.rawBytes()));
            assertEquals(0, appender.lastIndexAppended() & 0xFFFF_FFFFL, "first excerpt of the cycle");
        }

        assertEquals(mode, System.getProperty(dev.engram.journal.EngramSystemProperties.FORCE_UNLOCK_MODE));
    }

    @Test
    void shouldAppendFramesOfTheChosenLengthThroughTheArenaOrTheHeap(@TempDir final Path dir) throws Exception
    {
        for (final int arena : new int[]{-1, 0})
        {
            try (EngramAppendTarget target = new EngramAppendTarget(dir.resolve("arena" + arena), 1024, 2048, arena))
            {
                long lastId;
                try (AppendTarget.ProducerAppender appender = target.newProducerAppender())
                {
                    // the journal thread allocates the arena before it writes: once the first is written, it is there
                    lastId = appender.append();
                    assertTrue(target.awaitWrittenNs(lastId, TimeUnit.SECONDS.toNanos(10)) != -1);
                    for (int i = 0; i < 10; i++)
                    {
                        lastId = appender.append();
                    }
                }
                assertTrue(target.awaitWrittenNs(lastId, TimeUnit.SECONDS.toNanos(10)) != -1);
                final AppendTarget.SelfCheck check = target.verify(11, lastId);
                assertTrue(check.passed(), check.detail());
                assertTrue(arena == 0 ? check.detail().endsWith("copied to the heap=11") :
                    check.detail().endsWith("heap=0") || check.detail().endsWith("heap=1"), check.detail());
            }
        }
        try (ChronicleAppendTarget raw = new ChronicleAppendTarget(dir.resolve("raw"), ChronicleAppendTarget.Api.WRITE_BYTES, 2048))
        {
            try (AppendTarget.ProducerAppender appender = raw.newProducerAppender())
            {
                appender.append();
            }
            assertTrue(raw.verify(1, 0).passed(), "a 2,048-byte excerpt");
        }
    }

    @Test
    void shouldParseCountsWithSuffixes()
    {
        final JournalLatencyHarness.Settings settings = JournalLatencyHarness.Settings.parse(
            new String[]{"--rate", "250k", "--seconds", "2", "--producers", "2", "--throughput-deltas", "3m", "--frame", "2k",
                "--ring-arena", "0"});

        assertEquals(250_000, settings.rate());
        assertEquals(2.0, settings.seconds());
        assertEquals(1, settings.producerCounts().length);
        assertEquals(2, settings.producerCounts()[0]);
        assertEquals(3_000_000, settings.throughputDeltas());
        assertEquals(2048, settings.frameLength());
        assertEquals(0, settings.ringArenaLength());
        assertEquals(AppendPayload.FRAME_LENGTH, JournalLatencyHarness.Settings.parse(new String[0]).frameLength());
    }
}
