package dev.engram.journal;

import dev.engram.testsupport.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import static dev.engram.journal.JournalBridgeDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The bridge file ({@link JournalBridgeDescriptor}): a background open writes commits to it while its queue opens, so
 * they are written (and, when asked, synced) at once; a bridge a crash left is copied into the queue by the next open,
 * its torn tail dropped, its overlap with the queue (a copy a crash cut short) checked, any other damage refused naming
 * the file and offset. Crash states are made the way a crash leaves them: the journal directory as it was when the
 * background open began, plus the bridge's bytes as they were while the queue was held back.
 */
class JournalBridgeTest
{
    private static final int QUEUED = 30;

    @TempDir
    Path root;

    /** The journal before the background open, and its bridge after 10 and after 20 appends while the queue was held. */
    private record Crash(Path before, byte[] bridge10, byte[] bridge20, byte[] mark)
    {
    }

    private static JournalContext ctx(final Path dir)
    {
        return JournalTestSupport.smallContext(dir);
    }

    private static void await(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static long append(final Journal journal, final int count)
    {
        final Delta delta = journal.newDelta();
        long version = journal.lastAppendedVersion();
        for (int i = 0; i < count; i++)
        {
            version = journal.append(delta.clear().put("k/" + (version + 1), ("value " + (version + 1)).getBytes()));
        }
        return version;
    }

    private static void assertFrames(final Journal journal, final long last)
    {
        final List<JournalTestSupport.Frame> frames = JournalTestSupport.readAll(journal);
        assertEquals(last, frames.size());
        for (int i = 0; i < last; i++)
        {
            assertEquals(i + 1, frames.get(i).version());
            assertEquals("k/" + (i + 1), frames.get(i).ops().get(0).key());
            assertArrayEquals(("value " + (i + 1)).getBytes(), frames.get(i).ops().get(0).data());
        }
    }

    private static void copyTree(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> files = Files.walk(from))
        {
            for (final Path file : files.toList())
            {
                final Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file))
                {
                    Files.createDirectories(target);
                }
                else
                {
                    Files.copy(file, target);
                }
            }
        }
    }

    private Crash crashDuringTheBridgePhase() throws IOException
    {
        final Path live = root.resolve("live");
        try (Journal journal = Journal.open(ctx(live)))
        {
            assertTrue(journal.awaitWritten(append(journal, QUEUED), 60, TimeUnit.SECONDS));
        }
        final Path before = root.resolve("before");
        copyTree(live, before);
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch held = new CountDownLatch(1);
        final byte[] bridge10;
        final byte[] bridge20;
        final byte[] mark;
        try (Journal journal = Journal.openInBackground(ctx(live), QUEUED, () ->
        {
            held.countDown();
            await(gate);
        }))
        {
            assertTrue(journal.awaitWritten(append(journal, 10), 60, TimeUnit.SECONDS));
            bridge10 = Files.readAllBytes(live.resolve(FILE_NAME));
            assertTrue(journal.awaitWritten(append(journal, 10), 60, TimeUnit.SECONDS));
            bridge20 = Files.readAllBytes(live.resolve(FILE_NAME));
            mark = Files.readAllBytes(live.resolve(MARK_FILE_NAME));
            assertFalse(journal.isQueueOpen());
            // past Chronicle's warm-up, on the directory: the close below waits for the open and the bridge's copy
            // (a close during the warm-up cancels the open and leaves the bridge for the next open: a loaded machine
            // can still be warming up here)
            await(held);
            gate.countDown();
        }
        assertFalse(Files.exists(live.resolve(FILE_NAME)), "the bridge goes once its frames are in the queue");
        assertFalse(Files.exists(live.resolve(MARK_FILE_NAME)), "and its mark with it");
        return new Crash(before, bridge10, bridge20, mark);
    }

    private Path crashedWith(final Crash crash, final byte[] bridge, final String name) throws IOException
    {
        final Path dir = root.resolve(name);
        copyTree(crash.before(), dir);
        Files.write(dir.resolve(FILE_NAME), bridge);
        Files.write(dir.resolve(MARK_FILE_NAME), crash.mark());
        return dir;
    }

    /** @return the offset of each frame in a bridge's bytes. */
    private static int[] frameOffsets(final byte[] bridge)
    {
        final ByteBuffer bytes = ByteBuffer.wrap(bridge).order(ByteOrder.LITTLE_ENDIAN);
        final int[] offsets = new int[bridge.length];
        int count = 0;
        for (int at = FIRST_FRAME_OFFSET; at < bridge.length; at += bytes.getInt(at + DeltaFrameDescriptor.FRAME_LENGTH_OFFSET))
        {
            offsets[count++] = at;
        }
        return Arrays.copyOf(offsets, count);
    }

    @Test
    void shouldDeclareTheOffsetsOfTheDiagram()
    {
        assertEquals("ENGRMJBR", new String(MAGIC, StandardCharsets.US_ASCII));
        assertEquals(0, MAGIC_OFFSET);
        assertEquals(8, FORMAT_VERSION_OFFSET);
        assertEquals(12, RESERVED_OFFSET);
        assertEquals(16, BASE_VERSION_OFFSET);
        assertEquals(24, HEADER_CRC_OFFSET);
        assertEquals(28, RESERVED_2_OFFSET);
        assertEquals(32, HEADER_LENGTH);
        assertEquals(32, FIRST_FRAME_OFFSET);
        assertEquals(1, FORMAT_VERSION);
        assertEquals(1L << 30, MAX_FILE_LENGTH);
        assertEquals("engram-journal.bridge", FILE_NAME);
    }

    @Test
    void shouldStoreEveryFieldAtItsDocumentedOffset() throws IOException
    {
        final byte[] bridge = crashDuringTheBridgePhase().bridge20();
        final ByteBuffer bytes = ByteBuffer.wrap(bridge).order(ByteOrder.LITTLE_ENDIAN);
        assertArrayEquals(MAGIC, Arrays.copyOfRange(bridge, 0, 8));
        assertEquals(1, bytes.getInt(8));
        assertEquals(0, bytes.getInt(12));
        assertEquals(QUEUED, bytes.getLong(16), "base version: the queue's last version");
        final CRC32C crc = new CRC32C();
        crc.update(bridge, 0, 24);
        assertEquals((int)crc.getValue(), bytes.getInt(24));
        assertEquals(0, bytes.getInt(28));
        final int[] offsets = frameOffsets(bridge);
        assertEquals(20, offsets.length, "frames back to back from offset 32, each its own length long");
        assertEquals(32, offsets[0]);
        for (int i = 0; i < offsets.length; i++)
        {
            final int length = bytes.getInt(offsets[i]);
            final DeltaFrame frame = new DeltaFrame().wrap(new org.agrona.concurrent.UnsafeBuffer(bridge), offsets[i], length);
            assertEquals(DeltaFrame.Check.OK, frame.verify(), "a sealed delta frame (DeltaFrameDescriptor)");
            assertEquals(QUEUED + 1 + i, frame.version());
        }
        final int last = offsets[offsets.length - 1];
        assertEquals(bridge.length, last + bytes.getInt(last), "no padding, nothing after the last frame");
    }

    @Test
    void shouldMarkTheBridgeWithACopyOfItsHeader() throws IOException
    {
        final Crash crash = crashDuringTheBridgePhase();
        assertArrayEquals(Arrays.copyOf(crash.bridge20(), HEADER_LENGTH), crash.mark(),
            "the mark is the bridge's 32-byte header, written before any of its versions is published");
    }

    @Test
    void shouldRefuseAnOpenWhoseBridgeWasDeletedAndChangeNothing() throws IOException
    {
        final Crash crash = crashDuringTheBridgePhase();
        final Path dir = crashedWith(crash, crash.bridge20(), "deleted");
        Files.delete(dir.resolve(FILE_NAME));
        final List<String> before = listing(dir);
        final JournalLossException refused = assertThrows(JournalLossException.class, () -> Journal.open(ctx(dir)).close());
        assertEquals(1, refused.losses().size(), refused.getMessage());
        final JournalLoss loss = refused.losses().get(0);
        assertEquals(dir.resolve(FILE_NAME).toString(), loss.file());
        assertEquals(QUEUED + 1, loss.fromVersion(), "the bridge's first version: the queue's last + 1");
        assertTrue(loss.what().startsWith("is missing") && loss.what().contains(MARK_FILE_NAME), loss.what());
        assertEquals(before, listing(dir), "a refused open moves and writes nothing");
        assertThrows(JournalException.class, () -> Journal.openInBackground(ctx(dir), QUEUED).close(),
            "a background open refuses a mark as it refuses a bridge");

        try (Journal journal = Journal.open(ctx(dir).acceptLoss(true)))
        {
            assertEquals(QUEUED, journal.openReport().lastVersion());
            assertEquals(1, journal.openReport().losses().size());
            assertTrue(journal.openReport().losses().get(0).what().contains("mark moved aside to " + MARK_FILE_NAME +
                ".lost"), journal.openReport().losses().toString());
            assertFrames(journal, QUEUED);
        }
        assertFalse(Files.exists(dir.resolve(MARK_FILE_NAME)));
        try (Journal journal = Journal.open(ctx(dir)))
        {
            assertEquals(List.of(), journal.openReport().losses(), "an accepted loss is not reported again");
        }
    }

    @Test
    void shouldCopyABridgeWhoseMarkIsGone() throws IOException
    {
        final Crash crash = crashDuringTheBridgePhase();
        final Path dir = crashedWith(crash, crash.bridge20(), "unmarked");
        Files.delete(dir.resolve(MARK_FILE_NAME));   // a crash between the mark's removal and the bridge's, or deleted
        try (Journal journal = Journal.open(ctx(dir)))
        {
            assertEquals(QUEUED + 20, journal.openReport().lastVersion());
            assertFrames(journal, QUEUED + 20);
        }
        assertFalse(Files.exists(dir.resolve(FILE_NAME)));
    }

    private static List<String> listing(final Path dir) throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(f -> !f.getFileName().toString().endsWith(".lock"))
                .map(f -> f.getFileName() + ":" + f.toFile().length() + ":" + f.toFile().lastModified()).sorted().toList();
        }
    }

    @Test
    void shouldWriteAndSyncCommitsBeforeTheQueueIsOpen() throws IOException
    {
        final Path dir = root.resolve("j");
        final CountDownLatch gate = new CountDownLatch(1);
        try (Journal journal = Journal.openInBackground(ctx(dir), 0, () -> await(gate)))
        {
            final long version = append(journal, 5);
            assertTrue(journal.awaitWritten(version, 60, TimeUnit.SECONDS));
            assertTrue(journal.awaitSynced(version, 60, TimeUnit.SECONDS), "the bridge is forced");
            assertTrue(journal.syncedVersion() >= version);
            assertFalse(journal.isQueueOpen());
            assertTrue(Files.size(dir.resolve(FILE_NAME)) > HEADER_LENGTH);
            assertEquals(HEADER_LENGTH, Files.size(dir.resolve(MARK_FILE_NAME)));
            gate.countDown();
            journal.newReader().close();   // waits for the queue
            assertTrue(journal.isQueueOpen());
            final long more = append(journal, 5);
            assertTrue(journal.awaitSynced(more, 60, TimeUnit.SECONDS));
            assertFalse(Files.exists(dir.resolve(FILE_NAME)), "removed once its frames are in the queue");
            assertFalse(Files.exists(dir.resolve(MARK_FILE_NAME)), "and its mark with it");
        }
        try (Journal journal = Journal.open(ctx(dir)))
        {
            assertEquals(10, journal.openReport().lastVersion());
            assertNull(journal.openReport().bridgeCopied());
            assertFrames(journal, 10);
        }
    }

    @Test
    void shouldHaveTheVersionsWrittenToTheBridgeAfterAKillWhileTheQueueOpens() throws Exception
    {
        final Path dir = root.resolve("j");
        try (Journal journal = Journal.open(ctx(dir)))
        {
            assertTrue(journal.awaitWritten(append(journal, QUEUED), 60, TimeUnit.SECONDS));
        }
        final Path reportPath = root.resolve("report.bin");
        final long written;
        try (CrashReportFile report = CrashReportFile.create(reportPath);
             ChildJvm child = ChildJvm.builder(BridgeCrashChild.class)
                 .jvmArg("-Xmx256m")
                 .args(dir, reportPath, QUEUED, 20)
                 .logs(root, "bridge-child")
                 .start())
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (report.writtenVersion() < 0)
            {
                assertTrue(child.isAlive(), () -> "child exited before it reported: " + child.describe());
                assertTrue(System.nanoTime() - deadlineNs < 0, () -> "child reported nothing: " + child.describe());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            written = report.writtenVersion();
            assertEquals(ChildJvm.SIGKILL_EXIT_VALUE, child.killHard(30, TimeUnit.SECONDS), child::describe);
        }
        assertEquals(QUEUED + 20, written, "written while the queue was held back");
        assertTrue(Files.exists(dir.resolve(FILE_NAME)));
        try (Journal journal = Journal.open(ctx(dir)))
        {
            assertEquals(written, journal.openReport().lastVersion());
            assertTrue(journal.openReport().bridgeCopied().contains("20 copied into the queue"),
                journal.openReport().bridgeCopied());
            assertFrames(journal, written);
            assertFalse(Files.exists(dir.resolve(FILE_NAME)));
            assertEquals(written + 1, journal.append(journal.newDelta().put("after", new byte[1])));
        }
        try (Journal journal = Journal.open(ctx(dir)))
        {
            assertEquals(written + 1, journal.openReport().lastVersion());
        }
    }

    @Test
    void shouldCopyABridgeACrashLeftIntoTheQueue() throws IOException
    {
        final Crash crash = crashDuringTheBridgePhase();
        final Path dir = crashedWith(crash, crash.bridge20(), "crashed");
        assertThrows(JournalException.class, () -> Journal.openInBackground(ctx(dir), QUEUED).close(),
            "a background open refuses a bridge: Journal.open copies it");
        try (Journal journal = Journal.open(ctx(dir)))
        {
            assertEquals(QUEUED + 20, journal.openReport().lastVersion());
            assertFrames(journal, QUEUED + 20);
        }
        assertFalse(Files.exists(dir.resolve(FILE_NAME)));
    }

    @Test
    void shouldKeepTheValidPrefixOfATornBridge() throws IOException
    {
        final Crash crash = crashDuringTheBridgePhase();
        final byte[] bridge = crash.bridge20();
        final Path dir = crashedWith(crash, Arrays.copyOf(bridge, bridge.length - 7), "torn");
        try (Journal journal = Journal.open(ctx(dir)))
        {
            assertEquals(QUEUED + 19, journal.openReport().lastVersion(), "the last frame was cut short");
            final int[] offsets = frameOffsets(bridge);
            assertTrue(journal.openReport().bridgeCopied().contains("torn tail of " + (bridge.length - 7 - offsets[19]) +
                " byte(s) at offset " + offsets[19]), journal.openReport().bridgeCopied());
            assertEquals(1, journal.openReport().tornFrames(), "reported like a torn queue tail");
            assertEquals(dir.resolve(FILE_NAME).toString(), journal.openReport().tornFile());
            assertEquals(offsets[19], journal.openReport().tornPosition());
            assertFrames(journal, QUEUED + 19);
            assertEquals(QUEUED + 20, journal.append(journal.newDelta().put("k/" + (QUEUED + 20),
                ("value " + (QUEUED + 20)).getBytes())));
        }
    }

    @Test
    void shouldKeepTheValidPrefixOfAGarbledBridge() throws IOException
    {
        final Crash crash = crashDuringTheBridgePhase();
        final byte[] bridge = crash.bridge20().clone();
        final int[] offsets = frameOffsets(bridge);
        bridge[offsets[14] + DeltaFrameDescriptor.HEADER_LENGTH + 3] ^= 0x5A;   // version 45's first op
        final Path dir = crashedWith(crash, bridge, "garbled");
        try (Journal journal = Journal.open(ctx(dir)))
        {
            assertEquals(QUEUED + 14, journal.openReport().lastVersion(), "the frame failing its CRC ends the bridge");
            assertTrue(journal.openReport().bridgeCopied().contains("at offset " + offsets[14]),
                journal.openReport().bridgeCopied());
            assertFrames(journal, QUEUED + 14);
        }
    }

    @Test
    void shouldRefuseADamagedHeaderNamingTheFileAndOffsetAndChangeNothing() throws IOException
    {
        final Crash crash = crashDuringTheBridgePhase();
        final int[][] damage = {{MAGIC_OFFSET, MAGIC_OFFSET}, {BASE_VERSION_OFFSET, HEADER_CRC_OFFSET},
            {HEADER_CRC_OFFSET + 1, HEADER_CRC_OFFSET}};
        for (final int[] at : damage)
        {
            final byte[] bridge = crash.bridge20().clone();
            bridge[at[0]] ^= 0x10;
            final Path dir = crashedWith(crash, bridge, "header-" + at[0]);
            final JournalException refused = assertThrows(JournalException.class, () -> Journal.open(ctx(dir)).close());
            assertTrue(refused.getMessage().contains(dir.resolve(FILE_NAME).toString()) &&
                refused.getMessage().contains("at offset " + at[1]), refused.getMessage());
            assertArrayEquals(bridge, Files.readAllBytes(dir.resolve(FILE_NAME)), "the bridge is kept");
            Files.delete(dir.resolve(FILE_NAME));
            assertThrows(JournalLossException.class, () -> Journal.open(ctx(dir)).close(),
                "the bridge's mark makes its deletion a loss, refused unless accepted");
            try (Journal journal = Journal.open(ctx(dir).acceptLoss(true)))
            {
                assertEquals(QUEUED, journal.openReport().lastVersion(), "nothing was written by the refused open");
            }
        }
    }

    @Test
    void shouldRefuseABridgeThatDoesNotContinueTheQueue() throws IOException
    {
        final Crash crash = crashDuringTheBridgePhase();
        final byte[] bridge = crash.bridge20().clone();
        final ByteBuffer bytes = ByteBuffer.wrap(bridge).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(BASE_VERSION_OFFSET, QUEUED + 5);
        final CRC32C crc = new CRC32C();
        crc.update(bridge, 0, HEADER_CRC_OFFSET);
        bytes.putInt(HEADER_CRC_OFFSET, (int)crc.getValue());
        final Path dir = crashedWith(crash, bridge, "gap");
        final java.util.Map<String, String> before = contents(dir);
        final JournalException refused = assertThrows(JournalException.class, () -> Journal.open(ctx(dir)).close());
        assertTrue(refused.getMessage().contains(dir.resolve(FILE_NAME).toString()) &&
            refused.getMessage().contains("offset " + BASE_VERSION_OFFSET) &&
            refused.getMessage().contains("versions " + (QUEUED + 1) + ".." + (QUEUED + 5) + " are in neither"),
            refused.getMessage());
        assertEquals(before, contents(dir), "the refused open changed no file");
    }

    /** @return each file's bytes (hex of a hash) by name, the lock file left out. */
    private static java.util.Map<String, String> contents(final Path dir) throws IOException
    {
        final java.util.Map<String, String> contents = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(dir))
        {
            for (final Path file : files.filter(Files::isRegularFile).toList())
            {
                if (!file.getFileName().toString().endsWith(".lock"))
                {
                    contents.put(file.getFileName().toString(), Integer.toHexString(Arrays.hashCode(Files.readAllBytes(file))));
                }
            }
        }
        return contents;
    }

    @Test
    void shouldCopyOnlyWhatTheQueueLacksAfterACrashMidCopy() throws IOException
    {
        final Crash crash = crashDuringTheBridgePhase();
        // the first 10 frames reached the queue (a copy of the 10-frame bridge), then the process died
        final Path dir = crashedWith(crash, crash.bridge10(), "mid-copy");
        try (Journal journal = Journal.open(ctx(dir)))
        {
            assertEquals(QUEUED + 10, journal.openReport().lastVersion());
        }
        Files.write(dir.resolve(FILE_NAME), crash.bridge20());
        try (Journal journal = Journal.open(ctx(dir)))
        {
            assertEquals(QUEUED + 20, journal.openReport().lastVersion());
            assertTrue(journal.openReport().bridgeCopied().contains("10 copied into the queue"),
                journal.openReport().bridgeCopied());
            assertFrames(journal, QUEUED + 20);
        }
        // the whole copy reached the queue, the bridge was not removed yet
        Files.write(dir.resolve(FILE_NAME), crash.bridge20());
        try (Journal journal = Journal.open(ctx(dir)))
        {
            assertEquals(QUEUED + 20, journal.openReport().lastVersion());
            assertTrue(journal.openReport().bridgeCopied().contains(" 0 copied into the queue"),
                journal.openReport().bridgeCopied());
            assertFrames(journal, QUEUED + 20);
        }
        assertFalse(Files.exists(dir.resolve(FILE_NAME)));
    }
}
