package dev.engram.journal.internal;

import dev.engram.journal.Delta;
import dev.engram.journal.DeltaFrame;
import dev.engram.journal.FrameHandler;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import dev.engram.journal.JournalReader;
import dev.engram.journal.JournalTestSupport;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The fast scanner reads Chronicle's cycle files directly: it must deliver exactly what the Chronicle tailer
 * delivers (same versions, same cycles, same file positions, same bytes) from the start and after any
 * frame, across rolled cycles, and hand anything unusual back as UNSUPPORTED instead of guessing.
 */
class JournalScannerTest
{
    private static final int CYCLES = 4;
    private static final int PER_CYCLE = 300;

    @TempDir
    Path dir;

    private final AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);

    /** One frame as the reference reader saw it. */
    private record Seen(long version, int cycle, long position, int length, long checksum)
    {
    }

    private JournalContext ctx()
    {
        return JournalTestSupport.smallContext(dir).rollCycle(TestRollCycles.TEST_SECONDLY).epochMsClock(clockMs::get);
    }

    /** Frames of random sizes (an empty value up to several KiB: documents of every alignment), rolled over cycles. */
    private void fill()
    {
        final Random random = new Random(7);
        try (Journal journal = Journal.open(ctx()))
        {
            final Delta delta = journal.newDelta();
            long version = 0;
            for (int c = 0; c < CYCLES; c++)
            {
                for (int i = 0; i < PER_CYCLE; i++)
                {
                    final byte[] value = new byte[random.nextInt(10) == 0 ? random.nextInt(6000) : random.nextInt(40)];
                    random.nextBytes(value);
                    delta.clear().put("key/" + random.nextInt(50), value);
                    if (random.nextBoolean())
                    {
                        delta.delete("gone/" + i);
                    }
                    version = journal.append(delta);
                }
                assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
                clockMs.addAndGet(1000);
            }
        }
    }

    private static Seen seen(final DeltaFrame frame)
    {
        long checksum = 0;
        for (int i = 0; i < frame.buffer().capacity(); i++)
        {
            checksum = checksum * 31 + frame.buffer().getByte(i);
        }
        return new Seen(frame.version(), frame.cycle(), frame.filePosition(), frame.buffer().capacity(), checksum);
    }

    private List<Seen> reference()
    {
        final List<Seen> frames = new ArrayList<>();
        try (Journal journal = Journal.open(ctx()); JournalReader reader = journal.newReader())
        {
            reader.replay(1, f -> frames.add(seen(f)));
        }
        return frames;
    }

    @Test
    void shouldDeliverWhatTheChronicleTailerDeliversFromTheStartAndAfterAnyFrame()
    {
        fill();
        final List<Seen> expected = reference();
        assertEquals(CYCLES * PER_CYCLE, expected.size());
        assertEquals(CYCLES, new TreeSet<>(expected.stream().map(Seen::cycle).toList()).size(), "frames span every cycle");

        final CycleFiles cycles = new CycleFiles(dir, TestRollCycles.TEST_SECONDLY);
        try (JournalMappedFiles mapped = new JournalMappedFiles(cycles))
        {
            final JournalScanner scanner = new JournalScanner(cycles, mapped);
            final List<Seen> all = new ArrayList<>();
            final JournalScanner.Result fromStart = scanner.scanFromStart(f -> all.add(seen(f)));
            assertEquals(JournalScanner.Outcome.COMPLETE, fromStart.outcome(), fromStart.reason());
            assertEquals(expected, all);
            assertEquals(expected.size(), fromStart.framesDelivered());
            assertEquals(expected.size(), fromStart.lastVersion());

            for (final int index : new int[] {0, 1, PER_CYCLE - 1, PER_CYCLE, 2 * PER_CYCLE + 17, expected.size() - 2, expected.size() - 1})
            {
                final Seen hint = expected.get(index);
                final List<Seen> after = new ArrayList<>();
                final JournalScanner.Result result = scanner.scanAfter(hint.cycle(), hint.position(), hint.version(), f -> after.add(seen(f)));
                assertEquals(JournalScanner.Outcome.COMPLETE, result.outcome(), result.reason());
                assertEquals(expected.subList(index + 1, expected.size()), after, "after version " + hint.version());
                assertEquals(expected.size(), result.lastVersion());
            }
        }
    }

    @Test
    void shouldNameCycleFilesAsChronicleDoes()
    {
        fill();
        final List<Seen> expected = reference();
        final CycleFiles cycles = new CycleFiles(dir, TestRollCycles.TEST_SECONDLY);
        final TreeMap<Integer, java.io.File> listed = cycles.list();
        assertEquals(new TreeSet<>(expected.stream().map(Seen::cycle).toList()), listed.navigableKeySet());
        for (final var entry : listed.entrySet())
        {
            assertEquals(entry.getValue(), cycles.fileFor(entry.getKey()));
            assertEquals(entry.getKey(), cycles.cycleOf(entry.getValue().getName()));
        }
        assertEquals(-1, cycles.cycleOf("metadata.cq4t"));
        assertEquals(-1, cycles.cycleOf(listed.firstEntry().getValue().getName() + ".discard"));
        assertEquals(-1, cycles.cycleOf("not-a-date.cq4"));
    }

    @Test
    void shouldReturnUnsupportedForADamagedFrameAndDeliverOnlyWhatCameBefore() throws IOException
    {
        fill();
        final List<Seen> expected = reference();
        final Seen victim = expected.get(PER_CYCLE + 5);
        final CycleFiles cycles = new CycleFiles(dir, TestRollCycles.TEST_SECONDLY);
        flipByte(cycles.fileFor(victim.cycle()).toPath(), victim.position() + victim.length() - 1);
        try (JournalMappedFiles mapped = new JournalMappedFiles(cycles))
        {
            final List<Seen> delivered = new ArrayList<>();
            final JournalScanner.Result result = new JournalScanner(cycles, mapped).scanFromStart(f -> delivered.add(seen(f)));
            assertEquals(JournalScanner.Outcome.UNSUPPORTED, result.outcome());
            assertTrue(result.reason().contains("fails its check"), result.reason());
            assertEquals(expected.subList(0, PER_CYCLE + 5), delivered);
            assertEquals(victim.version() - 1, result.lastVersion());
        }
    }

    @Test
    void shouldRefuseAHintThatDoesNotHoldTheFrameItNames()
    {
        fill();
        final List<Seen> expected = reference();
        final Seen hint = expected.get(100);
        final CycleFiles cycles = new CycleFiles(dir, TestRollCycles.TEST_SECONDLY);
        try (JournalMappedFiles mapped = new JournalMappedFiles(cycles))
        {
            final JournalScanner scanner = new JournalScanner(cycles, mapped);
            final FrameHandler none = f -> fail("nothing may be delivered from a bad hint");
            assertEquals(JournalScanner.Outcome.UNSUPPORTED, scanner.scanAfter(hint.cycle(), hint.position(), hint.version() + 1, none).outcome());
            assertEquals(JournalScanner.Outcome.UNSUPPORTED, scanner.scanAfter(hint.cycle(), hint.position() + 4, hint.version(), none).outcome());
            assertEquals(JournalScanner.Outcome.UNSUPPORTED, scanner.scanAfter(hint.cycle(), hint.position() + 1, hint.version(), none).outcome());
            assertEquals(JournalScanner.Outcome.UNSUPPORTED, scanner.scanAfter(hint.cycle() + 1000, hint.position(), hint.version(), none).outcome());
        }
    }

    @Test
    void shouldStartAtTheNextCycleWhenRetentionRemovedTheHintsCycle() throws IOException
    {
        fill();
        final List<Seen> expected = reference();
        final Seen lastOfFirstCycle = expected.get(PER_CYCLE - 1);
        final Seen middleOfFirstCycle = expected.get(PER_CYCLE / 2);
        assertEquals(lastOfFirstCycle.cycle(), middleOfFirstCycle.cycle());
        assertNotEquals(lastOfFirstCycle.cycle(), expected.get(PER_CYCLE).cycle());
        final CycleFiles cycles = new CycleFiles(dir, TestRollCycles.TEST_SECONDLY);
        java.nio.file.Files.delete(cycles.fileFor(lastOfFirstCycle.cycle()).toPath());
        try (JournalMappedFiles mapped = new JournalMappedFiles(cycles))
        {
            final JournalScanner scanner = new JournalScanner(cycles, mapped);
            final List<Seen> after = new ArrayList<>();
            final JournalScanner.Result result = scanner.scanAfter(lastOfFirstCycle.cycle(), lastOfFirstCycle.position(),
                lastOfFirstCycle.version(), f -> after.add(seen(f)));
            assertEquals(JournalScanner.Outcome.COMPLETE, result.outcome(), result.reason());
            assertEquals(expected.subList(PER_CYCLE, expected.size()), after);
            // from the middle of the removed cycle the next cycle does not continue the versions: refused, nothing delivered
            final JournalScanner.Result gap = scanner.scanAfter(middleOfFirstCycle.cycle(), middleOfFirstCycle.position(),
                middleOfFirstCycle.version(), f -> fail("a gap must not be delivered"));
            assertEquals(JournalScanner.Outcome.UNSUPPORTED, gap.outcome());
            assertTrue(gap.reason().contains("expected version=" + (middleOfFirstCycle.version() + 1)), gap.reason());
        }
    }

    @Test
    void shouldEndAtADocumentLeftNotCompleteByADeadWriter() throws IOException
    {
        fill();
        final List<Seen> expected = reference();
        final Seen last = expected.get(expected.size() - 1);
        final CycleFiles cycles = new CycleFiles(dir, TestRollCycles.TEST_SECONDLY);
        final Path file = cycles.fileFor(last.cycle()).toPath();
        final long nextHeader = (last.position() + last.length() + 3) & ~3L;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(nextHeader);
            assertEquals(0, raf.readInt(), "nothing written after the last frame");
            raf.seek(nextHeader);
            raf.writeInt(Integer.reverseBytes(ChronicleDocumentHeader.NOT_COMPLETE | 100));
        }
        try (JournalMappedFiles mapped = new JournalMappedFiles(cycles))
        {
            final List<Seen> delivered = new ArrayList<>();
            final JournalScanner.Result result = new JournalScanner(cycles, mapped).scanFromStart(f -> delivered.add(seen(f)));
            assertEquals(JournalScanner.Outcome.COMPLETE, result.outcome(), result.reason());
            assertEquals(expected, delivered);
        }
    }

    @Test
    void shouldComputeTheNextDocumentOnAFourByteBoundary()
    {
        assertEquals(8, ChronicleDocumentHeader.nextHeaderPosition(0, 4));
        assertEquals(12, ChronicleDocumentHeader.nextHeaderPosition(0, 5));
        assertEquals(108, ChronicleDocumentHeader.nextHeaderPosition(100, ChronicleDocumentHeader.META_DATA | 1));
        assertEquals(0xC000_0000, ChronicleDocumentHeader.END_OF_DATA);
    }

    private static void flipByte(final Path file, final long position) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.seek(position);
            final int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x5A);
        }
    }
}
