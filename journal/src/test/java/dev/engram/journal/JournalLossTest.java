package dev.engram.journal;

import dev.engram.journal.internal.CycleFiles;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.rollcycles.TestRollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The journal's manifest follows rolls, retention and a clean close, and the journal's own open (foreground and
 * background) refuses a journal missing a cycle file it lists, unless {@link JournalContext#acceptLoss(boolean)}.
 */
class JournalLossTest
{
    private static final int PER_CYCLE = 100;

    @TempDir
    Path dir;

    private final AtomicLong clockMs = new AtomicLong(1_700_000_000_000L);

    private JournalContext ctx()
    {
        return JournalTestSupport.smallContext(dir).rollCycle(TestRollCycles.TEST_SECONDLY).epochMsClock(clockMs::get);
    }

    private long fill(final Journal journal, final int cycles)
    {
        final Delta delta = journal.newDelta();
        long version = 0;
        for (int c = 0; c < cycles; c++)
        {
            for (int i = 0; i < PER_CYCLE; i++)
            {
                version = journal.append(delta.clear().put("k" + i, new byte[] {(byte)c}));
            }
            assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
            clockMs.addAndGet(1000);
        }
        return version;
    }

    private static void awaitGate(final java.util.concurrent.CountDownLatch gate)
    {
        try
        {
            gate.await();
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private List<Path> cycleFiles() throws IOException
    {
        try (var files = Files.list(dir))
        {
            return files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().toList();
        }
    }

    private List<long[]> manifestVersions()
    {
        final JournalManifest manifest = JournalManifest.read(dir);
        return manifest == null ? List.of() :
            manifest.entries().stream().map(e -> new long[] {e.firstVersion(), e.lastVersion()}).toList();
    }

    private static void assertVersions(final List<long[]> actual, final long... firstLast)
    {
        assertEquals(firstLast.length / 2, actual.size(), () -> "entries: " + actual.stream().map(java.util.Arrays::toString).toList());
        for (int i = 0; i < actual.size(); i++)
        {
            assertEquals(firstLast[2 * i], actual.get(i)[0], "first version of entry " + i);
            assertEquals(firstLast[2 * i + 1], actual.get(i)[1], "last version of entry " + i);
        }
    }

    @Test
    void shouldListEachCycleOnceItsFirstFrameIsOnDiskAndFollowRetentionAndClose() throws Exception
    {
        // ASYNC: nothing else forces the journal, yet each new cycle is forced and listed
        try (Journal journal = Journal.open(ctx().syncPolicy(SyncPolicy.ASYNC)))
        {
            fill(journal, 3);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (manifestVersions().size() < 3 && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
            assertVersions(manifestVersions(), 1, 100, 101, 200, 201, 0);
            assertTrue(journal.syncedVersion() >= 201, "the new cycle's first frame was forced before it was listed");
            assertEquals(1, journal.truncateBefore(150));
            assertVersions(manifestVersions(), 101, 200, 201, 0);
        }
        assertVersions(manifestVersions(), 101, 200, 201, 300);
        try (Journal journal = Journal.open(ctx()))
        {
            assertEquals(List.of(), journal.openReport().losses());
            assertEquals(300, journal.openReport().lastVersion());
        }
    }

    @Test
    void shouldRefuseAMissingNewestCycleFileAndOpenWithoutItWhenAccepted() throws Exception
    {
        try (Journal journal = Journal.open(ctx()))
        {
            fill(journal, 3);
        }
        final Path newest = cycleFiles().get(2);
        Files.delete(newest);
        final JournalLossException refused = assertThrows(JournalLossException.class, () -> Journal.open(ctx()).close());
        assertTrue(refused.getMessage().contains(newest.toString()) && refused.getMessage().contains("versions 201..300 lost") &&
            refused.getMessage().contains("from a backup") && refused.getMessage().contains("acceptLoss(true)"), refused.getMessage());
        assertEquals(List.of(new JournalLoss(newest.toString(), 201, 300, "is missing")), refused.losses());
        // the background open (recovery's fast path) refuses too: loudly, with nothing written
        // the gate holds the queue's open until after the append, so the append is taken and the wait reports the failure
        final java.util.concurrent.CountDownLatch gate = new java.util.concurrent.CountDownLatch(1);
        final Journal background = Journal.openInBackground(ctx(), 200, () -> awaitGate(gate));
        final long appended = background.append(background.newDelta().put("k", new byte[1]));
        assertTrue(background.awaitWritten(appended, 30, TimeUnit.SECONDS), "written to the bridge while the queue opens");
        gate.countDown();
        final JournalException failed = assertThrows(JournalException.class,
            () -> background.awaitWritten(appended + 1, 30, TimeUnit.SECONDS));
        assertTrue(failed.getMessage().contains(newest.toString()), failed.getMessage());
        final JournalException closed = assertThrows(JournalException.class, background::close);
        assertTrue(closed.getMessage().contains(newest.toString()), closed.getMessage());
        try (Journal journal = Journal.open(ctx().acceptLoss(true)))
        {
            final JournalOpenReport report = journal.openReport();
            assertEquals(201, report.lastVersion(), "the version written to the bridge continues the journal");
            assertNotNull(report.bridgeCopied());
            assertEquals(List.of(new JournalLoss(newest.toString(), 201, 300, "is missing")), report.losses());
            final long next = journal.append(journal.newDelta().put("after", new byte[1]));
            assertEquals(202, next, "new appends reuse the lost version numbers after it");
            assertTrue(journal.awaitWritten(next, 60, TimeUnit.SECONDS));
        }
        try (Journal journal = Journal.open(ctx()))
        {
            assertEquals(List.of(), journal.openReport().losses(), "an accepted loss is not reported again");
            assertEquals(202, journal.openReport().lastVersion());
        }
    }

    @Test
    void shouldCreateTheManifestForAJournalWrittenWithoutOne() throws Exception
    {
        try (Journal journal = Journal.open(ctx()))
        {
            fill(journal, 3);
        }
        Files.delete(dir.resolve(JournalManifestDescriptor.FILE_NAME));
        try (Journal journal = Journal.open(ctx()))
        {
            assertEquals(List.of(), journal.openReport().losses());
            assertEquals(300, journal.openReport().lastVersion());
            assertVersions(manifestVersions(), 1, 0, 101, 0, 201, 0);
        }
        assertVersions(manifestVersions(), 1, 0, 101, 0, 201, 300);
        final Path oldest = cycleFiles().get(0);
        Files.delete(oldest);
        final JournalLossException refused = assertThrows(JournalLossException.class, () -> Journal.open(ctx()).close());
        assertTrue(refused.getMessage().contains(oldest.toString()) && refused.getMessage().contains("versions 1..100 lost"),
            refused.getMessage());
    }

    @Test
    void shouldRefuseADamagedManifestAndRebuildItWhenAccepted() throws Exception
    {
        try (Journal journal = Journal.open(ctx()))
        {
            fill(journal, 2);
        }
        final Path manifest = dir.resolve(JournalManifestDescriptor.FILE_NAME);
        try (RandomAccessFile raf = new RandomAccessFile(manifest.toFile(), "rw"))
        {
            raf.seek(30);
            raf.write(raf.read() ^ 0x10);
        }
        final JournalLossException refused = assertThrows(JournalLossException.class, () -> Journal.open(ctx()).close());
        assertTrue(refused.getMessage().contains(manifest.toString()) && refused.getMessage().contains("CRC32C mismatch") &&
            refused.getMessage().contains("versions lost: unknown"), refused.getMessage());
        try (Journal journal = Journal.open(ctx().acceptLoss(true)))
        {
            assertEquals(1, journal.openReport().losses().size());
            assertEquals(manifest.toString(), journal.openReport().losses().get(0).file());
            assertEquals(200, journal.openReport().lastVersion());
        }
        assertVersions(manifestVersions(), 1, 0, 101, 200);
    }

    @Test
    void shouldRefuseAJournalOpenedWithAnotherRollCycleNamingBoth() throws Exception
    {
        try (Journal journal = Journal.open(ctx()))
        {
            fill(journal, 1);
        }
        final JournalException refused = assertThrows(JournalException.class,
            () -> Journal.open(JournalTestSupport.smallContext(dir).rollCycle(RollCycles.FAST_HOURLY)).close());
        assertTrue(refused.getMessage().contains("1000 ms per cycle") && refused.getMessage().contains("FAST_HOURLY") &&
            refused.getMessage().contains(JournalManifestDescriptor.FILE_NAME), refused.getMessage());
    }

    /**
     * A failed open puts back what it moved aside (issue 12: a failed open with the loss accepted had moved cycle files
     * to {@code *.lost} and {@code *.discard} and left them there): a swapped cycle file (a loss, accepted: moved aside
     * as {@code .lost}) and a half-created cycle file (moved aside as {@code .discard}), then the open fails on the
     * journal's last frame (written by a newer format). The directory is byte for byte as it was (Chronicle's
     * {@code metadata.cq4t}, which it writes as the queue opens, included) and the message names the file and position.
     */
    @Test
    void shouldPutBackWhatAFailedOpenMovedAside() throws Exception
    {
        try (Journal journal = Journal.open(ctx()))
        {
            fill(journal, 3);
        }
        final List<Path> cycles = cycleFiles();
        Files.copy(cycles.get(0), cycles.get(1), java.nio.file.StandardCopyOption.REPLACE_EXISTING);   // a loss: 101..200
        final CycleFiles names = new CycleFiles(dir, TestRollCycles.TEST_SECONDLY);
        final int newestCycle = names.cycleOf(cycles.get(2).getFileName().toString());
        final Path halfCreated = names.fileFor(newestCycle + 5).toPath();
        Files.write(halfCreated, new byte[4096]);
        final Path olderDiscard = Path.of(halfCreated + ".discard");
        Files.write(olderDiscard, new byte[] {7});   // an older discard of the same name is kept, not replaced
        // the journal's last frame, as a newer Engram would write it: the open fails after moving files aside
        final long newerAt = appendRaw(new byte[] {32, 0, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0});
        final java.util.Map<String, String> before = snapshot();
        final JournalFormatException ex = assertThrows(JournalFormatException.class,
            () -> Journal.open(ctx().acceptLoss(true)).close());
        assertTrue(ex.getMessage().contains("format version 9") && ex.getMessage().contains("position="), ex.getMessage());
        assertEquals(before, snapshot(), "a failed open leaves the directory as it found it");
        assertTrue(Files.exists(halfCreated) && Files.exists(cycles.get(1)), "moved back");
        assertTrue(newerAt > 0);
    }

    /** Write one document straight through Chronicle at the journal's current cycle. */
    private long appendRaw(final byte[] body)
    {
        try (net.openhft.chronicle.queue.impl.single.SingleChronicleQueue queue =
                 net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder.binary(dir)
                     .rollCycle(TestRollCycles.TEST_SECONDLY).timeProvider(clockMs::get).build();
             net.openhft.chronicle.queue.ExcerptAppender appender = queue.createAppender())
        {
            try (net.openhft.chronicle.wire.DocumentContext dc = appender.writingDocument())
            {
                dc.wire().bytes().write(body);
            }
            return appender.lastIndexAppended();
        }
    }

    /** Every file in the journal directory but its OS lock file, with length and content hash. */
    private java.util.Map<String, String> snapshot() throws IOException
    {
        final java.util.Map<String, String> files = new java.util.TreeMap<>();
        try (var list = Files.list(dir))
        {
            for (final Path file : list.toList())
            {
                if (!file.getFileName().toString().equals("engram-journal.lock"))
                {
                    files.put(file.getFileName().toString(), Files.size(file) + ":" +
                        java.util.Arrays.hashCode(Files.readAllBytes(file)));
                }
            }
        }
        return files;
    }
}
