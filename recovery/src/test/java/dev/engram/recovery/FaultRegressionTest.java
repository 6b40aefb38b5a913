package dev.engram.recovery;

import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalException;
import dev.engram.recovery.internal.procedure.ReadOnlyJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Minimal reproductions of what the fault-injection suite ({@link FaultInjectionTest}) found, one test each.
 */
class FaultRegressionTest
{
    @TempDir
    Path root;

    /**
     * Fault suite seed 10410439739934 case 45: a bit flipped in the Chronicle header of the newest cycle file of a
     * crashed store. The fast path scans the frames (intact) and is ready; the journal's queue then fails to open in
     * the background. The next call names the journal directory; {@code close()} then threw "journal closed after a
     * failure: ... journal open failed: IllegalStateException: expecting index2index ..." naming no file or directory.
     */
    @Test
    void closeAfterTheQueueFailedToOpenInTheBackgroundNamesTheJournalDirectory() throws IOException
    {
        final Path live = root.resolve("live");
        final Path crashed = root.resolve("crashed");
        try (StateStore store = StateStore.open(FaultFixture.context(live, 1_700_000_000_000L)))
        {
            final Journal journal = store.journal();
            final Delta delta = journal.newDelta();
            for (long v = 1; v <= 100; v++)
            {
                journal.append(FaultFixture.WORKLOAD.fill(v, delta));
                if (v == 50)
                {
                    assertTrue(store.awaitApplied(v, 60, TimeUnit.SECONDS));
                    store.checkpoint();
                }
            }
            assertTrue(store.awaitApplied(100, 60, TimeUnit.SECONDS));
            FaultFixture.copyTree(live, crashed);              // as a crash leaves it
        }
        final Path cycle;
        try (var files = Files.list(crashed.resolve("journal")))
        {
            cycle = files.filter(p -> p.getFileName().toString().endsWith(".cq4")).sorted().reduce((a, b) -> b).orElseThrow();
        }
        try (RandomAccessFile raf = new RandomAccessFile(cycle.toFile(), "rw"))
        {
            raf.seek(157);
            final int b = raf.read();
            raf.seek(157);
            raf.write(b ^ 2);
        }
        final Path journalDir = crashed.resolve("journal");
        final StateStore store = StateStore.open(FaultFixture.context(crashed, 1_700_000_000_000L));
        assertEquals(100, store.recoveryReport().recoveredVersion(), store.recoveryReport().describe());
        final Journal journal = store.journal();
        // the append itself is written to the journal's bridge file while the queue opens, and applied from there
        // (unless the queue failed first: then the wait fails); the queue's failure shows at the wait for it, or at the
        // wait to apply, naming the journal directory
        final RuntimeException write = assertThrows(RuntimeException.class, () ->
        {
            journal.append(FaultFixture.WORKLOAD.fill(101, journal.newDelta()));
            assertTrue(store.awaitApplied(101, 60, TimeUnit.SECONDS), "applied from the bridge, or failed");
            journal.openReport();   // waits for the queue
        }, "the queue must fail to open: this test damages its cycle file's header");
        assertTrue(write.getMessage().contains(journalDir.toString()), write.getMessage());
        final JournalException close = assertThrows(JournalException.class, store::close);
        assertTrue(close.getMessage().contains(journalDir.toString()), () -> "close names the journal directory: " +
            close.getMessage());
    }

    /**
     * Fault suite seed 10810859063485 cases 73 and 74: {@code metadata.cq4t} garbled (74 random bytes at 103) or
     * truncated (to 77 bytes). Chronicle cannot read it and silently fell back to a read-only queue: the store was
     * ready, then every append failed with "Can't append to a read-only chronicle", naming no file. The journal now
     * rebuilds the file from the cycle files at open (it holds nothing the cycle files and the manifest do not), keeps
     * the damaged one as {@code metadata.cq4t.damaged}, and the store opens, appends and reopens on both paths.
     */
    @Test
    void aMetadataFileChronicleCannotReadIsRebuiltNotAReadOnlyQueue() throws IOException
    {
        final Path dir = root.resolve("state");
        try (StateStore store = StateStore.open(FaultFixture.context(dir, 1_700_000_000_000L)))
        {
            final Journal journal = store.journal();
            final Delta delta = journal.newDelta();
            for (long v = 1; v <= 100; v++)
            {
                journal.append(FaultFixture.WORKLOAD.fill(v, delta));
            }
            assertTrue(store.awaitApplied(100, 60, TimeUnit.SECONDS));
            store.checkpoint();
        }
        final Path metadata = dir.resolve("journal").resolve("metadata.cq4t");
        long version = 100;
        for (final boolean fast : new boolean[] {false, true})
        {
            try (RandomAccessFile raf = new RandomAccessFile(metadata.toFile(), "rw"))
            {
                raf.setLength(77);
            }
            try (StateStore store = StateStore.open(FaultFixture.context(dir, 1_700_000_000_000L).fastRecovery(fast)))
            {
                assertEquals(version, store.recoveryReport().recoveredVersion(), store.recoveryReport().describe());
                final Journal journal = store.journal();
                version++;
                assertEquals(version, journal.append(FaultFixture.WORKLOAD.fill(version, journal.newDelta())));
                assertTrue(store.awaitApplied(version, 60, TimeUnit.SECONDS), "appends work: the queue is writable");
            }
            assertTrue(Files.exists(dir.resolve("journal").resolve("metadata.cq4t.damaged")), "the damaged file is kept");
        }
        try (StateStore store = StateStore.open(FaultFixture.context(dir, 1_700_000_000_000L)))
        {
            assertEquals(version, store.recoveryReport().recoveredVersion());
        }
    }

    /**
     * Fault suite seed 20261207 case 843: the newest cycle file of a cleanly closed store truncated to 528384 bytes
     * (inside its data, on a page boundary). The fast path hands over to the full path, whose tail scan through
     * Chronicle died with a bare {@code java.lang.AssertionError} in {@code StoreTailer.doToStart} (tests run with
     * {@code -ea}; case 615, a bit flip in the same file's header, gave {@code IORuntimeException: Unknown_d}). Now it
     * is a journal loss: the open is refused naming the cut file, the versions lost and the next steps (restore, or
     * accept the loss).
     */
    @Test
    void aCycleFileChronicleCannotReadRefusesTheOpenNamingTheJournal()
    {
        final FaultFixture fixture = FaultFixture.build(root.resolve("fixture"));
        final Path dir = root.resolve("state");
        FaultFixture.copyTree(fixture.clean, dir);
        final Path tail = FaultFileKind.CYCLE_TAIL.files(dir).get(FaultFileKind.CYCLE_TAIL.files(dir).size() - 1);
        try (RandomAccessFile raf = new RandomAccessFile(tail.toFile(), "rw"))
        {
            raf.setLength(528384);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        final Throwable refused = assertThrows(Throwable.class, () -> StateStore.open(fixture.context(dir)).close());
        assertInstanceOf(JournalLossRefusedException.class, refused, () -> FaultInjector.stackTrace(refused));
        assertTrue(refused.getMessage().contains(tail.toString()) && refused.getMessage().contains("cut short") &&
            refused.getMessage().contains("acceptJournalLoss"), refused.getMessage());
    }
    /**
     * Fault suite seed 25544864401611 case 46: 392 random bytes at position 244 of a crashed store's newest cycle file,
     * over the entries of Chronicle's index2index array. On the full path Chronicle's {@code toEnd} followed the garbled
     * first entry as an index address (~2^60) and grew its mapped file's chunk list until {@code StateStore.open} threw
     * {@code OutOfMemoryError: Java heap space}. The entries that name no index are now zeroed before the queue opens
     * (Chronicle reads 0 as "not indexed yet" and indexes again): every version opens, reported in the journal's log.
     */
    @Test
    void aGarbledChronicleIndexIsMendedBeforeChronicleFollowsItAndEveryVersionOpens() throws IOException
    {
        final FaultFixture fixture = FaultFixture.build(root.resolve("fixture"));
        final Path dir = root.resolve("state");
        FaultFixture.copyTree(fixture.crash, dir);
        final List<Path> cycles = FaultFileKind.CYCLE_TAIL.files(dir);
        final Path tail = cycles.get(cycles.size() - 1);
        final long entries = index2indexEntries(tail);
        final byte[] garbage = new byte[392];
        new java.util.Random(46).nextBytes(garbage);
        try (RandomAccessFile raf = new RandomAccessFile(tail.toFile(), "rw"))
        {
            raf.seek(entries + 4);   // as case 46: from the middle of the first entry over the next ~48
            raf.write(garbage);
        }
        try (StateStore store = StateStore.open(fixture.context(dir).fastRecovery(false)))
        {
            assertEquals(FaultFixture.LAST_VERSION, store.appliedVersion());
            final Map<String, byte[]> model = fixture.model(FaultFixture.LAST_VERSION);
            try (StateReader reader = store.newReader())
            {
                for (final String key : SeededWorkload.keyUniverse())
                {
                    assertArrayEquals(model.get(key), reader.get(key), key);
                }
            }
            final Journal journal = store.journal();
            final long next = journal.append(FaultFixture.WORKLOAD.fill(FaultFixture.LAST_VERSION + 1, journal.newDelta()));
            assertTrue(store.awaitApplied(next, 60, TimeUnit.SECONDS), "the mended store writes");
        }
    }

    /**
     * The structure around Chronicle's index (here the header's {@code index2Index} position) cannot be mended by
     * zeroing an entry: the open is refused before Chronicle follows it, naming the file and the next step, and no
     * file is changed.
     */
    @Test
    void aGarbledChronicleIndexPositionInTheHeaderRefusesTheOpenNamingTheFileAndChangesNothing() throws IOException
    {
        final FaultFixture fixture = FaultFixture.build(root.resolve("fixture"));
        final Path dir = root.resolve("state");
        FaultFixture.copyTree(fixture.clean, dir);
        final List<Path> cycles = FaultFileKind.CYCLE_TAIL.files(dir);
        final Path tail = cycles.get(cycles.size() - 1);
        final byte[] bytes = Files.readAllBytes(tail);
        final int field = find(bytes, "index2Index".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 4096);
        int value = field + "index2Index".length();
        while ((bytes[value] & 0xFF) == 0x8F)
        {
            value++;   // padding
        }
        assertEquals(0xA7, bytes[value] & 0xFF, "an int64 follows the field's name");
        try (RandomAccessFile raf = new RandomAccessFile(tail.toFile(), "rw"))
        {
            raf.seek(value + 1);
            raf.writeLong(0x0123_4567_89AB_CDEFL);
        }
        final Map<String, String> before = contents(dir);
        final Throwable refused = assertThrows(Throwable.class,
            () -> StateStore.open(fixture.context(dir).fastRecovery(false)).close());
        assertTrue(FaultInjector.stackTrace(refused).contains(tail.toString()) &&
                FaultInjector.stackTrace(refused).contains("index2Index") &&
                FaultInjector.stackTrace(refused).contains("from a backup"), () -> FaultInjector.stackTrace(refused));
        final Map<String, String> after = contents(dir);
        assertEquals(List.of(), before.keySet().stream().filter(name -> !before.get(name).equals(after.get(name))).toList(),
            "files the refused open changed");
    }

    /** The position of the first entry of a cycle file's index2index array (Chronicle's binary wire). */
    private static long index2indexEntries(final Path cycle) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(cycle);
        final int name = find(bytes, "index2index".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 4096);
        int at = name + "index2index".length();
        while ((bytes[at] & 0xFF) == 0x8F || (bytes[at] & 0xFF) == 0x8E)
        {
            at += (bytes[at] & 0xFF) == 0x8F ? 1 : 5 + (bytes[at + 1] & 0xFF);   // padding
        }
        assertEquals(0x8D, bytes[at] & 0xFF, "an int64 array follows the index2index name");
        return at + 17L;   // the code, the capacity and the count of used entries
    }

    private static int find(final byte[] bytes, final byte[] wanted, final int from, final int to)
    {
        for (int i = from; i + wanted.length <= Math.min(to, bytes.length); i++)
        {
            if (java.util.Arrays.equals(bytes, i, i + wanted.length, wanted, 0, wanted.length))
            {
                return i;
            }
        }
        throw new AssertionError("no " + new String(wanted, java.nio.charset.StandardCharsets.US_ASCII) + " in the first " + to + " bytes");
    }

    /**
     * Fault suite seed 20261208 case 1080: random bytes over the last frame of a cleanly closed store's newest cycle
     * file. The refusal was right (a journal loss of the last version, naming the file), but the full path had opened
     * the journal's queue first, and Chronicle and the journal's open had changed the cycle file, the manifest and
     * {@code metadata.cq4t}. The journal's end is now found read-only before the queue opens: the refused open leaves
     * every file as it was.
     */
    @Test
    void aLossFoundAtTheJournalsEndIsRefusedBeforeTheQueueOpensAndChangesNoFile() throws IOException
    {
        final FaultFixture fixture = FaultFixture.build(root.resolve("fixture"));
        final Path dir = root.resolve("state");
        FaultFixture.copyTree(fixture.clean, dir);
        final List<Path> cycles = FaultFileKind.CYCLE_TAIL.files(dir);
        final Path tail = cycles.get(cycles.size() - 1);
        final long dataEnd = newestDataEnd(fixture, dir);
        final byte[] garbage = new byte[430];
        new java.util.Random(1080).nextBytes(garbage);
        try (RandomAccessFile raf = new RandomAccessFile(tail.toFile(), "rw"))
        {
            raf.seek(dataEnd - 169);   // over the last frame and past the end of the data, as in case 1080
            raf.write(garbage);
        }
        final Map<String, String> before = contents(dir);
        final Throwable refused = assertThrows(Throwable.class,
            () -> StateStore.open(fixture.context(dir).fastRecovery(false)).close());
        assertInstanceOf(JournalLossRefusedException.class, refused, () -> FaultInjector.stackTrace(refused));
        assertTrue(refused.getMessage().contains(tail.toString()) &&
            refused.getMessage().contains("version " + FaultFixture.LAST_VERSION + " lost"), refused.getMessage());
        final Map<String, String> after = contents(dir);
        assertEquals(List.of(), before.keySet().stream().filter(name -> !before.get(name).equals(after.get(name))).toList(),
            "files the refused open changed");
        assertEquals(before.keySet(), after.keySet(), "the refused open added or removed no file");

    }

    /**
     * Known issue REFUSED_OPEN_UPDATES_MANIFEST of the first long run: after a crash (the newest cycle's last version
     * not yet in the journal's manifest), a damaged frame in the tail the full path replays refuses the open, after the
     * journal's queue opened and its bookkeeping recorded the newest cycle's end in the manifest (and Chronicle rewrote
     * {@code metadata.cq4t}). The refused journal now puts those files back: the directory is as the open found it.
     */
    @Test
    void aDamagedFrameInTheReplayedTailRefusesTheOpenAndLeavesTheManifestAsItWas() throws IOException
    {
        final FaultFixture fixture = FaultFixture.build(root.resolve("fixture"));
        final Path dir = root.resolve("state");
        FaultFixture.copyTree(fixture.crash, dir);
        final long damagedVersion = FaultFixture.LAST_VERSION - 5;
        final long[] where = new long[2];
        try (ReadOnlyJournal journal = new ReadOnlyJournal(new dev.engram.journal.internal.CycleFiles(dir.resolve("journal"),
            fixture.context(dir).journal().rollCycle()), fixture.context(dir).journal().rollCycle()))
        {
            journal.walk(damagedVersion, damagedVersion, frame ->
            {
                where[0] = frame.cycle();
                where[1] = frame.filePosition();
            }, null);
            final Path file = journal.cycleFiles().get((int)where[0]).toPath();
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
            {
                raf.seek(where[1] + 20);   // inside the frame: its CRC no longer matches; valid frames follow it
                final int b = raf.read();
                raf.seek(where[1] + 20);
                raf.write(b ^ 0x11);
            }
        }
        final Map<String, String> before = contents(dir);
        final Throwable refused = assertThrows(Throwable.class, () -> StateStore.open(fixture.context(dir)).close());
        assertTrue(refused instanceof RecoveryException || refused instanceof JournalException,
            () -> FaultInjector.stackTrace(refused));
        final Map<String, String> after = contents(dir);
        assertEquals(List.of(), before.keySet().stream().filter(name -> !before.get(name).equals(after.get(name))).toList(),
            "files the refused open changed");
        assertEquals(before.keySet(), after.keySet(), "the refused open added or removed no file");
    }

    /**
     * Fault suite seed 20261209 cases 1054 and 1075: random bytes over the end of the last frame of a crashed store's
     * newest cycle file and past the end of its data (as a torn write of a page can leave). The last frame fails its
     * check (a torn tail: the journal retires it with a trim frame), but Chronicle could not append the trim frame
     * after bytes that are neither a document nor zeros: the open failed (an AssertionError in Chronicle, then a
     * JournalException) after changing the cycle file, and every later open failed the same way. The journal now
     * clears what follows its last document when it is not one, before anything is appended, and says so: the store
     * opens at the last valid version.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "garbage seed {0}")
    @org.junit.jupiter.params.provider.ValueSource(longs = {1054, 1075, 7, 8, 9, 10, 11, 12})
    void garbageAfterATornTailIsClearedAndTheStoreOpens(final long seed) throws IOException
    {
        final FaultFixture fixture = FaultFixture.build(root.resolve("fixture"));
        final Path dir = root.resolve("state");
        FaultFixture.copyTree(fixture.crash, dir);
        final List<Path> cycles = FaultFileKind.CYCLE_TAIL.files(dir);
        final Path tail = cycles.get(cycles.size() - 1);
        final long dataEnd = newestDataEnd(fixture, dir);
        final java.util.Random random = new java.util.Random(seed);
        final byte[] garbage = new byte[100 + random.nextInt(400)];
        random.nextBytes(garbage);
        try (RandomAccessFile raf = new RandomAccessFile(tail.toFile(), "rw"))
        {
            raf.seek(dataEnd - 60);   // over the end of the last frame and past the end of the data
            raf.write(garbage);
        }
        try (StateStore store = StateStore.open(fixture.context(dir)))
        {
            assertEquals(FaultFixture.LAST_VERSION - 1, store.recoveryReport().recoveredVersion(),
                store.recoveryReport().describe());
            final Journal journal = store.journal();
            final long next = journal.append(FaultFixture.WORKLOAD.fill(FaultFixture.LAST_VERSION, journal.newDelta()));
            assertEquals(FaultFixture.LAST_VERSION, next, "appends continue after the last valid version");
            assertTrue(store.awaitApplied(next, 60, TimeUnit.SECONDS));
        }
        try (StateStore store = StateStore.open(fixture.context(dir)))
        {
            assertEquals(FaultFixture.LAST_VERSION, store.recoveryReport().recoveredVersion(),
                store.recoveryReport().describe());
        }
    }

    /**
     * Long-run seed 20261211 case 1117: a zeroed page over the last frames of a cleanly closed store's newest cycle
     * file, with frames after it. The loss was refused rightly (versions after the hole are gone); reopened with the
     * loss accepted, the journal's walk stopped at the zero header, but Chronicle's store header said the data went on:
     * its appender failed on the trim frame ({@code AssertionError}) after the open had changed the manifest and
     * {@code metadata.cq4t}. Bytes after a zero header are now cleared like other garbage after the last document (kept,
     * and put back if the open fails): the accepted open continues after the last version before the hole.
     */
    @Test
    void aZeroedPageBeforeTheLastFramesOpensWithTheLossAcceptedAndAppendsAfterIt() throws IOException
    {
        final FaultFixture fixture = FaultFixture.build(root.resolve("fixture"));
        final Path dir = root.resolve("state");
        FaultFixture.copyTree(fixture.clean, dir);
        final List<Path> cycles = FaultFileKind.CYCLE_TAIL.files(dir);
        final Path tail = cycles.get(cycles.size() - 1);
        final long dataEnd = newestDataEnd(fixture, dir);
        final long page = (dataEnd - 5000) / 4096 * 4096;   // a whole page ending before the last frames
        try (RandomAccessFile raf = new RandomAccessFile(tail.toFile(), "rw"))
        {
            raf.seek(page);
            raf.write(new byte[4096]);
        }
        assertThrows(JournalLossRefusedException.class, () -> StateStore.open(fixture.context(dir)).close());
        final long recovered;
        try (StateStore store = StateStore.open(fixture.context(dir).acceptJournalLoss(true)))
        {
            recovered = store.recoveryReport().recoveredVersion();
            assertTrue(recovered < FaultFixture.LAST_VERSION && !store.recoveryReport().journalLosses().isEmpty(),
                store.recoveryReport().describe());
            final Journal journal = store.journal();
            final long next = journal.append(FaultFixture.WORKLOAD.fill(recovered + 1, journal.newDelta()));
            assertEquals(recovered + 1, next, "appends continue after the last version before the hole");
            assertTrue(store.awaitApplied(next, 60, TimeUnit.SECONDS));
        }
        try (StateStore store = StateStore.open(fixture.context(dir)))
        {
            assertEquals(recovered + 1, store.recoveryReport().recoveredVersion(), store.recoveryReport().describe());
        }
    }

    /**
     * Fault suite seed 22107920710523 case 45 (found by a default run's random seed): a bit flipped at byte 190 of a
     * crashed store's newest cycle file, inside Chronicle's header (its field {@code dataFormat} read as
     * {@code dataFkrmat}, which Chronicle ignores with a log warning). The fast path recovered from the frames; the
     * queue opened in the background and took the next append, but the applier's Chronicle reader never found it:
     * the store read, never applied a write, and said nothing. The applier now positions its reader again when the
     * journal wrote a version it cannot find, and then fails naming the journal directory and the next step.
     */
    @Test
    void anAppendTheApplierCannotFindFailsTheWaitNamingTheJournal() throws IOException
    {
        final FaultFixture fixture = FaultFixture.build(root.resolve("fixture"));
        final Path dir = root.resolve("state");
        FaultFixture.copyTree(fixture.crash, dir);
        final List<Path> cycles = FaultFileKind.CYCLE_TAIL.files(dir);
        try (RandomAccessFile raf = new RandomAccessFile(cycles.get(cycles.size() - 1).toFile(), "rw"))
        {
            raf.seek(190);
            final int b = raf.read();
            raf.seek(190);
            raf.write(b ^ 4);
        }
        final StateStore store = StateStore.open(fixture.context(dir));
        try
        {
            assertEquals(FaultFixture.LAST_VERSION, store.recoveryReport().recoveredVersion(), store.recoveryReport().describe());
            final Journal journal = store.journal();
            // once the queue is open: a commit made while it opens is applied from the journal's bridge file, which
            // the damaged header does not touch; it is the queue's reader that Chronicle positions wrongly
            assertNotNull(journal.openReport());
            final long next = journal.append(FaultFixture.WORKLOAD.fill(FaultFixture.LAST_VERSION + 1, journal.newDelta()));
            final RuntimeException failed = assertThrows(RuntimeException.class,
                () -> assertTrue(store.awaitApplied(next, 120, TimeUnit.SECONDS), "not applied, and no failure said why"));
            assertTrue(failed.getMessage().contains(dir.resolve("journal").toString()) &&
                failed.getMessage().contains("acceptJournalLoss(true)"), failed.getMessage());
        }
        finally
        {
            try
            {
                store.close();
            }
            catch (final RuntimeException closeFailure)
            {
                // the applier failed: close may say so again
            }
        }
    }

    /**
     * @return where the data of the journal's newest cycle file ends (the store holds every version of the fixture).
     */
    private static long newestDataEnd(final FaultFixture fixture, final Path dir)
    {
        final var rollCycle = fixture.context(dir).journal().rollCycle();
        try (ReadOnlyJournal journal = new ReadOnlyJournal(
            new dev.engram.journal.internal.CycleFiles(dir.resolve("journal"), rollCycle), rollCycle))
        {
            final ReadOnlyJournal.Walk walk = journal.walk(1, Long.MAX_VALUE, frame -> { }, null);
            assertEquals(FaultFixture.LAST_VERSION, walk.lastVersion);
            return walk.cycles.get(walk.cycles.size() - 1).dataEnd();
        }
    }

    /** Every file under {@code dir} but the OS lock files, by relative path, as a hash of its bytes. */
    private static Map<String, String> contents(final Path dir) throws IOException
    {
        final Map<String, String> contents = new java.util.TreeMap<>();
        try (var files = Files.walk(dir))
        {
            for (final Path file : files.filter(Files::isRegularFile).toList())
            {
                final String name = dir.relativize(file).toString();
                if (!name.endsWith(".lock"))
                {
                    contents.put(name, java.util.HexFormat.of().formatHex(sha256(Files.readAllBytes(file))));
                }
            }
        }
        return contents;
    }

    private static byte[] sha256(final byte[] bytes)
    {
        try
        {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
