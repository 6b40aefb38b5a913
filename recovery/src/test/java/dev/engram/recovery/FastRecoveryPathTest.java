package dev.engram.recovery;

import dev.engram.journal.internal.CycleFiles;
import dev.engram.journal.Delta;
import dev.engram.journal.Journal;
import dev.engram.journal.JournalContext;
import dev.engram.journal.internal.JournalMappedFiles;
import dev.engram.journal.internal.JournalScanner;
import dev.engram.recovery.internal.checkpoint.BlockTableDescriptor;
import dev.engram.recovery.internal.checkpoint.CheckpointFiles;
import dev.engram.recovery.internal.checkpoint.CheckpointFooterDescriptor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Recovery's fast path (journal scanned from the checkpoint's hint; its queue opens after ready) must recover
 * exactly what the full path recovers from the same files, and must hand over to the full path when the
 * journal ends in a damaged frame.
 */
class FastRecoveryPathTest
{
    @TempDir
    Path root;

    private final SeededWorkload workload = new SeededWorkload(7, 32 * 1024);

    private static StateContext ctx(final Path dir)
    {
        return new StateContext().directory(dir).background(false).maxChainLength(3).deltaChangedKeysRatio(10)
            .maxChainSizeRatio(100);
    }

    private long append(final StateStore store, final long from, final long to)
    {
        final Journal journal = store.journal();
        final Delta delta = journal.newDelta();
        for (long v = from; v <= to; v++)
        {
            assertEquals(v, journal.append(workload.fill(v, delta)));
        }
        assertTrue(store.awaitApplied(to, 30, TimeUnit.SECONDS));
        return to;
    }

    /** A full checkpoint, a delta on it, then a tail of PUTs, PATCHes of large values and DELETEs. */
    private long build(final Path dir, final boolean checkpoints)
    {
        try (StateStore store = StateStore.open(ctx(dir)))
        {
            append(store, 1, 3000);
            if (checkpoints)
            {
                store.checkpoint();
            }
            append(store, 3001, 4000);
            if (checkpoints)
            {
                store.checkpoint();
            }
            return append(store, 4001, 6500);
        }
    }

    @Test
    void shouldOpenABrandNewStoreOnTheFastPath()
    {
        // a new store has no journal yet: scanned as an empty one, its queue opens after ready (the full path opened
        // it on the ready path: seconds in a cold JVM)
        final Path dir = root.resolve("new");
        final long v;
        try (StateStore store = StateStore.open(ctx(dir)))
        {
            final RecoveryReport report = store.recoveryReport();
            assertTrue(report.newStore(), report.describe());
            assertTrue(report.replayPath().startsWith("fast"), report.describe());
            v = store.journal().append(store.journal().newDelta().put("k", "v".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            assertTrue(store.awaitApplied(v, 60, java.util.concurrent.TimeUnit.SECONDS));
        }
        try (StateStore store = StateStore.open(ctx(dir)); StateReader reader = store.newReader())
        {
            assertEquals(v, store.recoveryReport().recoveredVersion());
            assertArrayEquals("v".getBytes(java.nio.charset.StandardCharsets.UTF_8), reader.get("k"));
        }
    }

    @Test
    void shouldRecoverTheSameStateOnBothPathsAfterACheckpointChain() throws IOException
    {
        final long last = build(root.resolve("built"), true);
        assertBothPathsAgree(last, 4000, 2500);
    }

    @Test
    void shouldRecoverTheSameStateOnBothPathsFromTheJournalAlone() throws IOException
    {
        final long last = build(root.resolve("built"), false);
        assertBothPathsAgree(last, 0, last);
    }

    private void assertBothPathsAgree(final long last, final long checkpointVersion, final long tail) throws IOException
    {
        copy(root.resolve("built"), root.resolve("fast"));
        copy(root.resolve("built"), root.resolve("full"));
        try (StateStore fast = StateStore.open(ctx(root.resolve("fast")));
             StateStore full = StateStore.open(ctx(root.resolve("full")).fastRecovery(false)))
        {
            final RecoveryReport fastReport = fast.recoveryReport();
            final RecoveryReport fullReport = full.recoveryReport();
            assertTrue(fastReport.replayPath().startsWith("fast"), fastReport.describe());
            assertTrue(fullReport.replayPath().startsWith("full"), fullReport.describe());
            for (final RecoveryReport report : new RecoveryReport[] {fastReport, fullReport})
            {
                assertEquals(last, report.recoveredVersion(), report.describe());
                assertEquals(checkpointVersion, report.checkpointVersion(), report.describe());
                assertEquals(tail, report.framesReplayed(), report.describe());
            }
            StateStoreTest.assertState(fast, workload.model(last), "fast path");
            StateStoreTest.assertState(full, workload.model(last), "full path");
            // the fast path recomputes the chain's Merkle roots after ready; the full path did before it
            assertDoesNotThrow(() -> fast.merkleRootCheck().get(30, TimeUnit.SECONDS));
            assertTrue(full.merkleRootCheck().isDone());
            assertEquals(java.util.List.of(), fast.damagedFiles());
            // both go on working: the next versions continue where the recovered state ends
            append(fast, last + 1, last + 100);
            StateStoreTest.assertState(fast, workload.model(last + 100), "fast path, after more appends");
        }
    }

    @Test
    void shouldCheckpointWhatWasAppendedRightAfterAFastRecovery()
    {
        final Path dir = root.resolve("built");
        final long last = build(dir, true);
        // no snapshot index: checkpoint() would first wait for its check after open, by when the queue is open
        try (StateStore store = StateStore.open(ctx(dir).snapshotIndex(false)))
        {
            assertTrue(store.recoveryReport().replayPath().startsWith("fast"), store.recoveryReport().describe());
            // the journal's queue may still be opening: these deltas wait in the ring, and checkpoint() covers them
            final Journal journal = store.journal();
            final Delta delta = journal.newDelta();
            long version = 0;
            for (long v = last + 1; v <= last + 50; v++)
            {
                version = journal.append(workload.fill(v, delta));
            }
            final CheckpointInfo checkpoint = store.checkpoint();
            assertNotNull(checkpoint);
            assertEquals(version, checkpoint.stateVersion(), "the checkpoint holds every delta appended before the call");
            assertTrue(store.awaitApplied(version, 30, TimeUnit.SECONDS));
            StateStoreTest.assertState(store, workload.model(version), "after the checkpoint");
        }
    }

    /** The newest checkpoint file (the chain's head). */
    private static Path newestCheckpoint(final Path dir)
    {
        return CheckpointFiles.listCheckpoints(dir.resolve("checkpoints")).stream()
            .max(java.util.Comparator.comparing(Path::toString)).orElseThrow();
    }

    /** Let {@code edit} change the footer (and the rest of the file), then give the footer a valid CRC again. */
    private static void rewriteFooter(final Path file, final FooterEdit edit) throws IOException
    {
        final long footerOffset = CheckpointFooterDescriptor.footerOffset(Files.size(file));
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            final byte[] bytes = new byte[CheckpointFooterDescriptor.FOOTER_LENGTH];
            raf.seek(footerOffset);
            raf.readFully(bytes);
            final org.agrona.concurrent.UnsafeBuffer footer = new org.agrona.concurrent.UnsafeBuffer(bytes);
            edit.edit(raf, footer);
            final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(bytes, 0, CheckpointFooterDescriptor.FOOTER_CRC_OFFSET);
            footer.putInt(CheckpointFooterDescriptor.FOOTER_CRC_OFFSET, (int)crc.getValue(), java.nio.ByteOrder.LITTLE_ENDIAN);
            raf.seek(footerOffset);
            raf.write(bytes);
        }
    }

    private interface FooterEdit
    {
        void edit(RandomAccessFile raf, org.agrona.concurrent.UnsafeBuffer footer) throws IOException;
    }

    @Test
    void shouldRejectAHeadWhoseBlockTableRowsDoNotAddUpThoughTheirCrcDoes() throws IOException
    {
        final Path dir = root.resolve("built");
        final long last = build(dir, true);
        // row 0 claims one more entry than it holds; the table's CRC in the footer is made to match: only the
        // row walk (deferred beside the scan on the fast path) sees it
        final Path head = newestCheckpoint(dir);
        rewriteFooter(head, (raf, footer) ->
        {
            final long tableOffset = footer.getLong(CheckpointFooterDescriptor.BLOCK_TABLE_OFFSET_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
            final int blocks = (int)footer.getLong(CheckpointFooterDescriptor.BLOCK_COUNT_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN);
            final byte[] table = new byte[blocks * BlockTableDescriptor.ROW_LENGTH];
            raf.seek(tableOffset);
            raf.readFully(table);
            final org.agrona.concurrent.UnsafeBuffer rows = new org.agrona.concurrent.UnsafeBuffer(table);
            rows.putInt(BlockTableDescriptor.ENTRY_COUNT_OFFSET,
                rows.getInt(BlockTableDescriptor.ENTRY_COUNT_OFFSET, java.nio.ByteOrder.LITTLE_ENDIAN) + 1, java.nio.ByteOrder.LITTLE_ENDIAN);
            raf.seek(tableOffset);
            raf.write(table);
            final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(table);
            footer.putInt(CheckpointFooterDescriptor.BLOCK_TABLE_CRC_OFFSET, (int)crc.getValue(), java.nio.ByteOrder.LITTLE_ENDIAN);
        });
        try (StateStore store = StateStore.open(ctx(dir)))
        {
            final RecoveryReport report = store.recoveryReport();
            assertTrue(report.replayPath().startsWith("full") && report.replayPath().contains("does not add up"),
                report.describe());
            assertEquals(1, report.rejected().size(), report.describe());
            assertTrue(report.rejected().get(0).contains("does not add up"), report.describe());
            assertEquals(3000, report.checkpointVersion(), "the older chain: " + report.describe());
            StateStoreTest.assertState(store, workload.model(last), "from the older chain and the journal");
        }
    }

    @Test
    void shouldRecomputeTheMerkleRootsAfterReadyAndReportAMismatch() throws IOException
    {
        final Path dir = root.resolve("built");
        final long last = build(dir, true);
        // a head whose footer root no longer matches its block table, footer CRC intact: only the root check sees it
        final Path head = newestCheckpoint(dir);
        final long footerOffset = CheckpointFooterDescriptor.footerOffset(Files.size(head));
        rewriteFooter(head, (raf, footer) ->
            footer.putByte(CheckpointFooterDescriptor.MERKLE_ROOT_OFFSET + 5,
                (byte)(footer.getByte(CheckpointFooterDescriptor.MERKLE_ROOT_OFFSET + 5) ^ 0x10)));
        try (StateStore store = StateStore.open(ctx(dir)))
        {
            final RecoveryReport report = store.recoveryReport();
            assertTrue(report.replayPath().startsWith("fast"), report.describe());
            assertEquals(List.of(), report.rejected(), report.describe());
            assertEquals(last, report.recoveredVersion(), report.describe());
            final java.util.concurrent.ExecutionException failed = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> store.merkleRootCheck().get(30, TimeUnit.SECONDS));
            final CheckpointCorruptionException cause = assertInstanceOf(CheckpointCorruptionException.class, failed.getCause());
            assertEquals(head.toString(), cause.file());
            assertEquals(footerOffset + CheckpointFooterDescriptor.MERKLE_ROOT_OFFSET, cause.offset());
            assertEquals(1, store.damagedFiles().size(), store.damagedFiles().toString());
            assertTrue(store.damagedFiles().get(0).contains(head.toString()), store.damagedFiles().toString());
            // the data is still served, each block checked by its own CRC32C
            StateStoreTest.assertState(store, workload.model(last), "after the Merkle mismatch");
        }
    }

    @Test
    void shouldHandADamagedLastFrameToTheFullPath() throws IOException
    {
        final Path dir = root.resolve("built");
        final long last = build(dir, true);
        // damage the last frame's checksum: a torn tail, which only the full path trims
        final CycleFiles cycles = new CycleFiles(dir.resolve("journal"), new JournalContext().rollCycle());
        final long[] lastFrame = new long[3];
        try (JournalMappedFiles mapped = new JournalMappedFiles(cycles))
        {
            final JournalScanner.Result scan = new JournalScanner(cycles, mapped).scanFromStart(f ->
            {
                lastFrame[0] = f.cycle();
                lastFrame[1] = f.filePosition();
                lastFrame[2] = f.buffer().capacity();
            });
            assertEquals(last, scan.lastVersion());
        }
        try (RandomAccessFile raf = new RandomAccessFile(cycles.fileFor((int)lastFrame[0]), "rw"))
        {
            final long crcByte = lastFrame[1] + lastFrame[2] - 1;
            raf.seek(crcByte);
            final int b = raf.read();
            raf.seek(crcByte);
            raf.write(b ^ 0x01);
        }
        // the store was closed cleanly, so that frame had been written: its loss is refused unless accepted
        final RecoveryException refused = assertThrows(RecoveryException.class, () -> StateStore.open(ctx(dir)).close());
        assertTrue(refused.getMessage().contains("version " + last + " lost") &&
            refused.getMessage().contains("acceptJournalLoss(true)"), refused.getMessage());
        try (StateStore store = StateStore.open(ctx(dir).acceptJournalLoss(true)))
        {
            final RecoveryReport report = store.recoveryReport();
            assertEquals(1, report.journalLosses().size(), report.describe());
            assertEquals(last, report.journalLosses().get(0).fromVersion(), report.describe());
            assertEquals(last, report.journalLosses().get(0).toVersion(), report.describe());
            assertTrue(report.replayPath().startsWith("full") && report.replayPath().contains("fails its check"), report.describe());
            assertEquals(last - 1, report.recoveredVersion(), report.describe());
            assertEquals(1, report.tornFramesTrimmed(), report.describe());
            StateStoreTest.assertState(store, workload.model(last - 1), "after the torn tail");
        }
    }

    private static void copy(final Path from, final Path to) throws IOException
    {
        try (var walk = Files.walk(from))
        {
            for (final Path source : walk.toList())
            {
                final Path target = to.resolve(from.relativize(source));
                if (Files.isDirectory(source))
                {
                    Files.createDirectories(target);
                }
                else if (!source.getFileName().toString().endsWith(".lock"))
                {
                    Files.copy(source, target);
                }
            }
        }
    }
}
